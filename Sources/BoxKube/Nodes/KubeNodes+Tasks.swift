import BoxCore

extension KubeNodes {
    /// A task's status: acknowledged, then reflected in its container; a container that ended restarts (the whole
    /// group, after back-off) or ends the pod, as the restart policy says.
    func taskUpdate(_ status: TaskStatus, now: Instant) {
        if let uuid = status.uuid, let agentID = status.agentID {
            send([.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid)])
        }
        if let agentID = status.agentID {
            // The master's word that the agent is unreachable (or removed) ends its Node's heartbeats: its running
            // pods alone must not keep a lost node Ready.
            if status.source == .master
                && (status.state == .unreachable || status.reason == .agentUnreachable
                    || status.reason == .agentRemoved)
            {
                agentLost(agentID)
            } else {
                agents[agentID]?.lastSeen = now
                // Reachable again under the same id (a partition healed): a running task says so, even when the
                // agent has nothing left to offer. Not for an id its agent has since replaced.
                if status.state == .running, let name = agents[agentID]?.name, agentByName[name] == agentID {
                    agents[agentID]?.failed = false
                }
            }
        }
        guard let (key, position) = taskIndex[status.taskID], var run = runs[key],
            position < run.containers.count, run.containers[position].taskID == status.taskID
        else {
            // A task of ours nobody tracks (a pod deleted while the scheduler was away): stop it.
            if !status.state.isTerminal, status.reason == .reconciliation || status.source != .master {
                send([.kill(taskID: status.taskID, agentID: status.agentID)])
            }
            return
        }
        var container = run.containers[position]
        let wasLive = container.isLive
        container.taskState = status.state
        switch status.state {
        case .staging, .starting:
            container.phase = .waiting(reason: "ContainerCreating", message: nil)
        case .running:
            if case .running = container.phase {
            } else {
                container.phase = .running(startedAt: status.timestamp)
                container.probes = probes(for: run, position: position, taskID: status.taskID, startedAt: now)
            }
            run.startTime = run.startTime ?? status.timestamp
        case .killing, .unreachable:
            break  // an unreachable agent is the node lifecycle controller's business
        default:
            var startedAt: Instant?
            if case .running(let at) = container.phase { startedAt = at }
            let exitCode = status.exitCode.map(Int.init) ?? Self.exitCode(status)
            container.phase = .terminated(
                exitCode: exitCode, reason: Self.terminationReason(status, exitCode: exitCode), message: status.message,
                startedAt: startedAt, finishedAt: status.timestamp)
            container.lastPhase = nil
            taskIndex.removeValue(forKey: status.taskID)
            if wasLive {
                agents[run.agentID]?.used -=
                    (run.requirements.containers.count > position
                    ? run.requirements.containers[position].resources : PodRequirements.defaultRequest).scalars
            }
            run.containers[position] = container
            containerEnded(&run, position, failed: exitCode != 0, ranFor: startedAt.map { now - $0 }, now: now)
            if let problem = Self.imagePullFailure(status, image: container.image) {
                imagePullFailed(&run, position, problem)
            }
            runs[key] = run
            finishIfStopped(key)
            dirtyPods.insert(key)
            wakeWriter()
            return
        }
        run.containers[position] = container
        runs[key] = run
        dirtyPods.insert(key)
        wakeWriter()
    }

    /// The agent's message when the task failed to launch because of its image (not in the agent's image store,
    /// unreadable): the executor says `image <name>: …`. Nil for any other end, and for `image: host`.
    static func imagePullFailure(_ status: TaskStatus, image: String) -> String? {
        guard status.state == .failed, status.reason == .containerLaunchFailed, image != PodTasks.hostImage,
            !image.isEmpty, let message = status.message, message.hasPrefix("image \(image): ")
        else { return nil }
        return message
    }

    /// A container whose image could not be had never ran: it waits in `ImagePullBackOff` (not CrashLoopBackOff)
    /// with the agent's reason, as a kubelet shows an image it cannot pull, and a `Failed` event says why.
    private func imagePullFailed(_ run: inout PodRun, _ position: Int, _ problem: String) {
        let image = run.containers[position].image
        events.append((run.pod, "Failed", "Failed to pull image \"\(image)\": \(problem)", "Warning", "kubelet"))
        guard case .waiting(let reason, _) = run.containers[position].phase, reason == "CrashLoopBackOff" else {
            return
        }
        run.containers[position].phase = .waiting(
            reason: "ImagePullBackOff", message: "Back-off pulling image \"\(image)\": ErrImagePull: \(problem)")
        run.containers[position].lastPhase = nil
    }

    /// The exit code when the agent reported none: 0 for a finished task, 137 for a killed one, 1 otherwise.
    static func exitCode(_ status: TaskStatus) -> Int {
        switch status.state {
        case .finished: 0
        case .killed: 137
        default: 1
        }
    }

    /// `Completed`, `OOMKilled`, `ContainerCannotRun` (never started), or `Error`.
    static func terminationReason(_ status: TaskStatus, exitCode: Int) -> String {
        if status.reason == .containerLimitationMemory { return "OOMKilled" }
        if status.state == .finished && exitCode == 0 { return "Completed" }
        if status.state == .error || status.reason == .containerLaunchFailed || status.reason == .taskGroupInvalid {
            return "ContainerCannotRun"
        }
        return "Error"
    }

    /// Applies the restart policy to a container that ended. Restarting relaunches the pod's whole task group on
    /// the same agent (tasks of a group start and end together): the others are killed, and once all have ended
    /// the group launches again after the CrashLoopBackOff delay (10 s, doubling to 5 min, back to 10 s after a
    /// run of 10 min).
    private func containerEnded(_ run: inout PodRun, _ position: Int, failed: Bool, ranFor: Duration?, now: Instant) {
        guard !run.deleting else { return }
        switch run.restartPolicy {
        case "Never": run.containers[position].done = true
        case "OnFailure": run.containers[position].done = !failed
        default: run.containers[position].done = false
        }
        if let ranFor, ranFor >= Self.backoffResetAfter { run.backoff = .seconds(10) }
        let restart = run.containers.contains { !$0.done && !$0.isLive }
        if restart {
            // Group semantics: the rest of the group stops too, then everything not done starts again.
            for task in run.liveTasks { send([.kill(taskID: task, agentID: run.agentID)]) }
        }
        guard run.liveTasks.isEmpty else { return }
        if run.containers.allSatisfy(\.done) {
            let succeeded = run.containers.allSatisfy { container in
                if case .terminated(let code, _, _, _, _) = container.phase { return code == 0 }
                return false
            }
            run.finalPhase = succeeded ? "Succeeded" : "Failed"
            releaseOwner(run)
            return
        }
        let delay = run.backoff
        run.launchAfter = now + delay
        awaitingLaunch.insert(run.key)
        run.backoff = min(run.backoff * 2, Self.maxBackoff)
        for index in run.containers.indices where !run.containers[index].done {
            let container = run.containers[index]
            run.containers[index].lastPhase = container.phase
            run.containers[index].phase = .waiting(
                reason: "CrashLoopBackOff",
                message:
                    "back-off \(Int(delay.seconds))s restarting failed container=\(container.name) pod=\(run.name)_\(run.namespace)(\(run.uid))"
            )
        }
        events.append((run.pod, "BackOff", "Back-off restarting failed container", "Warning", "kubelet"))
    }

    /// Graceful deletion: kill the pod's tasks; once none is live the pod is removed from the API.
    func startDeletion(_ key: String) {
        guard var run = runs[key] else { return }
        run.deleting = true
        run.launchAfter = nil
        awaitingLaunch.remove(key)
        runs[key] = run
        for task in run.liveTasks { send([.kill(taskID: task, agentID: run.agentID)]) }
        if !run.liveTasks.isEmpty {
            events.append(
                (
                    run.pod, "Killing", "Stopping container \(run.containers.map(\.name).joined(separator: ", "))",
                    "Normal", "kubelet"
                ))
        }
        finishIfStopped(key)
        wakeWriter()
    }

    /// A deleted pod whose tasks have all ended: removed from the API (that incarnation only) and forgotten.
    func finishIfStopped(_ key: String) {
        guard let run = runs[key], run.deleting, run.liveTasks.isEmpty else { return }
        runs.removeValue(forKey: key)
        for container in run.containers { if let task = container.taskID { taskIndex.removeValue(forKey: task) } }
        if run.finalPhase == nil { releaseOwner(run) }
        if !run.removed { removals.append((run.namespace, run.name, run.uid)) }
        dirtyPods.remove(key)
        offerGeneration += 1
        wakeWriter()
    }

    private func releaseOwner(_ run: PodRun) {
        guard let owner = run.requirements.ownerUID else { return }
        agents[run.agentID]?.ownerCounts[owner, default: 1] -= 1
    }
}
