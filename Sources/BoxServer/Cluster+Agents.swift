import BoxAgent
import BoxCore

/// Losing an agent on purpose (`clusterbox agent stop|start`): the cluster finds the agent; the agent does the
/// rest, and the master learns of it only through the missed heartbeats, as with a real loss.
extension Cluster {
    /// The agent called `name`: its hostname (`agent-2`, `sim-1`) or the id the master knows it by.
    func agent(named name: String) async -> AgentService? {
        if let agent = agents.first(where: { $0.name == name }) { return agent }
        for agent in agents {
            if await agent.agentID?.value == name { return agent }
        }
        return nil
    }

    /// Every agent's name, id and lifecycle (running, stopping, stopped), in the order they were made.
    func agentStatuses() async -> [AgentService.ControlStatus] {
        var statuses: [AgentService.ControlStatus] = []
        for agent in agents { statuses.append(await agent.controlStatus) }
        return statuses
    }
}
