public import BoxCore

/// One sentence of the cluster's story (an offer made, declined or rescinded, a task launched or updated, an
/// agent or framework arriving or leaving), as the core decided it. Hosts publish these on the event stream that
/// `clusterbox offers --watch` and the dashboard read, and count them in `/metrics`.
public struct ClusterEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case offer, decline, accept, rescind, launch
        case taskUpdate = "task_update"
        case taskError = "task_error"
        case agentAdded = "agent_added"
        case agentUnreachable = "agent_unreachable"
        case agentRemoved = "agent_removed"
        case agentReregistered = "agent_reregistered"
        case frameworkAdded = "framework_added"
        case frameworkRemoved = "framework_removed"
        case frameworkDisconnected = "framework_disconnected"
    }

    public var kind: Kind
    public var time: Instant
    public var frameworkID: FrameworkID?
    public var agentID: AgentID?
    public var offerID: OfferID?
    public var taskID: TaskID?
    public var state: TaskState?
    public var resources: Resources?
    /// Why, in words: "refused for 5 s", "cpus 4 > 2 offered", "Command exited with status 1".
    public var message: String

    public init(
        _ kind: Kind, time: Instant, frameworkID: FrameworkID? = nil, agentID: AgentID? = nil,
        offerID: OfferID? = nil, taskID: TaskID? = nil, state: TaskState? = nil, resources: Resources? = nil,
        message: String = ""
    ) {
        self.kind = kind
        self.time = time
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.offerID = offerID
        self.taskID = taskID
        self.state = state
        self.resources = resources
        self.message = message
    }
}
