import BoxRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The kernel enforcing the limits, seen through the task cgroup's own counters.
extension CgroupHostTests {
    /// cpus 0.25 = 25 ms per 100 ms period: a busy loop gets 0.5 s of CPU in 2 s (25% ± 5%), and the quota runs out
    /// in period after period. Never more: alone it would take a whole core. A machine busy with the rest of the
    /// suite can still leave it less than its quota for a while (it is then not throttled, which says nothing about
    /// the limit), so a starved window is measured again, up to four windows in all. (Not behind `cpuHeavy`: waiting
    /// there for the DNS fuzzers could exceed the suite's time limit.)
    @Test func cpuQuotaCapsABusyLoop() async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("busy", limits: CgroupLimits(cpus: 0.25))
            // cpus 0.25 also gives the weight of a quarter core, and the rest of the suite (weight of a whole core
            // and more) then starves the loop below its quota: the CI run once left it 14% in every window. The
            // highest weight leaves the quota as the only limit. The scratch subtree gets it too: under cgroup v1 it
            // competes at the root with every thread of the suite (1024 each), and the CI run once left the loop 9%.
            for path in subtree.paths + task.paths {
                for (file, value) in [("cpu.weight", "10000"), ("cpu.shares", "262144")]
                where FileManager.default.fileExists(atPath: path + "/" + file) {
                    try value.write(toFile: path + "/" + file, atomically: false, encoding: .utf8)
                }
            }
            let shell = try GatedShell("while :; do :; done")
            defer { shell.stop() }
            try task.add(pid: shell.pid)
            shell.release()
            usleep(200_000)  // past the first, unthrottled period
            var windows: [String] = []
            var reachedQuota = false
            for _ in 0..<4 where !reachedQuota {
                let before = task.usage()
                let start = ContinuousClock.now
                usleep(2_000_000)
                let after = task.usage()
                let elapsed = start.duration(to: .now)
                let used = try #require(after.cpuTime) - #require(before.cpuTime)
                let share = used / elapsed
                let throttled = try #require(after.throttledPeriods) - #require(before.throttledPeriods)
                windows.append("\(share) (throttled in \(throttled) periods)")
                #expect(share < 0.30, "used \(used) of \(elapsed): \(share)")
                if share > 0.20 {
                    reachedQuota = true
                    // The quota ran out again and again (in most of the 20 periods on a quiet machine; on a busy
                    // one the loop sometimes gets its CPU too late in a period to use all of it).
                    #expect(throttled >= 5, "\(windows)")
                }
            }
            print("cpus 0.25: share of a core in 2 s windows: \(windows.joined(separator: ", "))")
            #expect(reachedQuota, "starved below 20% in every window: \(windows)")
            try task.killAll()
        }
    }

    /// 32 MiB and `tail` buffering 100 MiB without a newline: the OOM killer kills tail, `oom_kill` rises (the
    /// signal we use, not failcnt), and memory never went past the limit.
    @Test func memoryLimitOOMKills() async throws {
        try await withScratchSubtree { subtree in
            let limitBytes: UInt64 = 32 << 20
            let task = try subtree.create("oom", limits: CgroupLimits(memoryBytes: limitBytes))
            let shell = try GatedShell("head -c 100m /dev/zero | tail")
            defer { shell.stop() }
            try task.add(pid: shell.pid)
            #expect(!task.oomKilled())
            shell.release()
            #expect(shell.waitForExit(within: .seconds(20)), "the pipeline did not end")
            #expect(task.oomKilled())
            let usage = task.usage()
            #expect((usage.oomKills ?? 0) >= 1)
            #expect((usage.memoryPeakBytes ?? 0) <= limitBytes, "peak \(usage.memoryPeakBytes ?? 0)")
            try task.killAll()
        }
    }

    /// pids.max 5: the shell plus four `sleep`s fill it, the fifth fork fails with EAGAIN ("Cannot fork"), and
    /// `pids.events` counts the refusal.
    @Test func pidsLimitRefusesForks() async throws {
        try await withScratchSubtree { subtree in
            let task = try subtree.create("forks", limits: CgroupLimits(pids: 5))
            let shell = try GatedShell("for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; wait")
            defer { shell.stop() }
            try task.add(pid: shell.pid)
            shell.release()
            #expect(waitUntil(within: .seconds(5)) { (task.usage().pidsLimitHits ?? 0) >= 1 })
            #expect((task.usage().pids ?? 0) <= 5)
            #expect(waitUntil(within: .seconds(5)) { shell.output.lowercased().contains("fork") }, "\(shell.output)")
            try task.killAll()
            #expect(task.processes().isEmpty)
        }
    }
}
