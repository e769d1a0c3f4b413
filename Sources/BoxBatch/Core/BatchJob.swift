public import BoxCore

/// A job of the batch framework, as Chronos has them: a command with resources that runs once when created
/// (one-off), on a schedule, or after all its parents succeeded; failed runs are retried with exponential backoff.
public struct BatchJob: Hashable, Sendable, Codable {
    public var name: String
    /// A shell command; empty with an image runs the image's entrypoint and cmd.
    public var command: String
    /// An image in the agents' store to run the command in (`busybox:1.36`); nil: on the agent's own filesystem.
    public var image: String?
    public var resources: Resources
    /// Run only on this agent (id or hostname).
    public var agent: String?
    /// When the job runs by itself; nil for one-off and dependent jobs.
    public var schedule: Schedule?
    /// The job runs after each of these has succeeded since its own last run.
    public var parents: [String] = []
    /// Further attempts after a failed one.
    public var retries = 0
    /// The wait before the first retry; it doubles for each further one, up to `maxRetryBackoffSeconds`.
    public var retryBackoffSeconds = 10.0
    /// A scheduled run that could not start within this long of its time (the cluster was down) is skipped.
    public var epsilonSeconds = 60.0
    public var createdAt: Instant

    // What the scheduler keeps about the job.
    public var nextRunAt: Instant?
    /// Runs so far; the next run is `<name>.<runCount + 1>`.
    public var runCount = 0
    public var lastRunID: String?
    public var lastSuccessAt: Instant?
    public var lastFailureAt: Instant?
    /// When the parents last started this job (for dependent jobs).
    public var lastTriggeredAt: Instant?
    public var successCount = 0
    public var failureCount = 0
    public var pendingRetry: PendingRetry?

    public struct PendingRetry: Hashable, Sendable, Codable {
        public var at: Instant
        public var attempt: Int
    }

    public static let maxRetries = 10
    public static let maxRetryBackoffSeconds = 3600.0

    public init(name: String, command: String, resources: Resources, createdAt: Instant) {
        self.name = name
        self.command = command
        self.resources = resources
        self.createdAt = createdAt
    }

    /// Neither scheduled nor dependent: it runs when created and when asked to.
    public var isOneOff: Bool { schedule == nil && parents.isEmpty }

    /// The wait before attempt `attempt` (2 is the first retry).
    public func backoff(beforeAttempt attempt: Int) -> Duration {
        let seconds = min(retryBackoffSeconds * Double(1 << min(max(attempt - 2, 0), 20)), Self.maxRetryBackoffSeconds)
        return .nanoseconds(Int64(seconds * 1e9))
    }

    /// Names a job may have: they are part of run ids, task ids and store keys.
    public static func checkName(_ name: String) -> String? {
        let allowed = "abcdefghijklmnopqrstuvwxyz0123456789-_"
        if name.isEmpty || name.count > 63 { return "name: 1 to 63 characters, got \(name.count)" }
        if !name.allSatisfy({ allowed.contains($0) }) || name.first == "-" || name.first == "_" {
            return "name '\(name)': lower-case letters, digits, '-' and '_', starting with a letter or digit"
        }
        return nil
    }
}

/// Why the batch framework refused a request, in the terms of HTTP.
public enum BatchError: Error, Equatable, Sendable {
    case invalid(String)
    case notFound(String)
    case conflict(String)
}
