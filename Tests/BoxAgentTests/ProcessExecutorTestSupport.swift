import BoxCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import BoxAgent

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How long a test waits for something a real process does before it gives up. Only failures wait this long;
/// the first seconds of a full run saturate the machine (hundreds of tests and a dozen test clusters starting at
/// once), and on a loaded machine a whole run's `echo`s waited more than 20 s there.
let processTimeout: Duration = .seconds(60)

/// Collects the status updates of one task; a `Mutex` guards the list, since updates arrive from any thread.
final class StatusRecorder: Sendable {
    private let statuses = Mutex<[TaskStatus]>([])

    var onStatus: @Sendable (TaskStatus) -> Void {
        { [self] status in statuses.withLock { $0.append(status) } }
    }

    var all: [TaskStatus] { statuses.withLock { $0 } }
    var states: [TaskState] { all.map(\.state) }

    /// The terminal update, waiting for it up to `timeout`.
    func terminal(within timeout: Duration = processTimeout) async -> TaskStatus? {
        await eventually(within: timeout) { self.all.first { $0.state.isTerminal } }
    }

    func waitFor(_ state: TaskState, within timeout: Duration = processTimeout) async -> Bool {
        await eventually(within: timeout) { self.all.contains { $0.state == state } ? true : nil } ?? false
    }
}

/// Polls `probe` every 20 ms until it returns a value or `timeout` passes.
func eventually<T>(within timeout: Duration, _ probe: () -> T?) async -> T? {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = probe() { return value }
        if ContinuousClock.now >= deadline { return nil }
        try? await Task.sleep(for: .milliseconds(20))
    }
}

/// A fresh directory under the system temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("clusterbox-agent-tests-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

func makeExecutor(root: String, clock: any ClusterClock = SystemClock()) -> ProcessExecutor {
    ProcessExecutor(
        sandboxRoot: root, hostname: "node-1.test", clock: clock,
        logger: Logger(label: "clusterbox.agent.test") { _ in SwiftLogNoOpLogHandler() })
}

func makeTask(_ id: TaskID, _ command: String?, ports: [ClosedRange<UInt16>] = []) -> TaskInfo {
    TaskInfo(
        taskID: id, name: id.value, agentID: "agent-1",
        resources: Resources(cpus: 0.1, memoryMiB: 32, ports: PortRanges(ports)),
        command: command.map { CommandInfo(value: $0) })
}

/// Launches `command` as task `id` and returns what it reported once it ended, with its sandbox.
func run(
    _ command: String, id: TaskID = "t1", ports: [ClosedRange<UInt16>] = [], root: String
) async -> (recorder: StatusRecorder, sandbox: String?) {
    let executor = makeExecutor(root: root)
    let recorder = StatusRecorder()
    await executor.launch(
        makeTask(id, command, ports: ports), frameworkID: "fw-1", agentID: "agent-1", onStatus: recorder.onStatus)
    _ = await recorder.terminal()
    await executor.shutdown(grace: .seconds(1))
    return (recorder, await executor.sandbox(of: id))
}

func readFile(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}

/// The pid a task wrote into `<sandbox>/<name>`, once the file is complete.
func readPID(_ path: String) async -> pid_t? {
    await eventually(within: processTimeout) {
        guard let text = readFile(path), text.hasSuffix("\n") else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// True once `pid` no longer exists, or is a zombie nobody has reaped yet (its parent died, and PID 1 in a
/// container may never reap it): either way it runs no more.
func processIsGone(_ pid: pid_t, within timeout: Duration = processTimeout) async -> Bool {
    await eventually(within: timeout) { () -> Bool? in
        if kill(pid, 0) == -1 && errno == ESRCH { return true }
        if let stat = ProcStat.read(pid: pid), stat.state == "Z" || stat.state == "X" { return true }
        return nil
    } ?? false
}
