import BoxRuntime
import BoxTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Whether this host lets the tests create cgroups: root, and a hierarchy we can write.
enum CgroupTestHost {
    /// Why the cgroup tests cannot run here, or nil when they can.
    static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "needs root to write cgroupfs (running as uid \(geteuid()))" }
        do {
            let probe = try CgroupSubtree.detect(root: scratchName(), logger: logger)
            try probe.remove()
            return nil
        } catch {
            return "no writable cgroup hierarchy: \(error)"
        }
    }()

    /// CI must have a usable host: there a missing one is a failure, not a skip.
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static var enabled: Bool { unavailableReason == nil || required }
    static var skipComment: Comment { Comment(rawValue: "cgroup tests skipped: \(unavailableReason ?? "")") }

    static let logger: Logger = {
        var logger = Logger(label: "clusterbox.runtime.test")
        logger.logLevel = .warning
        return logger
    }()

    /// A subtree root of its own per test, so that tests (and other checkouts' test runs) never see each other's
    /// cgroups.
    static func scratchName() -> String {
        "clusterbox-test-\(getpid())-" + UUID().uuidString.prefix(8).lowercased()
    }
}

/// Runs `body` with a fresh subtree, then removes every cgroup in it and the subtree itself, even when `body`
/// throws; anything left behind is an issue.
/// On a thread of its own: the tests wait on processes and sleep, which must not hold one of Swift concurrency's
/// few threads while async tests run beside them.
func withScratchSubtree(_ body: @escaping @Sendable (CgroupSubtree) throws -> Void) async throws {
    try await onOwnThread { try withScratchSubtreeBlocking(body) }
}

private func withScratchSubtreeBlocking(_ body: (CgroupSubtree) throws -> Void) throws {
    if let reason = CgroupTestHost.unavailableReason {
        Issue.record("cgroup tests cannot run here (CI is set, so this is not a skip): \(reason)")
        return
    }
    let subtree = try CgroupSubtree.detect(root: CgroupTestHost.scratchName(), logger: CgroupTestHost.logger)
    defer {
        _ = subtree.removeLeftovers()
        do { try subtree.remove() } catch { Issue.record("cannot remove the scratch subtree: \(error)") }
        for path in subtree.paths where FileManager.default.fileExists(atPath: path) {
            Issue.record("\(path) was left behind")
        }
    }
    try body(subtree)
}

/// `/bin/sh -c "read _; <script>"`: started, moved into a cgroup with `add(pid:)`, then let go by `release()`, so
/// that nothing of the script runs outside the cgroup. Output goes to a temporary file.
final class GatedShell {
    private let process = Process()
    private let gate = Pipe()
    private let outputPath = FileManager.default.temporaryDirectory
        .appendingPathComponent("cgroup-test-\(UUID().uuidString).out").path

    init(_ script: String) throws {
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "read _; " + script]
        process.standardInput = gate
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func release() {
        gate.fileHandleForWriting.write(Data("go\n".utf8))
        try? gate.fileHandleForWriting.close()
    }

    /// True if the shell exited within `timeout`.
    func waitForExit(within timeout: Duration) -> Bool {
        waitUntil(within: timeout) { !process.isRunning }
    }

    /// Kills the shell if it still runs (its children are the cgroup's business) and deletes the output file.
    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func waitUntil(within timeout: Duration, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        usleep(10_000)
    }
    return true
}

/// True when the process no longer exists or is a zombie (its parent has not reaped it yet; an orphan's reaper
/// on this host takes a while).
func isGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(after: close)...].split(separator: " ").first
    return state == "Z" || state == "X"
}

/// The file system type `stat -f` reports for a path (`tmpfs`, `cgroupfs`, `cgroup2fs`): an oracle independent
/// of the mountinfo parser.
func fileSystemType(_ path: String) throws -> String {
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
    process.arguments = ["-f", "-c", "%T", path]
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

func readFile(_ path: String) -> String? {
    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
}
