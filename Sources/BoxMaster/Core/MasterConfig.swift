public import BoxCore

/// The master's timings. Defaults suit a local dev cluster: faster than Mesos' production defaults so that a lost
/// agent is noticed in seconds, not minutes.
public struct MasterConfig: Hashable, Sendable {
    /// The master's id; agent, framework and offer ids are derived from it (`<id>-S0`, `<id>-0000`, `<id>-O1`).
    public var masterID: String
    /// A full allocation pass runs at least this often (Mesos `--allocation_interval`).
    public var allocationInterval: Duration = .seconds(1)
    /// An offer not answered in this time is rescinded.
    public var offerTimeout: Duration = .seconds(30)
    /// An agent silent this long is marked unreachable.
    public var agentHeartbeatTimeout: Duration = .seconds(15)
    /// An unreachable agent is removed (its tasks `TASK_GONE`) after this much more.
    public var agentRemovalTimeout: Duration = .seconds(60)
    /// First resend interval of an unacknowledged status update; doubles up to `statusRetryMax`.
    public var statusRetryInterval: Duration = .seconds(10)
    public var statusRetryMax: Duration = .seconds(600)
    /// `HEARTBEAT` events to frameworks.
    public var frameworkHeartbeatInterval: Duration = .seconds(15)
    /// Used when a DECLINE or ACCEPT gives a negative `refuse_seconds`; values above a year are capped.
    public var defaultRefuseSeconds: Double = 5
    /// Completed tasks kept per framework for `/master/state`.
    public var completedTasksPerFramework: Int = 1000
    /// Completed frameworks kept for `/master/state`.
    public var completedFrameworksMax: Int = 50
    /// An agent's free resources are offered only if at least one of these scalars is reached.
    public var minAllocatable = Resources(milliCPUs: 10, memoryMiB: 32)

    public init(masterID: String) { self.masterID = masterID }
}
