/// What a framework tells the master about itself when it subscribes (Mesos' `FrameworkInfo`).
public struct FrameworkInfo: Hashable, Sendable, Codable {
    public var name: String
    public var role: String
    /// Relative share of the cluster under DRF: a framework of weight 2 is entitled to twice the dominant share.
    public var weight: Double
    public var user: String
    public var hostname: String?
    public var failoverTimeoutSeconds: Double
    /// Frameworks that understand `TASK_UNREACHABLE`/`TASK_GONE`; others see `TASK_LOST`.
    public var partitionAware: Bool
    public var id: FrameworkID?

    public init(
        name: String, role: String = "*", weight: Double = 1, user: String = "nobody", hostname: String? = nil,
        failoverTimeoutSeconds: Double = 0, partitionAware: Bool = true, id: FrameworkID? = nil
    ) {
        precondition(weight > 0, "a framework's weight must be positive")
        self.name = name
        self.role = role
        self.weight = weight
        self.user = user
        self.hostname = hostname
        self.failoverTimeoutSeconds = failoverTimeoutSeconds
        self.partitionAware = partitionAware
        self.id = id
    }
}

/// Resources of one agent offered to one framework.
public struct Offer: Hashable, Sendable, Codable {
    public var id: OfferID
    public var frameworkID: FrameworkID
    public var agentID: AgentID
    public var hostname: String
    public var resources: Resources
    public var attributes: Labels

    public init(
        id: OfferID, frameworkID: FrameworkID, agentID: AgentID, hostname: String, resources: Resources,
        attributes: Labels
    ) {
        self.id = id
        self.frameworkID = frameworkID
        self.agentID = agentID
        self.hostname = hostname
        self.resources = resources
        self.attributes = attributes
    }
}

/// How long the master keeps declined resources from a framework (`Filters.refuse_seconds`, default 5 s).
public struct Filters: Hashable, Sendable, Codable {
    public var refuseSeconds: Double

    public init(refuseSeconds: Double = 5) { self.refuseSeconds = refuseSeconds }
}

/// An operation inside `ACCEPT`.
public enum OfferOperation: Hashable, Sendable, Codable {
    case launch([TaskInfo])
    /// Tasks that start together and end together: if one is invalid none starts; if one fails or is killed, the
    /// others are killed (Mesos' LAUNCH_GROUP on the default executor).
    case launchGroup([TaskInfo])
}

/// Mesos v1 scheduler calls (framework → master), transport-neutral. `SUBSCRIBE` is not here: subscribing
/// opens the event stream and is a method of the transport.
public enum Call: Hashable, Sendable, Codable {
    case accept(offerIDs: [OfferID], operations: [OfferOperation], filters: Filters)
    case decline(offerIDs: [OfferID], filters: Filters)
    case revive
    case suppress
    case kill(taskID: TaskID, agentID: AgentID?)
    case acknowledge(agentID: AgentID, taskID: TaskID, uuid: StatusUUID)
    /// Explicit reconciliation of the listed tasks, or implicit (every task of the framework) when empty.
    case reconcile(tasks: [TaskID])
    case message(agentID: AgentID, data: [UInt8])
    case teardown

    public var typeName: String {
        switch self {
        case .accept: "ACCEPT"
        case .decline: "DECLINE"
        case .revive: "REVIVE"
        case .suppress: "SUPPRESS"
        case .kill: "KILL"
        case .acknowledge: "ACKNOWLEDGE"
        case .reconcile: "RECONCILE"
        case .message: "MESSAGE"
        case .teardown: "TEARDOWN"
        }
    }
}

/// Mesos v1 scheduler events (master → framework).
public enum Event: Hashable, Sendable, Codable {
    case subscribed(frameworkID: FrameworkID, heartbeatIntervalSeconds: Double)
    case offers([Offer])
    case rescind(OfferID)
    case update(TaskStatus)
    case message(agentID: AgentID, data: [UInt8])
    case failure(agentID: AgentID)
    case error(message: String)
    case heartbeat

    public var typeName: String {
        switch self {
        case .subscribed: "SUBSCRIBED"
        case .offers: "OFFERS"
        case .rescind: "RESCIND"
        case .update: "UPDATE"
        case .message: "MESSAGE"
        case .failure: "FAILURE"
        case .error: "ERROR"
        case .heartbeat: "HEARTBEAT"
        }
    }
}

/// The framework's side of a connection to the master. An in-process transport and the HTTP scheduler API
/// implement it, so a framework's code does not know which one carries its messages.
public protocol SchedulerTransport: Sendable {
    /// Subscribes (or resubscribes when `info.id` is set). The stream starts with `.subscribed`.
    func subscribe(_ info: FrameworkInfo) async -> AsyncStream<Event>
    /// Sends a call for a subscribed framework. Results arrive later as events.
    func send(_ call: Call, from framework: FrameworkID) async
}
