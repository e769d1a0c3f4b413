public import BoxCore

/// Runs an agent's tasks. The simulated, process and (later) container executors implement it, so the agent
/// service does not know how a task runs.
public protocol TaskExecutor: Sendable {
    /// `process`, `simulated`, `container`: shown in `clusterbox agents` and `/master/state`.
    var kind: String { get }

    /// Starts `task`. Status updates (`TASK_STARTING`, `TASK_RUNNING`, then exactly one terminal state) are
    /// passed to `onStatus` in order, from any thread. A task that cannot start ends in `TASK_FAILED` with a
    /// message naming the step that failed; `launch` itself never throws.
    func launch(
        _ task: TaskInfo, frameworkID: FrameworkID, agentID: AgentID,
        onStatus: @escaping @Sendable (TaskStatus) -> Void) async

    /// Stops a task: SIGTERM (or its equivalent), then SIGKILL after `grace`. Its terminal update is
    /// `TASK_KILLED`. Unknown or finished tasks are ignored.
    func kill(_ taskID: TaskID, grace: Duration) async

    /// Kills every task still running and waits until they are gone.
    func shutdown(grace: Duration) async

    /// Kills every task still running, as `shutdown` does, and waits until they are gone; later launches still
    /// work (a stopped agent that starts again).
    func killAll(grace: Duration) async

    /// The task's sandbox directory, where its `stdout` and `stderr` files are, if it has one.
    func sandbox(of taskID: TaskID) async -> String?

    /// What each running task has used so far, read now (not sampled in the background, so that an idle
    /// cluster costs nothing). Executors that cannot measure return no entry for a task.
    func usage() async -> [TaskUsage]
}

extension TaskExecutor {
    /// Executors without real processes (the simulated one) have nothing to measure.
    public func usage() async -> [TaskUsage] { [] }
}
