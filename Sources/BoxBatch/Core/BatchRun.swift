public import BoxCore

/// One run of a batch job: the task it launched, how it ended, and why it was started. The run history of a job
/// is its runs, newest last.
public struct BatchRun: Hashable, Sendable, Codable {
    public enum State: String, Hashable, Sendable, Codable {
        /// Waiting for an offer that fits.
        case queued
        case staging, running, finished, failed, killed
        /// Refused by the master (invalid task) or lost with its agent.
        case error, lost
        /// Never started: its time passed while the cluster was down, or a parent failed.
        case skipped

        public var isDone: Bool { ![.queued, .staging, .running].contains(self) }
        /// Worth another attempt: the command failed or its agent went away (not an operator's kill, not a task
        /// the master refused, which would fail the same way again).
        public var isRetryable: Bool { self == .failed || self == .lost }
    }

    /// What started the run.
    public enum Trigger: String, Hashable, Sendable, Codable {
        /// A one-off job runs once when it is created.
        case created
        case schedule
        /// `run now` from the API or the CLI.
        case manual
        /// All of the job's parents succeeded.
        case parents
        /// An earlier attempt failed and the job has retries left.
        case retry
    }

    public static let taskPrefix = "batch-"

    /// `<job>.<n>`, n counting the job's runs from 1.
    public var id: String
    public var job: String
    /// 1 for the first attempt, 2 for its first retry, …
    public var attempt: Int
    public var trigger: Trigger
    public var command: String
    /// The job's image when the run was queued.
    public var image: String?
    public var resources: Resources
    /// Run only on this agent (id or hostname).
    public var agent: String?
    public var state: State = .queued
    public var taskID: TaskID
    public var agentID: AgentID?
    public var exitCode: Int32?
    public var message: String?
    /// Why it ended, when the agent said (`REASON_CONTAINER_LIMITATION_MEMORY` for an OOM kill).
    public var reason: StatusReason?
    public var queuedAt: Instant
    public var startedAt: Instant?
    public var finishedAt: Instant?

    public init(id: String, job: BatchJob, attempt: Int, trigger: Trigger, queuedAt: Instant) {
        self.id = id
        self.job = job.name
        self.attempt = attempt
        self.trigger = trigger
        self.command = job.command
        self.image = job.image
        self.resources = job.resources
        self.agent = job.agent
        self.taskID = TaskID(Self.taskPrefix + id)
        self.queuedAt = queuedAt
    }

    /// From launch to end.
    public var duration: Duration? {
        guard let startedAt, let finishedAt else { return nil }
        return finishedAt - startedAt
    }
}
