public import BoxCore

/// The tasks of one simulated agent, as a pure state machine. A task runs for the seconds in its
/// `clusterbox.io/duration` label (or until killed), and with probability `failureRate` it crashes at a random
/// moment before that instead. Time is an input; updates come back as values.
public struct SimulatedTasks: Sendable {
    /// Label holding how long a simulated task runs, in seconds. Without it a task runs until killed.
    public static let durationLabel = "clusterbox.io/duration"

    public struct Running: Sendable, Hashable {
        public var frameworkID: FrameworkID
        public var task: TaskInfo
        public var endsAt: Instant?
        public var outcome: TaskState
    }

    /// Set once the master has given the agent its id.
    public var agentID: AgentID
    public var failureRate: Double
    public private(set) var running: [TaskID: Running] = [:]
    private var random: SeededGenerator
    private var updateCounter: UInt64 = 0

    public init(agentID: AgentID, seed: UInt64, failureRate: Double = 0) {
        precondition((0...1).contains(failureRate), "failureRate is a probability")
        self.agentID = agentID
        self.failureRate = failureRate
        self.random = SeededGenerator(seed: seed)
    }

    /// `TASK_STARTING` and `TASK_RUNNING` at once; the end is scheduled.
    public mutating func launch(_ task: TaskInfo, frameworkID: FrameworkID, now: Instant) -> [TaskStatus] {
        guard running[task.taskID] == nil else { return [] }
        let duration = task.labels[Self.durationLabel].flatMap(Double.init).map { max(0, $0) }
        var end = duration.map { now + .nanoseconds(Int64($0 * 1e9)) }
        var outcome = TaskState.finished
        if failureRate > 0, Double.random(in: 0..<1, using: &random) < failureRate {
            outcome = .failed
            let horizon = duration ?? 600
            end = now + .nanoseconds(Int64(Double.random(in: 0...horizon, using: &random) * 1e9))
        }
        running[task.taskID] = Running(frameworkID: frameworkID, task: task, endsAt: end, outcome: outcome)
        return [status(task.taskID, .starting, now), status(task.taskID, .running, now)]
    }

    public mutating func kill(_ taskID: TaskID, now: Instant) -> [(FrameworkID, TaskStatus)] {
        guard let task = running.removeValue(forKey: taskID) else { return [] }
        return [(task.frameworkID, status(taskID, .killed, now, message: "Killed"))]
    }

    /// Ends every task whose time came, in order of end time, then task id.
    public mutating func advance(to now: Instant) -> [(FrameworkID, TaskStatus)] {
        let due = running.values.filter { $0.endsAt.map { $0 <= now } ?? false }
            .sorted { ($0.endsAt!, $0.task.taskID) < ($1.endsAt!, $1.task.taskID) }
        return due.map { task in
            running.removeValue(forKey: task.task.taskID)
            let message = task.outcome == .finished ? "Command exited with status 0" : "Simulated crash"
            var update = status(task.task.taskID, task.outcome, now, message: message)
            update.exitCode = task.outcome == .finished ? 0 : 1
            return (task.frameworkID, update)
        }
    }

    /// The earliest scheduled end, for a host that sleeps until then.
    public var nextDeadline: Instant? { running.values.compactMap(\.endsAt).min() }

    /// Forgets every task, as when the simulated agent crashes.
    public mutating func crash() { running.removeAll() }

    private mutating func status(_ taskID: TaskID, _ state: TaskState, _ now: Instant, message: String? = nil)
        -> TaskStatus
    {
        updateCounter += 1
        return TaskStatus(
            taskID: taskID, state: state, agentID: agentID, message: message, source: .executor,
            uuid: StatusUUID("\(agentID)-u\(updateCounter)"), timestamp: now)
    }
}
