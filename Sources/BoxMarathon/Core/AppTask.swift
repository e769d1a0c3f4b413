public import BoxCore

/// One task of an app: where it runs, on which ports, with which version of the app, and how its health checks
/// went.
public struct AppTask: Hashable, Sendable, Codable {
    public var id: TaskID
    public var appID: PathID
    /// The app's `lastConfigChangeAt` when the task was launched: tasks of an older version are replaced.
    public var version: Instant
    public var agentID: AgentID
    /// Where the task is reached: the agent's `address` attribute (process agents share 127.0.0.1), else its
    /// hostname.
    public var host: String
    /// The agent's hostname, which constraints on `hostname` compare.
    public var hostname: String
    /// The agent's attributes, for constraints.
    public var attributes: Labels
    public var ports: [UInt16]
    public var servicePorts: [Int]
    public var state: TaskState = .staging
    public var stagedAt: Instant
    public var startedAt: Instant?
    /// Marathon asked the master to kill it (scale down, upgrade, unhealthy, user).
    public var killing = false
    /// One per health check of the app, in order.
    public var health: [HealthStatus] = []

    public init(
        id: TaskID, appID: PathID, version: Instant, agentID: AgentID, host: String, hostname: String? = nil,
        attributes: Labels, ports: [UInt16], servicePorts: [Int], stagedAt: Instant
    ) {
        self.hostname = hostname ?? host
        self.id = id
        self.appID = appID
        self.version = version
        self.agentID = agentID
        self.host = host
        self.attributes = attributes
        self.ports = ports
        self.servicePorts = servicePorts
        self.stagedAt = stagedAt
    }

    public var isRunning: Bool { state == .running }

    /// Running and, when the app has checks, passing all of them.
    public var isHealthy: Bool { isRunning && health.allSatisfy { $0.alive == true } }
}

/// What Marathon knows about one health check of one task.
public struct HealthStatus: Hashable, Sendable, Codable {
    /// nil until the first result.
    public var alive: Bool?
    public var consecutiveFailures = 0
    public var firstSuccess: Instant?
    public var lastSuccess: Instant?
    public var lastFailure: Instant?
    public var lastFailureCause: String?
    /// When the service should run this check next.
    public var nextCheckAt: Instant?

    public init() {}
}
