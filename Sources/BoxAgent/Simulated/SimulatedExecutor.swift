public import BoxCore

/// Runs simulated tasks in process: no child process, just a state machine and a timer per task, for clusters of
/// hundreds of agents and for teaching. Failures are injected from a seed.
public actor SimulatedExecutor: TaskExecutor {
    public nonisolated var kind: String { "simulated" }
    private var tasks: SimulatedTasks
    private let clock: any ClusterClock
    private var callbacks: [TaskID: @Sendable (TaskStatus) -> Void] = [:]
    /// One timer per task with an end time; cancelled when the task is killed.
    private var timers: [TaskID: Task<Void, Never>] = [:]

    public init(seed: UInt64, failureRate: Double = 0, clock: any ClusterClock) {
        tasks = SimulatedTasks(agentID: "unregistered", seed: seed, failureRate: failureRate)
        self.clock = clock
    }

    public func launch(
        _ task: TaskInfo, frameworkID: FrameworkID, agentID: AgentID, onStatus: @escaping @Sendable (TaskStatus) -> Void
    ) async {
        tasks.agentID = agentID
        callbacks[task.taskID] = onStatus
        for status in tasks.launch(task, frameworkID: frameworkID, now: clock.now) { onStatus(status) }
        if let end = tasks.running[task.taskID]?.endsAt {
            let clock = clock
            timers[task.taskID] = Task {
                do { try await clock.sleep(until: end) } catch { return }
                self.advance()
            }
        }
    }

    public func kill(_ taskID: TaskID, grace: Duration) async {
        timers.removeValue(forKey: taskID)?.cancel()
        deliver(tasks.kill(taskID, now: clock.now))
    }

    public func shutdown(grace: Duration) async {
        for taskID in tasks.running.keys.sorted() { await kill(taskID, grace: grace) }
    }

    /// The same as `shutdown`: a simulated executor keeps launching after it.
    public func killAll(grace: Duration) async { await shutdown(grace: grace) }

    public func sandbox(of taskID: TaskID) async -> String? { nil }

    private func advance() { deliver(tasks.advance(to: clock.now)) }

    private func deliver(_ updates: [(FrameworkID, TaskStatus)]) {
        for (_, status) in updates {
            timers.removeValue(forKey: status.taskID)
            callbacks.removeValue(forKey: status.taskID)?(status)
        }
    }
}
