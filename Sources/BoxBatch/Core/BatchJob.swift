public import BoxCore

/// A one-off command submitted to the batch framework (`clusterbox run`).
public struct BatchJob: Hashable, Sendable, Codable {
    public enum State: String, Hashable, Sendable, Codable {
        /// Waiting for an offer that fits.
        case queued
        case staging, running, finished, failed, killed
        /// Refused by the master (invalid task) or lost with its agent.
        case error, lost

        public var isDone: Bool { ![.queued, .staging, .running].contains(self) }
    }

    public static let taskPrefix = "batch-"

    public var id: String
    public var command: String
    public var resources: Resources
    /// Run only on this agent (id or hostname).
    public var agent: String?
    public var state: State = .queued
    public var taskID: TaskID
    public var agentID: AgentID?
    public var exitCode: Int32?
    public var message: String?
    public var submittedAt: Instant
    public var startedAt: Instant?
    public var finishedAt: Instant?

    public init(id: String, command: String, resources: Resources, agent: String? = nil, submittedAt: Instant) {
        self.id = id
        self.command = command
        self.resources = resources
        self.agent = agent
        self.taskID = TaskID(Self.taskPrefix + id)
        self.submittedAt = submittedAt
    }
}
