import BoxCore

extension KubeNodes {
    /// Every half second: node heartbeats that are due, relaunches whose back-off ended, idle offers declined,
    /// and the containers' probes that are due (each run as a child task of this loop, reporting back).
    func timerLoop() async {
        await withDiscardingTaskGroup { group in
            while (try? await clock.sleep(for: .milliseconds(500))) != nil {
                tick(now: clock.now)
                for job in dueProbes(now: clock.now) {
                    group.addTask {
                        let result = await job.check.run(timeout: job.timeout)
                        await self.probeFinished(job, result)
                    }
                }
            }
            group.cancelAll()
        }
    }

    func tick(now: Instant) {
        // Heartbeats: an agent that offered lately or runs our tasks is alive.
        for agent in agents.values where !agent.failed {
            let due = agent.heartbeatWritten.map { now - $0 >= nodeStatusInterval } ?? true
            let alive =
                now - agent.lastSeen <= Self.heartbeatInterval * 2 || !agent.used.scalars.isEmpty
                || offers.values.contains { $0.offer.agentID == agent.agentID }
            if due && alive { dirtyNodes.insert(agent.agentID) }
        }
        // Relaunches that are due.
        var relaunch = false
        for key in awaitingLaunch {
            guard let run = runs[key], let after = run.launchAfter, after <= now else { continue }
            if case .waiting(let reason, _)? = run.containers.first(where: { !$0.done })?.phase,
                reason == "CrashLoopBackOff" || reason == "ImagePullBackOff"
            {
                dirtyPods.insert(key)
            }
            relaunch = true
        }
        if relaunch { requestSchedule() }
        if pending.contains(where: { $0.value.failedGeneration != offerGeneration }) { requestSchedule() }
        // Idle offers go back, refused briefly, so that they return (and keep the nodes' heartbeats): when no
        // pod waits, or every waiting pod was found unschedulable with the offers held.
        let stuck = pending.values.allSatisfy { $0.failedGeneration == offerGeneration }
        // Not while a cycle runs (it may be about to accept them: see `handle(.offers)`).
        if stuck && !relaunch && !cycling {
            let idle = offers.values.filter { now - $0.receivedAt >= Self.idleHold }.map(\.offer.id)
            if !idle.isEmpty {
                for id in idle { offers.removeValue(forKey: id) }
                offerGeneration += 1
                send([.decline(offerIDs: idle.sorted(), filters: Filters(refuseSeconds: Self.idleRefuse))])
            }
        }
        if !dirtyNodes.isEmpty || !dirtyPods.isEmpty { wakeWriter() }
    }
}
