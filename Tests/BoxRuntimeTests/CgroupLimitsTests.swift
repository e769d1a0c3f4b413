import Testing

@testable import BoxRuntime

/// The pure part of limits: cores → quota, weight and shares; which files are written, in which order; and the
/// readers of cgroup files.
@Suite struct CgroupLimitsTests {
    /// quota = cpus × 100000 (at least 1000); weight = 100 per core (1…10000); shares = weight × 1024 / 100.
    @Test(
        arguments: [
            (0.25, 25_000, 25, 256), (1, 100_000, 100, 1024), (2.5, 250_000, 250, 2560), (0.001, 1_000, 1, 10),
            (200, 20_000_000, 10_000, 102_400),
        ] as [(Double, Int, Int, Int)])
    func cpuArithmetic(cpus: Double, quota: Int, weight: Int, shares: Int) {
        let limits = CgroupLimits(cpus: cpus)
        #expect(limits.cpuQuotaMicroseconds == quota)
        #expect(limits.cpuWeight == weight)
        #expect(limits.cpuShares == shares)
    }

    @Test func v1Writes() {
        let limits = CgroupLimits(cpus: 0.25, memoryBytes: 32 << 20, pids: 5)
        #expect(
            limits.writes(version: .v1).map(\.description) == [
                "cpu.cfs_period_us=100000", "cpu.cfs_quota_us=25000", "cpu.shares=256",
                "memory.limit_in_bytes=33554432", "memory.memsw.limit_in_bytes=33554432", "pids.max=5",
            ])
    }

    /// memsw must stay ≥ the limit: raising from 32 MiB to 64 MiB writes memsw first, lowering writes the limit
    /// first.
    @Test func v1MemoryOrder() {
        let raise = CgroupLimits(memoryBytes: 64 << 20).writes(version: .v1, currentMemoryBytes: 32 << 20)
        #expect(raise.map(\.file) == ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"])
        let lower = CgroupLimits(memoryBytes: 16 << 20).writes(version: .v1, currentMemoryBytes: 32 << 20)
        #expect(lower.map(\.file) == ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"])
    }

    @Test func v2Writes() {
        let limits = CgroupLimits(cpus: 0.25, memoryBytes: 32 << 20, pids: 5)
        #expect(
            limits.writes(version: .v2).map(\.description) == [
                "cpu.max=25000 100000", "cpu.weight=25", "memory.max=33554432", "memory.swap.max=0",
                "memory.oom.group=1", "pids.max=5",
            ])
        #expect(CgroupLimits().writes(version: .v2).isEmpty)
    }

    @Test func readers() {
        let oomControl = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"
        #expect(CgroupText.value("oom_kill", in: oomControl) == 3)
        #expect(CgroupText.value("oom", in: "oom 2\noom_kill 1\n") == 2)
        #expect(CgroupText.value("max", in: nil) == nil)
        #expect(CgroupText.number("25000\n") == 25000)
        #expect(CgroupText.number("max\n") == nil)
        #expect(CgroupText.pids("12\n7\n") == [12, 7])
        #expect(CgroupText.trimmed("  FROZEN\n") == "FROZEN")
    }
}
