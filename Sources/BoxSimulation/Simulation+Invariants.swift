import BoxCore
import BoxMaster

extension Simulation {
    /// Safety, after every step: no resource is offered or allocated twice, no agent is over capacity, every
    /// task a live agent runs is one the master tracks there, and shares of frameworks with unmet demand stay
    /// within the fairness tolerance.
    mutating func checkSafety() throws(Failure) {
        var held: [AgentID: [Resources]] = [:]
        for entry in master.offers.values { held[entry.offer.agentID, default: []].append(entry.offer.resources) }
        for (ref, task) in master.tasks where !task.state.isTerminal {
            guard master.agents[task.info.agentID] != nil else {
                throw fail("task \(ref.taskID) is on agent \(task.info.agentID), which the master no longer knows")
            }
            held[task.info.agentID, default: []].append(task.info.resources)
        }
        for (id, agent) in master.agents {
            let pieces = held[id] ?? []
            let sum = pieces.reduce(Resources.zero, +)
            guard sum.scalars == (agent.offered + agent.used).scalars else {
                throw fail("agent \(id) books \(agent.offered + agent.used) but its offers and tasks hold \(sum)")
            }
            guard agent.total.contains(sum) else {
                throw fail("agent \(id) is over capacity: \(sum) of \(agent.total)")
            }
            var ports = PortRanges()
            for piece in pieces {
                guard !ports.overlaps(piece.ports) else { throw fail("agent \(id): port \(piece.ports) given twice") }
                ports = ports + piece.ports
            }
        }
        for agent in agents where agent.downUntil == nil {
            guard let id = agent.id else { continue }
            for (taskID, running) in agent.tasks.running {
                let tracked = master.tasks[TaskRef(running.frameworkID, taskID)]
                guard let tracked, tracked.info.agentID == id, !tracked.state.isTerminal else {
                    throw fail("agent \(id) runs \(taskID), which the master does not track there")
                }
            }
        }
        if now - start >= config.warmup { try checkFairness() }
    }

    /// Dominant shares of what frameworks with unmet demand actually run (not what they are offered).
    private mutating func checkFairness() throws(Failure) {
        let total = master.clusterTotal
        guard total.milliCPUs > 0 else { return }
        var shares: [(String, Double)] = []
        for framework in frameworks where framework.unmetDemand > 0 {
            guard let id = framework.id, let entry = master.frameworks[id] else { continue }
            shares.append((framework.name, DRFSorter.dominantShare(of: entry.used, in: total).share / framework.weight))
        }
        guard let low = shares.map(\.1).min(), let high = shares.map(\.1).max() else { return }
        worstShareSpread = max(worstShareSpread, high - low)
        if high - low > config.fairnessTolerance {
            let text = shares.map { "\($0.0)=\(String(format: "%.3f", $0.1))" }.joined(separator: " ")
            throw fail("dominant shares drifted apart: \(text)")
        }
    }

    /// Liveness, once faults are healed and the cluster settled: every task the master tracks is running on a
    /// reachable agent that really runs it, and every framework's view matches the master's.
    public func checkConverged() throws(Failure) {
        for (ref, task) in master.tasks {
            guard task.state == .running, master.agents[task.info.agentID]?.isActive == true,
                let index = agentIndex[task.info.agentID], agents[index].tasks.running[ref.taskID] != nil
            else { throw fail("task \(ref.taskID) did not converge: \(task.state) on \(task.info.agentID)") }
        }
        for framework in frameworks {
            guard let id = framework.id else { continue }
            let tracked = Set(master.tasks.keys.filter { $0.frameworkID == id }.map(\.taskID))
            guard tracked == framework.live else {
                throw fail(
                    "\(framework.name) believes \(framework.live.count) tasks live, the master tracks \(tracked.count)")
            }
        }
    }
}
