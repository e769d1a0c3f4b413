#if canImport(Glibc)
    import Glibc
#endif

extension TaskCgroup {
    /// What the task has used, from whichever hierarchy holds each figure. Reads about ten small cgroupfs files
    /// (a few microseconds each), so call it when someone asks, not on a timer for every task.
    public func usage() -> CgroupUsage {
        var usage = CgroupUsage()
        let unifiedStat = unifiedDirectory.flatMap { read($0, "cpu.stat") }
        if let cpuacct = directory(for: "cpuacct") {
            usage.cpuTime = CgroupText.number(read(cpuacct, "cpuacct.usage")).map { .nanoseconds(Int64(clamping: $0)) }
            let stat = read(cpuacct, "cpuacct.stat")
            let tick = Self.clockTick
            usage.cpuUserTime = CgroupText.value("user", in: stat).map { tick * Int64(clamping: $0) }
            usage.cpuSystemTime = CgroupText.value("system", in: stat).map { tick * Int64(clamping: $0) }
        } else if let unifiedStat {
            // v2 accounts CPU time in every cgroup, even without the cpu controller.
            func microseconds(_ key: String) -> Duration? {
                CgroupText.value(key, in: unifiedStat).map { .microseconds(Int64(clamping: $0)) }
            }
            usage.cpuTime = microseconds("usage_usec")
            usage.cpuUserTime = microseconds("user_usec")
            usage.cpuSystemTime = microseconds("system_usec")
        }
        if let cpu = directory(for: "cpu") {
            let stat = cpu.version == .v2 ? unifiedStat : read(cpu, "cpu.stat")
            usage.cpuPeriods = CgroupText.value("nr_periods", in: stat).map { Int(clamping: $0) }
            usage.throttledPeriods = CgroupText.value("nr_throttled", in: stat).map { Int(clamping: $0) }
            usage.throttledTime =
                cpu.version == .v1
                ? CgroupText.value("throttled_time", in: stat).map { .nanoseconds(Int64(clamping: $0)) }
                : CgroupText.value("throttled_usec", in: stat).map { .microseconds(Int64(clamping: $0)) }
        }
        if let memory = directory(for: "memory") {
            let v1 = memory.version == .v1
            usage.memoryBytes = CgroupText.number(read(memory, v1 ? "memory.usage_in_bytes" : "memory.current"))
            usage.memoryPeakBytes = CgroupText.number(read(memory, v1 ? "memory.max_usage_in_bytes" : "memory.peak"))
            usage.memoryRSSBytes = CgroupText.value(v1 ? "total_rss" : "anon", in: read(memory, "memory.stat"))
        }
        if let pids = directory(for: "pids") {
            usage.pids = CgroupText.number(read(pids, "pids.current")).map { Int(clamping: $0) }
            usage.pidsLimitHits = CgroupText.value("max", in: read(pids, "pids.events")).map { Int(clamping: $0) }
        }
        if let first = directories.first {
            usage.processes = CgroupText.pids(read(first, "cgroup.procs")).count
        }
        usage.oomKills = Self.oomKills(in: directories)
        return usage
    }

    /// One clock tick (`USER_HZ`), the unit of v1 `cpuacct.stat`: 10 ms on Linux.
    static let clockTick: Duration = {
        let hertz = sysconf(Int32(_SC_CLK_TCK))
        return .nanoseconds(1_000_000_000 / Int64(hertz > 0 ? hertz : 100))
    }()

    /// True once the OOM killer killed a process of the task: the `oom_kill` counter rose (v1
    /// `memory.oom_control`, v2 `memory.events`). Not `memory.failcnt`, which stays 0 with memsw set
    /// (runtime.md §0.5). The task's main process may still exit normally when the killer chose a child.
    public func oomKilled() -> Bool {
        (Self.oomKills(in: directories) ?? 0) > oomKillsAtStart
    }

    static func oomKills(in directories: [CgroupDirectory]) -> Int? {
        guard let memory = directories.first(where: { $0.controllers.contains("memory") }) else { return nil }
        let file = memory.version == .v1 ? "memory.oom_control" : "memory.events"
        return CgroupText.value("oom_kill", in: CgroupFS.readIfPresent(memory.path + "/" + file))
            .map { Int(clamping: $0) }
    }

    private func read(_ directory: CgroupDirectory, _ file: String) -> String? {
        CgroupFS.readIfPresent(directory.path + "/" + file)
    }
}
