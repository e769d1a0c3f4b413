import Foundation
import Testing

@testable import BoxRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// Killing a task's processes and removing its cgroups, now and after a daemon that died without cleaning up.
extension CgroupHostTests {
    /// A shell with two sleeping children (3 processes, all in the cgroup before any of them ran): killAll leaves
    /// none of them alive, and remove then succeeds in every hierarchy. Both ways: v2 `cgroup.kill` (where there
    /// is a v2 tree) and the v1 freezer sweep.
    @Test(arguments: [true, false])
    func killAllKillsTheTree(usingCgroupKill: Bool) async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("tree", limits: CgroupLimits())
            let shell = try GatedShell("sleep 60 & sleep 60 & wait")
            defer { shell.stop() }
            try task.add(pid: shell.pid)
            shell.release()
            #expect(waitUntil(within: .seconds(5)) { task.processes().count == 3 })
            let pids = task.processes()
            try task.killAll(usingCgroupKill: usingCgroupKill)
            #expect(task.processes().isEmpty)
            for pid in pids { #expect(waitUntil(within: .seconds(10)) { isGone(pid) }, "pid \(pid) is alive") }
            try task.remove()
            for path in task.paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
        }
    }

    /// A shell forking `sleep`s as fast as it can, up to pids.max 50: killAll still empties the cgroup (cgroup.kill
    /// gets forks made during the kill; the sweep freezes first so nothing forks between reading the pids and
    /// killing them).
    @Test(arguments: [true, false])
    func killAllStopsAForkLoop(usingCgroupKill: Bool) async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("forker", limits: CgroupLimits(pids: 50))
            let shell = try GatedShell("while :; do sleep 60 & done")
            defer { shell.stop() }
            try task.add(pid: shell.pid)
            shell.release()
            #expect(waitUntil(within: .seconds(5)) { (task.usage().pidsLimitHits ?? 0) >= 1 })
            try task.killAll(usingCgroupKill: usingCgroupKill)
            #expect(task.processes().isEmpty)
            try task.remove()
        }
    }

    /// A run creates two task cgroups, one with a sleeping process, and "dies". The next run, detecting the same
    /// subtree, removes both (killing the process) and finds nothing the second time.
    @Test func removeLeftoversAfterARestart() async throws {
        try await withScratchSubtree { subtree in
            let idle = try subtree.create("idle", limits: CgroupLimits(pids: 10))
            let busy = try subtree.create("busy", limits: CgroupLimits(memoryBytes: 64 << 20))
            let shell = try GatedShell("sleep 60")
            defer { shell.stop() }
            try busy.add(pid: shell.pid)
            shell.release()

            let restarted = try CgroupSubtree.detect(root: subtree.root, logger: CgroupTestHost.logger)
            #expect(restarted.paths == subtree.paths)
            #expect(restarted.removeLeftovers() == 2)
            for path in idle.paths + busy.paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
            #expect(shell.waitForExit(within: .seconds(5)))
            #expect(restarted.removeLeftovers() == 0)
        }
    }
}
