import BoxTestSupport
import Foundation
import Testing

@testable import BoxRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A task's cgroup as a systemd scope: a placeholder goes into the scope, the launcher's child joins the scope's
/// directories before exec, and stopping ends it. Against the fake manager on a private bus, which makes the
/// scope's cgroup in every hierarchy of a scratch subtree and writes the limits there, as systemd would.
@Suite(.serialized, .enabled(if: FakeSystemd.enabled && CgroupTestHost.enabled, FakeSystemd.skipComment))
struct ScopeCgroupTests {
    /// cpus 0.5 → a 50 000 µs quota per 100 000 µs; 64 MiB; 100 tasks.
    static let limits = CgroupLimits(cpus: 0.5, memoryBytes: 64 << 20, pids: 100)

    @Test func launchedTaskIsInTheScopeWithItsLimitsAndStopRemovesIt() async throws {
        try await onOwnThread {
            if let reason = FakeSystemd.unavailableReason ?? CgroupTestHost.unavailableReason
                ?? (RuntimeHost.canRun ? nil : "not root or no busybox")
            {
                Issue.record("cannot run here (CI is set, so this is not a skip): \(reason)")
                return
            }
            let subtree = try CgroupSubtree.detect(root: CgroupTestHost.scratchName(), logger: CgroupTestHost.logger)
            defer {
                _ = subtree.removeLeftovers()
                do { try subtree.remove() } catch { Issue.record("cannot remove the scratch subtree: \(error)") }
            }
            let fake = try FakeSystemd(cgroupParents: subtree.paths)
            defer { fake.stop() }
            let driver = SystemdScopeDriver(
                bus: try SystemdBus(.address(fake.address, busClient: true)),
                unified: subtree.layout.mode == .unified, logger: CgroupTestHost.logger)
            try Self.launchInScope(subtree: subtree, driver: driver, fake: fake)
        }
    }

    static func launchInScope(subtree: CgroupSubtree, driver: SystemdScopeDriver, fake: FakeSystemd) throws {
        let scope = try ScopeCgroup.start(
            task: "web.1", limits: limits, description: "clusterbox task web.1", layout: subtree.layout,
            driver: driver, logger: CgroupTestHost.logger)
        var stopped = false
        defer { if !stopped { try? scope.stop() } }
        let unit = "clusterbox-web.1.scope"
        #expect(scope.unit == unit)
        // The fake made the scope in every hierarchy of the subtree, and each is found from /proc/<pid>/cgroup.
        #expect(scope.cgroup.paths == subtree.paths.map { $0 + "/" + unit })
        #expect(limitsWritten(in: scope.cgroup.paths) == ["memory": "67108864", "pids": "100", "cpu.quota": "50000"])

        let procs = try scope.cgroup.openProcsFDs()
        let directory = try scope.cgroup.openDirectoryFD()
        defer { for fd in procs + (directory.map { [$0] } ?? []) { close(fd) } }
        let spec = ContainerSpec(argv: ["/bin/sleep", "300"], cgroupProcsFDs: procs, cgroupDirectoryFD: directory)
        let pid = try ContainerLauncher.spawn(spec)
        var reaped = false
        defer {
            if !reaped {
                kill(pid, SIGKILL)
                _ = wait(for: pid, timeoutSeconds: 5)
            }
        }
        scope.releasePlaceholder()

        // The task (its init and the command under it) is in the scope in every hierarchy; the placeholder is not.
        let membership = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        let inScope = membership.split(separator: "\n").filter { $0.hasSuffix("/\(subtree.root)/\(unit)") }
        #expect(inScope.count == subtree.paths.count, "\(membership)")
        let processes = scope.cgroup.processes()
        #expect(processes.contains(pid))
        #expect(processes.allSatisfy { $0 == pid || parent(of: $0) == pid }, "\(processes)")

        try scope.stop()
        stopped = true
        #expect(wait(for: pid, timeoutSeconds: 5) == 128 + SIGKILL)
        reaped = true
        for path in scope.cgroup.paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path) left") }
        let calls = try fake.calls().map { "\($0["call"] ?? "") \($0["unit"] ?? "")" }
        #expect(calls == ["StartTransientUnit \(unit)", "StopUnit \(unit)", "ResetFailedUnit \(unit)"])
    }

    /// The scope's directories from /proc/<pid>/cgroup on a hybrid layout whose mounts show only part of the tree
    /// (a container's cgroup namespace): a hierarchy without the scope (freezer) and name=systemd are left out.
    @Test func directoriesFollowTheMountRoots() {
        let unit = "clusterbox-t.scope"
        func v1(_ controllers: [String], _ mount: String, own: String, directory: String) -> CgroupHierarchy {
            CgroupHierarchy(
                version: .v1, controllers: controllers, mountPoint: mount, ownPath: own, ownDirectory: directory)
        }
        let layout = CgroupLayout(
            mode: .hybrid,
            hierarchies: [
                v1(
                    ["cpu", "cpuacct"], "/sys/fs/cgroup/cpu,cpuacct", own: "/", directory: "/sys/fs/cgroup/cpu,cpuacct"),
                v1(["memory"], "/sys/fs/cgroup/memory", own: "/docker/abc", directory: "/sys/fs/cgroup/memory"),
                v1(["freezer"], "/sys/fs/cgroup/freezer", own: "/", directory: "/sys/fs/cgroup/freezer"),
                v1(["name=systemd"], "/sys/fs/cgroup/systemd", own: "/", directory: "/sys/fs/cgroup/systemd"),
            ],
            unified: CgroupHierarchy(
                version: .v2, controllers: [], mountPoint: "/sys/fs/cgroup/unified", ownPath: "/a",
                ownDirectory: "/sys/fs/cgroup/unified/a"),
            systemdIsInit: true)
        let procCgroup = """
            12:cpuacct,cpu:/system.slice/\(unit)
            11:memory:/docker/abc/system.slice/\(unit)
            10:freezer:/
            1:name=systemd:/system.slice/\(unit)
            0::/system.slice/\(unit)
            """
        let directories = ScopeCgroup.directories(procCgroup: procCgroup, layout: layout, unit: unit)
        #expect(
            directories.map(\.path) == [
                "/sys/fs/cgroup/cpu,cpuacct/system.slice/\(unit)", "/sys/fs/cgroup/memory/system.slice/\(unit)",
                "/sys/fs/cgroup/unified/system.slice/\(unit)",
            ])
        #expect(directories.map(\.controllers) == [["cpu", "cpuacct"], ["memory"], []])
        // A cgroup outside what the mount shows is no directory of ours.
        let outside = CgroupHierarchy(
            version: .v1, controllers: ["memory"], mountPoint: "/m", ownPath: "/docker/abc", ownDirectory: "/m")
        #expect(ScopeCgroup.directory(of: "/system.slice/\(unit)", in: outside) == nil)
    }

    // MARK: - Helpers

    /// The limits found in the directories' files, v1 or v2: memory bytes, pids, the CPU quota in µs.
    static func limitsWritten(in paths: [String]) -> [String: String] {
        var found: [String: String] = [:]
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for path in paths {
            if let memory = read(path + "/memory.limit_in_bytes") ?? read(path + "/memory.max") {
                found["memory"] = memory
            }
            if let pids = read(path + "/pids.max") { found["pids"] = pids }
            if let quota = read(path + "/cpu.cfs_quota_us")
                ?? read(path + "/cpu.max")?.split(separator: " ").first
                .map(String.init)
            {
                found["cpu.quota"] = quota
            }
        }
        return found
    }

    /// The parent pid from /proc/<pid>/stat (the field after the parenthesised command).
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }
}
