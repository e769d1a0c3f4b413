import BoxRuntime
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What the launcher tests need from the host: root (namespaces, mounts, pivot_root, setresuid) and busybox-static.
enum RuntimeHost {
    static let isRoot = geteuid() == 0
    /// CI runs as root with busybox-static installed: there a missing requirement fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["CI"] != nil
    static let busybox = "/bin/busybox"
    static let skipReason: Comment =
        "needs root (new pid/mount namespaces, mounts, pivot_root, setresuid) and busybox-static"
    static var canRun: Bool { isRoot && FileManager.default.isExecutableFile(atPath: busybox) }

    /// Records an issue (CI) or is a no-op; the suites are only enabled when `canRun || required`.
    static func require() throws {
        try #require(isRoot, "not root: the container launcher needs root")
        try #require(FileManager.default.isExecutableFile(atPath: busybox), "\(busybox) missing (busybox-static)")
    }
}

/// A task's end: its exit code (or 128 + signal), and what it wrote.
struct TaskOutcome: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A temporary directory with a busybox rootfs in `rootfs`, removed (with everything under it) by `remove()`.
struct Workspace {
    let root: String
    var rootfs: String { root + "/rootfs" }

    /// Creates /tmp/clusterbox-rt-<uuid>/rootfs: busybox with relative applet links (so they resolve both inside
    /// the rootfs and from the host), an /etc/passwd and /etc/group with root and nobody, empty mount points.
    static func make() throws -> Workspace {
        let workspace = Workspace(root: NSTemporaryDirectory() + "clusterbox-rt-" + UUID().uuidString.prefix(8))
        let files = FileManager.default
        let rootfs = workspace.rootfs
        for directory in ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "dev", "sys", "root", "tmp"] {
            try files.createDirectory(atPath: "\(rootfs)/\(directory)", withIntermediateDirectories: true)
        }
        chmod("\(rootfs)/tmp", 0o1777)
        try files.copyItem(atPath: RuntimeHost.busybox, toPath: "\(rootfs)/bin/busybox")
        for applet in try applets() where applet != "bin/busybox" {
            let depth = applet.split(separator: "/").count - 1
            let target = String(repeating: "../", count: depth) + "bin/busybox"
            try? files.createSymbolicLink(atPath: "\(rootfs)/\(applet)", withDestinationPath: target)
        }
        try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            .write(toFile: "\(rootfs)/etc/passwd", atomically: false, encoding: .utf8)
        try "root:x:0:\nnogroup:x:65534:\n".write(toFile: "\(rootfs)/etc/group", atomically: false, encoding: .utf8)
        return workspace
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// "bin/sh", "usr/bin/id", … as busybox installs them.
    private static func applets() throws -> [String] {
        let listing = try ChildProcess.run(RuntimeHost.busybox, ["--list-full"])
        return listing.stdout.split(separator: "\n").map(String.init)
    }
}

/// Runs `body` with a fresh workspace and removes it afterwards, whatever happens.
func withWorkspace<T>(_ body: (Workspace) async throws -> T) async throws -> T {
    try RuntimeHost.require()
    let workspace = try Workspace.make()
    defer { workspace.remove() }
    return try await body(workspace)
}

/// Launches `spec` with its stdout and stderr captured in `workspace`, waits for it (at most `timeoutSeconds`, then
/// SIGKILL and an issue) and returns what it did. Blocking work runs on a thread of its own.
func run(_ spec: ContainerSpec, in workspace: Workspace, timeoutSeconds: Double = 20) async throws -> TaskOutcome {
    var spec = spec
    let name = UUID().uuidString.prefix(8)
    spec.stdoutPath = "\(workspace.root)/\(name).stdout"
    spec.stderrPath = "\(workspace.root)/\(name).stderr"
    let captured = spec
    let status = try await onOwnThread { () throws -> Int32 in
        let pid = try ContainerLauncher.spawn(captured)
        return wait(for: pid, timeoutSeconds: timeoutSeconds)
    }
    let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
    return TaskOutcome(status: status, stdout: read(captured.stdoutPath), stderr: read(captured.stderrPath))
}

/// Reaps `pid`: its exit code, or 128 + the signal that ended it. Kills it after `timeoutSeconds`.
func wait(for pid: pid_t, timeoutSeconds: Double) -> Int32 {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { break }
        if result < 0 && errno != EINTR {
            Issue.record("waitpid(\(pid)): errno \(errno)")
            return -1
        }
        if Date() > deadline {
            Issue.record("task \(pid) did not finish within \(timeoutSeconds) s: killed")
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
            break
        }
        usleep(1_000)
    }
    let signal = status & 0x7f
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal
}

/// The host's mount table, as mount ids and mount points (what a leaked mount would change). The overlay rootfs
/// mounts that BoxImagesTests make meanwhile in this same process (under a clusterbox-store- temporary directory)
/// are left out.
func hostMounts() -> [String] {
    let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    let imageTests = NSTemporaryDirectory() + "clusterbox-store-"
    return text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        if fields.count > 4 && fields[4].hasPrefix(imageTests) { return nil }
        return fields.count > 4 ? "\(fields[0]) \(fields[4])" : String(line)
    }
}

/// The busybox shell running `script`: /bin/sh inside the rootfs, or the host's busybox in host mode.
func shell(_ script: String, onHost: Bool = false) -> [String] {
    onHost ? [RuntimeHost.busybox, "sh", "-c", script] : ["/bin/sh", "-c", script]
}

/// A field of /proc/self/status as the task printed it ("NoNewPrivs" → "1").
func statusField(_ name: String, in status: String) -> String? {
    for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
        return line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
}
