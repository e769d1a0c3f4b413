public import BoxCore
import BoxImages
import BoxRuntime
import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs each task as a real child process, like Mesos' command executor: `/bin/sh -c <command>` in its own
/// session (so its process group id is its pid), inside a sandbox directory that holds its `stdout` and `stderr`.
///
/// ```
///  launch ──▶ sandbox ──▶ posix_spawn ──▶ RUNNING ──▶ (wait thread: waitid WNOWAIT)
///                                           │                   │
///                    kill: SIGTERM ─▶ grace ─▶ SIGKILL           ▼
///                                                  processExited: SIGKILL the group, reap, terminal update
/// ```
///
/// Only process groups this executor spawned are ever signalled, and only while their leader is unreaped, so
/// a recycled pid can never be hit.
public actor ProcessExecutor: TaskExecutor {
    // MARK: - State

    /// A spawned task whose main process has not been reaped yet.
    struct Running {
        let pid: pid_t
        let frameworkID: FrameworkID
        let sandbox: String
        let agentID: AgentID
        let onStatus: @Sendable (TaskStatus) -> Void
        /// Waits for the main process to exit, then reports it; ends once the terminal update is sent.
        var monitor: Task<Void, Never>?
        /// Set by `kill`: the terminal state becomes `TASK_KILLED` whatever the exit status is, as in Mesos.
        var killRequested = false
        var killDeadline: Instant?
        /// Sends SIGKILL when the grace period ends; cancelled when the process exits first. (A `ManualClock`
        /// sleep ignores cancellation, so under one it stays suspended until the clock passes the deadline.)
        var escalation: Task<Void, Never>?
        /// A contained task's cgroup: signals go to its processes, and it is killed whole and removed at the end.
        var cgroup: TaskCgroup?
        /// With the systemd cgroup driver, the scope `cgroup` belongs to: stopped through systemd at the end.
        var scope: ScopeCgroup?
        /// An image task's rootfs, unmounted and removed when the task ends.
        var rootfs: PreparedRootfs?
        var memoryMiB = 0
        /// The task's cpus, reported as its `cpus_limit`.
        var cpus = 0.0
    }

    private let sandboxRoot: String
    private let hostname: String
    private let clock: any ClusterClock
    private let logger: Logger
    private let agentPath: String?
    /// Set: tasks run as containers (see `Containment`); nil: as plain process groups.
    private let containment: Containment?

    private(set) var running: [TaskID: Running] = [:]
    /// Every sandbox made, kept after the task ends so its output can still be read.
    private var sandboxes: [TaskID: String] = [:]
    private var isShutDown = false

    public nonisolated var kind: String { containment == nil ? "process" : "container" }

    /// - Parameters:
    ///   - sandboxRoot: sandboxes go to `<sandboxRoot>/<agentID>/<frameworkID>/<taskID>`; a relative path is
    ///     taken from the current directory.
    ///   - hostname: given to tasks as `HOST`.
    ///   - containment: run each task as a container (own cgroup, namespaces, seccomp); nil: a plain process.
    public init(
        sandboxRoot: String, hostname: String, clock: any ClusterClock = SystemClock(), logger: Logger,
        containment: Containment? = nil
    ) {
        self.containment = containment
        self.sandboxRoot =
            sandboxRoot.hasPrefix("/")
            ? sandboxRoot : FileManager.default.currentDirectoryPath + "/" + sandboxRoot
        self.hostname = hostname
        self.clock = clock
        self.logger = logger
        self.agentPath = ProcessInfo.processInfo.environment["PATH"]
    }

    // MARK: - Inputs

    /// Starts `task`: `TASK_STARTING`, then `TASK_RUNNING` once spawned, then one terminal update when its main
    /// process exits. A task that is invalid (no command, duplicate id, executor shut down) gets only
    /// `TASK_FAILED`; a sandbox or spawn failure gets `TASK_STARTING` then `TASK_FAILED` (`containerLaunchFailed`).
    public func launch(
        _ task: TaskInfo, frameworkID: FrameworkID, agentID: AgentID,
        onStatus: @escaping @Sendable (TaskStatus) -> Void
    ) async {
        let taskID = task.taskID
        var logger = logger
        logger[metadataKey: "task.id"] = "\(taskID)"
        logger[metadataKey: "agent.id"] = "\(agentID)"
        func report(_ state: TaskState, _ message: String? = nil, _ reason: StatusReason? = nil) {
            onStatus(makeStatus(taskID, state, agentID, message, reason, exitCode: nil))
        }

        // Validation first: none of these touch the disk.
        if running[taskID] != nil {
            logger.warning("Refusing to launch a task whose id is already running")
            return report(.failed, "Task \(taskID) is already running on this executor", .taskInvalid)
        }
        if isShutDown {
            return report(.failed, "executor: shut down", .containerLaunchFailed)
        }
        // An image task may have no command: it runs the image's entrypoint and cmd.
        guard let command = task.command ?? task.container.map({ _ in CommandInfo(value: "") }) else {
            return report(.failed, "Task has no command; the process executor runs only command tasks", .taskInvalid)
        }

        report(.starting)
        let sandbox: String
        switch ProcessSandbox.create(
            root: sandboxRoot, agentID: agentID, frameworkID: frameworkID, taskID: taskID)
        {
        case .success(let path): sandbox = path
        case .failure(let error):
            logger.warning("Sandbox creation failed", metadata: ["error": "\(error)"])
            return report(.failed, error.description, .containerLaunchFailed)
        }
        sandboxes[taskID] = sandbox

        let environment = ProcessEnvironment.make(
            task: task, frameworkID: frameworkID, agentID: agentID, sandbox: sandbox, hostname: hostname,
            agentPath: agentPath)
        let pid: pid_t
        var cgroup: TaskCgroup?
        var scope: ScopeCgroup?
        var rootfs: PreparedRootfs?
        if task.container != nil, containment == nil || task.labels[Containment.executorLabel] == "process" {
            return report(
                .failed, "an image needs the container executor (clusterbox up as root, --executor auto or container)",
                .containerLaunchFailed)
        }
        if let containment, task.labels[Containment.executorLabel] != "process" {
            switch Self.spawnContained(
                task, command: command, sandbox: sandbox, environment: environment, containment: containment)
            {
            case .success(let spawned): (pid, cgroup, scope, rootfs) = spawned
            case .failure(let error):
                logger.warning("Container launch failed", metadata: ["error": "\(error)"])
                return report(.failed, error.description, .containerLaunchFailed)
            }
        } else {
            switch ShellProcess.spawn(
                command: command.value, directory: sandbox, environment: environment, stdout: sandbox + "/stdout",
                stderr: sandbox + "/stderr")
            {
            case .success(let spawned): pid = spawned
            case .failure(let error):
                logger.warning("Spawn failed", metadata: ["error": "\(error)"])
                return report(.failed, error.description, .containerLaunchFailed)
            }
        }
        if let error = ProcessSandbox.writeCheckpoint(sandbox: sandbox, pid: pid) {
            logger.warning("Could not write the pid checkpoint", metadata: ["error": "\(error)"])
        }

        // No suspension point since the spawn: the monitor cannot report the exit before RUNNING is sent.
        running[taskID] = Running(
            pid: pid, frameworkID: frameworkID, sandbox: sandbox, agentID: agentID, onStatus: onStatus,
            cgroup: cgroup, scope: scope, rootfs: rootfs, memoryMiB: task.resources.memoryMiB, cpus: task.resources.cpus
        )
        // Owned by the entry and awaited by `shutdown`. It runs on this actor; only the wait itself leaves it.
        running[taskID]?.monitor = Task {
            let waitError = await ShellProcess.waitUntilExited(pid)
            self.processExited(taskID, pid: pid, waitError: waitError)
        }
        logger.info("Task launched", metadata: ["pid": "\(pid)", "sandbox": "\(sandbox)"])
        report(.running)
    }

    /// Sends SIGTERM to the task's process group and arms a SIGKILL for when `grace` ends. Its terminal update
    /// becomes `TASK_KILLED`. A second kill can only bring the SIGKILL forward. Unknown or ended tasks are ignored.
    public func kill(_ taskID: TaskID, grace: Duration) async {
        requestKill(taskID, grace: grace)
    }

    /// Kills every running task (SIGTERM, SIGKILL after `grace`) and returns once each has sent its terminal
    /// update. Later launches fail.
    public func shutdown(grace: Duration) async {
        isShutDown = true
        await killAll(grace: grace)
        if let containment {
            do { try containment.cgroups.remove() } catch { logger.warning("Could not remove the cgroups: \(error)") }
        }
    }

    /// Kills every running task (SIGTERM to its process group or cgroup, SIGKILL after `grace`) and returns once
    /// each has been reaped and cleaned up (cgroup, rootfs). Launches keep working afterwards.
    public func killAll(grace: Duration) async {
        for taskID in running.keys { requestKill(taskID, grace: grace) }
        let monitors = running.values.compactMap(\.monitor)
        for monitor in monitors { await monitor.value }
    }

    public func sandbox(of taskID: TaskID) async -> String? { sandboxes[taskID] }

    // MARK: - Effects

    private func requestKill(_ taskID: TaskID, grace: Duration) {
        guard var entry = running[taskID] else { return }
        let deadline = clock.now + grace
        if let armed = entry.killDeadline, armed <= deadline { return }
        if !entry.killRequested {
            signal(entry, SIGTERM)
            logger.info(
                "Killing task", metadata: ["task.id": "\(taskID)", "pid": "\(entry.pid)", "grace": "\(grace)"])
        }
        entry.killRequested = true
        entry.killDeadline = deadline
        entry.escalation?.cancel()
        let pid = entry.pid
        entry.escalation = Task { [clock] in
            do { try await clock.sleep(until: deadline) } catch { return }
            if Task.isCancelled { return }
            self.escalate(taskID, pid: pid)
        }
        running[taskID] = entry
    }

    private func escalate(_ taskID: TaskID, pid: pid_t) {
        // The entry exists until the leader is reaped, so `pid` is still ours.
        guard let entry = running[taskID], entry.pid == pid else { return }
        logger.info("Grace period over, sending SIGKILL", metadata: ["task.id": "\(taskID)", "pid": "\(pid)"])
        signal(entry, SIGKILL)
    }

    /// The main process has exited and is still a zombie: kill what is left of its group, reap it, and send the
    /// terminal update (`TASK_FINISHED`, `TASK_FAILED` or `TASK_KILLED`).
    private func processExited(_ taskID: TaskID, pid: pid_t, waitError: Int32) {
        guard let entry = running[taskID], entry.pid == pid else { return }
        let exit: ProcessExit
        if waitError == 0 {
            signal(entry, SIGKILL)
            exit = ProcessWatcher.reap(pid)
        } else {
            // Someone else reaped it, so the pid may be reused already: signal nothing.
            exit = .unknown("waitid: \(ProcessSignals.errorText(waitError))")
        }
        entry.escalation?.cancel()
        running[taskID] = nil
        ProcessSandbox.removeCheckpoint(sandbox: entry.sandbox)

        var outcome = TerminalOutcome(exit: exit, killRequested: entry.killRequested)
        if let cgroup = entry.cgroup {
            outcome = Self.containedOutcome(outcome, cgroup: cgroup, memoryMiB: entry.memoryMiB)
            do {
                if let scope = entry.scope { try scope.stop() } else { try cgroup.remove() }
            } catch {
                logger.warning("Could not remove the task's cgroup: \(error)")
            }
        }
        do { try entry.rootfs?.cleanup() } catch { logger.warning("Could not remove the task's rootfs: \(error)") }
        logger.info(
            "Task ended",
            metadata: [
                "task.id": "\(taskID)", "pid": "\(pid)", "state": "\(outcome.state.rawValue)",
                "message": "\(outcome.message)",
            ])
        let status = makeStatus(
            taskID, outcome.state, entry.agentID, outcome.message, outcome.reason, exitCode: outcome.exitCode)
        entry.onStatus(status)
    }

    // MARK: - Helpers

    /// Signals a task: its process group, or every process of its cgroup (SIGKILL: the whole cgroup at once).
    private func signal(_ entry: Running, _ signal: Int32) {
        guard let cgroup = entry.cgroup else {
            ProcessSignals.signalGroup(entry.pid, signal)
            return
        }
        if signal == SIGKILL {
            do { try cgroup.killAll() } catch { logger.warning("Could not kill the task's cgroup: \(error)") }
        } else {
            Self.signalContained(init: entry.pid, signal)
        }
    }

    private func makeStatus(
        _ taskID: TaskID, _ state: TaskState, _ agentID: AgentID, _ message: String?, _ reason: StatusReason?,
        exitCode: Int32?
    ) -> TaskStatus {
        TaskStatus(
            taskID: taskID, state: state, agentID: agentID, message: message, source: .executor, reason: reason,
            uuid: StatusUUID(UUID().uuidString), timestamp: clock.now, exitCode: exitCode)
    }
}
