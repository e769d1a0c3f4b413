public import BoxCore

/// What the master core wants done. The host carries these out in order.
public enum MasterEffect: Hashable, Sendable {
    /// Deliver a scheduler event to a framework's stream.
    case send(FrameworkID, Event)
    /// Deliver a command to an agent.
    case agent(AgentID, AgentCommand)
    /// End a framework's event stream (it was removed).
    case closeFramework(FrameworkID)
    /// Publish a cluster event (narration, metrics).
    case observe(ClusterEvent)
}
