public import BoxCore

/// Every running task's statistics across the cluster's agents, read once per request (`/master/state`,
/// `/monitor/statistics`, `/metrics`): each agent's executor reads its tasks' cgroups or /proc then, and nothing
/// is sampled in the background.
public struct ClusterUsage: Sendable {
    public struct Entry: Sendable {
        public var agentID: AgentID
        public var usage: TaskUsage
    }

    /// Sorted by agent, then task.
    public var entries: [Entry]
    private var index: [Key: Int] = [:]

    private struct Key: Hashable {
        var agent: AgentID
        var task: TaskID
    }

    public init(_ entries: [Entry] = []) {
        self.entries = entries.sorted { ($0.agentID, $0.usage.taskID) < ($1.agentID, $1.usage.taskID) }
        for (position, entry) in self.entries.enumerated() {
            index[Key(agent: entry.agentID, task: entry.usage.taskID)] = position
        }
    }

    /// The statistics of a task on an agent (task ids are unique per agent, not per cluster).
    public func statistics(agent: AgentID, task: TaskID) -> ResourceStatistics? {
        index[Key(agent: agent, task: task)].map { entries[$0].usage.statistics }
    }
}

extension Cluster {
    /// Asks every registered agent's executor for its tasks' statistics, now.
    public func usage() async -> ClusterUsage {
        var entries: [ClusterUsage.Entry] = []
        for agent in agents {
            guard let agentID = await agent.agentID else { continue }
            entries += await agent.executor.usage().map { ClusterUsage.Entry(agentID: agentID, usage: $0) }
        }
        return ClusterUsage(entries)
    }
}
