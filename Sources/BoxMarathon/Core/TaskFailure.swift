public import BoxCore

/// The last task of an app that ended badly, shown as the app's `lastTaskFailure` (reference §4).
public struct TaskFailure: Hashable, Sendable, Codable {
    public var appID: PathID
    public var taskID: TaskID
    public var agentID: AgentID
    public var host: String
    /// The terminal state it ended in (`TASK_FAILED`, `TASK_KILLED`, …).
    public var state: TaskState
    public var message: String
    public var timestamp: Instant
    /// The app version the task ran.
    public var version: Instant

    public init(
        appID: PathID, taskID: TaskID, agentID: AgentID, host: String, state: TaskState, message: String,
        timestamp: Instant, version: Instant
    ) {
        self.appID = appID
        self.taskID = taskID
        self.agentID = agentID
        self.host = host
        self.state = state
        self.message = message
        self.timestamp = timestamp
        self.version = version
    }
}
