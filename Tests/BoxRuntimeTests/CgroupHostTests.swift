import BoxRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real cgroups on this host. Serialized: the CPU measurement should not share the machine with the OOM test.
/// Each test works in a scratch subtree of its own and removes it (`withScratchSubtree`).
@Suite(.serialized, .timeLimit(.minutes(5)), .enabled(if: CgroupTestHost.enabled, CgroupTestHost.skipComment))
struct CgroupHostTests {
    /// The layout matches what `stat -f` says about /sys/fs/cgroup (tmpfs + cgroup2 at unified = hybrid, as on
    /// the development VM); each controller's hierarchy is a cgroupfs mount, our own directory there lists this
    /// process, and the subtree made in it has the controller's files.
    @Test func detectsThisHost() async throws {
        try await withScratchSubtree { subtree in
            let layout = subtree.layout
            let rootType = try fileSystemType("/sys/fs/cgroup")
            let unifiedType = try? fileSystemType("/sys/fs/cgroup/unified")
            let expected: CgroupMode =
                rootType == "cgroup2fs"
                ? .unified : rootType == "tmpfs" && unifiedType == "cgroup2fs" ? .hybrid : .legacy
            #expect(layout.mode == expected)
            print("cgroup layout: \(layout.description)")
            let me = String(getpid())
            if layout.mode != .unified {
                let files = [
                    "cpu": "cpu.cfs_quota_us", "cpuacct": "cpuacct.usage", "memory": "memory.limit_in_bytes",
                    "pids": "pids.max", "freezer": "freezer.state",
                ]
                for (controller, file) in files.sorted(by: { $0.key < $1.key }) {
                    let hierarchy = try #require(layout.hierarchy(for: controller), "no \(controller) hierarchy")
                    #expect(try fileSystemType(hierarchy.mountPoint) == "cgroupfs")
                    let members = readFile(hierarchy.ownDirectory + "/cgroup.procs") ?? ""
                    #expect(members.split(separator: "\n").contains(Substring(me)), "\(hierarchy.ownDirectory)")
                    let ours = hierarchy.ownDirectory + "/" + subtree.root
                    #expect(subtree.paths.contains(ours))
                    #expect(FileManager.default.fileExists(atPath: ours + "/" + file), "\(ours)/\(file)")
                }
            }
            if let unified = layout.unified {
                let members = readFile(unified.ownDirectory + "/cgroup.procs") ?? ""
                #expect(members.split(separator: "\n").contains(Substring(me)))
                #expect(subtree.paths.last == unified.ownDirectory + "/" + subtree.root)
            }
            if layout.mode == .hybrid {
                #expect(layout.description.hasPrefix("cgroup v1 (hybrid): cpu, cpuacct, memory, pids, freezer"))
            }
        }
    }

    /// 0.25 cpus → quota 25000 of 100000 and 256 shares; 64 MiB → limit and memsw both 67108864; pids.max 7.
    /// Raising to 128 MiB (memsw first) and lowering to 32 MiB (limit first) both succeed. A second cgroup of the
    /// same name is refused, a bad name too, and remove leaves no directory.
    @Test func limitsLandInTheFiles() async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("limits", limits: CgroupLimits(cpus: 0.25, memoryBytes: 64 << 20, pids: 7))
            let layout = subtree.layout
            func file(_ controller: String, _ name: String) -> String? {
                let v1 = layout.hierarchy(for: controller)?.ownDirectory
                guard let base = v1 ?? layout.unified?.ownDirectory else { return nil }
                return readFile("\(base)/\(subtree.root)/limits/\(name)")
            }
            if layout.hierarchy(for: "cpu") != nil {
                #expect(file("cpu", "cpu.cfs_quota_us") == "25000")
                #expect(file("cpu", "cpu.cfs_period_us") == "100000")
                #expect(file("cpu", "cpu.shares") == "256")
                #expect(file("memory", "memory.limit_in_bytes") == "67108864")
                #expect(file("memory", "memory.memsw.limit_in_bytes") == "67108864")
            } else {
                #expect(file("cpu", "cpu.max") == "25000 100000")
                #expect(file("memory", "memory.max") == "67108864")
            }
            #expect(file("pids", "pids.max") == "7")

            try task.update(CgroupLimits(memoryBytes: 128 << 20))
            #expect(file("memory", layout.mode == .unified ? "memory.max" : "memory.limit_in_bytes") == "134217728")
            try task.update(CgroupLimits(memoryBytes: 32 << 20))
            #expect(file("memory", layout.mode == .unified ? "memory.max" : "memory.limit_in_bytes") == "33554432")

            #expect(throws: CgroupError.self) { try subtree.create("limits", limits: CgroupLimits()) }
            #expect(throws: CgroupError.invalidName("../x")) { try subtree.create("../x", limits: CgroupLimits()) }
            #expect(task.paths.allSatisfy { FileManager.default.fileExists(atPath: $0) })  // the refusal kept it

            try task.remove()
            for path in task.paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
        }
    }

    /// The launcher's descriptors: one `cgroup.procs` per directory (writing a pid into each moves the process
    /// everywhere), and a v2 directory descriptor wherever there is a v2 tree.
    @Test func placementDescriptors() async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("fds", limits: CgroupLimits())
            let shell = try GatedShell("sleep 30")
            defer { shell.stop() }
            let fds = try task.openProcsFDs()
            defer { for fd in fds { close(fd) } }
            #expect(fds.count == task.paths.count)
            for fd in fds {
                let bytes = Array(String(shell.pid).utf8)
                #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
            }
            for path in task.paths {
                #expect(readFile(path + "/cgroup.procs") == String(shell.pid), "\(path)")
            }
            let directory = try task.openDirectoryFD()
            #expect((directory != nil) == (subtree.layout.unified != nil))
            if let directory { close(directory) }
            try task.killAll()
        }
    }
}
