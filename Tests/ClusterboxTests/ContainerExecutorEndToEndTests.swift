import BoxCore
import BoxTestSupport
import Foundation
import Testing

/// `clusterbox up --executor container`: tasks as containers the kernel confines (own cgroup with the task's
/// limits, pid/mount/uts/ipc namespaces, private /tmp, seccomp, no new privileges, uid 65534), driven through the
/// CLI as a user would. Needs root and a cgroup hierarchy: elsewhere it says why it skips; in CI (root) it runs.
@Suite(.serialized) struct ContainerExecutorEndToEndTests {
    @Test func tasksRunConfinedAndLeaveNothingBehind() async throws {
        try await onOwnThread { try Self.tasksRunConfinedAndLeaveNothingBehind() }
    }

    static func tasksRunConfinedAndLeaveNothingBehind() throws {
        if containerExecutorUnavailable() != nil { return }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "1", "--executor", "container"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("executor   container"), "\(up.stdout)")
        #expect(up.stdout.contains("agent-1 (container)"), "\(up.stdout)")

        let inside = try cli.run([
            "run", "--",
            "id -u; hostname; grep -E '^(NoNewPrivs|Seccomp|CapEff):' /proc/self/status; ps -o pid= | wc -l; "
                + "touch /tmp/mine; mount -t tmpfs x /mnt 2>&1 || true; unshare -m true 2>&1 || true",
        ])
        #expect(inside.status == 0, "\(inside.stdout) \(inside.stderr)")
        let lines = inside.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "65534", "\(inside.stdout)")
        #expect(lines.count > 1 && lines[1].hasPrefix("run-"), "hostname is the task name: \(inside.stdout)")
        #expect(inside.stdout.contains("NoNewPrivs:\t1") && inside.stdout.contains("Seccomp:\t2"), "\(inside.stdout)")
        #expect(inside.stdout.contains("CapEff:\t0000000000000000"), "\(inside.stdout)")
        // The init, sh, ps and wc (and the pipe's subshell at most): only the task's own processes.
        #expect(lines.contains { Int($0).map { $0 <= 5 } ?? false }, "\(inside.stdout)")
        #expect(inside.stdout.contains("must be superuser") || inside.stdout.contains("ermission denied"))
        #expect(inside.stdout.contains("Operation not permitted"), "\(inside.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/mine"), "the task's /tmp is the host's")

        // 100 MiB under a 32 MiB limit: OOM-killed, and `run` says so.
        let oom = try cli.run(["run", "--mem", "32", "--", "head -c 100m /dev/zero | tail"])
        #expect(oom.status != 0)
        #expect(oom.stderr.contains("REASON_CONTAINER_LIMITATION_MEMORY"), "\(oom.stderr)")
        #expect(oom.stderr.contains("OOM-killed"), "\(oom.stderr)")

        let paths = try cgroupPaths(of: cli)
        #expect(!paths.isEmpty, "the cluster's cgroup subtree was not found")
        let down = try cli.run(["down"])
        #expect(down.status == 0, "\(down.stderr)")
        for path in paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after down") }
    }

    /// The directories of the cluster's cgroup subtree (`clusterbox-<hash of its data directory>`) under the
    /// hierarchies this process is in.
    static func cgroupPaths(of cli: CLI) throws -> [String] {
        let subtree = "clusterbox-" + String(UInt32(truncatingIfNeeded: StableHash.fnv1a(cli.dataDirectory)), radix: 16)
        let own = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n")
        var found: [String] = []
        for line in own {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let hierarchy = fields[1].isEmpty ? "unified" : String(fields[1].split(separator: ",")[0])
            let base = "/sys/fs/cgroup/\(hierarchy)\(fields[2] == "/" ? "" : String(fields[2]))"
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
            found += entries.filter { $0 == subtree }.map { base + "/" + $0 }
        }
        return found
    }
}
