import BoxRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The launcher's half of cgroup placement (the cgroup code itself is elsewhere): the child writes itself into
/// each pre-opened v1 `cgroup.procs`, and `clone3(CLONE_INTO_CGROUP)` starts it inside a v2 directory. Uses a
/// throwaway cgroup per hierarchy, removed afterwards.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct LauncherCgroupJoinTests {
    @Test func childJoinsV1AndV2CgroupsBeforeExec() async throws {
        try await withWorkspace { workspace in
            let name = "clusterbox-rt-test-" + UUID().uuidString.prefix(8)
            let v1 = "/sys/fs/cgroup/pids"
            let v2 = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"].first { (try? FileSystemType.of($0)) == .cgroup2 }
            let hasV1 = (try? FileSystemType.of(v1)) == .cgroup
            try #require(hasV1 || v2 != nil, "no cgroup hierarchy found")
            var created: [String] = []
            var descriptors: [Int32] = []
            defer {
                for fd in descriptors { close(fd) }
                for directory in created { removeCgroup(directory) }
            }
            var spec = ContainerSpec(argv: ["/bin/cat", "/proc/self/cgroup"], rootfs: workspace.rootfs)
            if hasV1 {
                try makeCgroup(v1 + "/" + name, &created)
                let procs = open(v1 + "/" + name + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
                try #require(procs >= 0)
                descriptors.append(procs)
                spec.cgroupProcsFDs = [procs]
            }
            if let v2 {
                try makeCgroup(v2 + "/" + name, &created)
                let directory = open(v2 + "/" + name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                try #require(directory >= 0)
                descriptors.append(directory)
                spec.cgroupDirectoryFD = directory
            }
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n")
            if hasV1 { #expect(lines.contains { $0.hasSuffix(":pids:/\(name)") }, "\(outcome.stdout)") }
            if v2 != nil { #expect(lines.contains("0::/\(name)"), "\(outcome.stdout)") }
        }
    }

    private func makeCgroup(_ path: String, _ created: inout [String]) throws {
        try #require(mkdir(path, 0o755) == 0, "mkdir \(path): errno \(errno)")
        created.append(path)
    }

    /// rmdir, retried briefly: a reaped task can take a moment to leave the cgroup.
    private func removeCgroup(_ path: String) {
        for _ in 0..<100 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            usleep(10_000)
        }
        Issue.record("rmdir \(path): errno \(errno)")
    }
}
