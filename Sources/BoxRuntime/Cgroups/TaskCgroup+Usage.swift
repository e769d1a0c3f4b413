extension TaskCgroup {
    /// What the task has used, from whichever hierarchy holds each figure.
    public func usage() -> CgroupUsage {
        var usage = CgroupUsage()
        let unified = unifiedDirectory
        if let cpuacct = directory(for: "cpuacct"),
            let nanoseconds = CgroupText.number(read(cpuacct, "cpuacct.usage"))
        {
            usage.cpuTime = .nanoseconds(Int64(clamping: nanoseconds))
        } else if let unified, let microseconds = CgroupText.value("usage_usec", in: read(unified, "cpu.stat")) {
            // v2 accounts CPU time in every cgroup, even without the cpu controller.
            usage.cpuTime = .microseconds(Int64(clamping: microseconds))
        }
        if let cpu = directory(for: "cpu") {
            let stat = read(cpu, "cpu.stat")
            usage.cpuPeriods = CgroupText.value("nr_periods", in: stat).map { Int(clamping: $0) }
            usage.throttledPeriods = CgroupText.value("nr_throttled", in: stat).map { Int(clamping: $0) }
        }
        if let memory = directory(for: "memory") {
            let v1 = memory.version == .v1
            usage.memoryBytes = CgroupText.number(read(memory, v1 ? "memory.usage_in_bytes" : "memory.current"))
            usage.memoryPeakBytes = CgroupText.number(read(memory, v1 ? "memory.max_usage_in_bytes" : "memory.peak"))
        }
        if let pids = directory(for: "pids") {
            usage.pids = CgroupText.number(read(pids, "pids.current")).map { Int(clamping: $0) }
            usage.pidsLimitHits = CgroupText.value("max", in: read(pids, "pids.events")).map { Int(clamping: $0) }
        }
        usage.oomKills = Self.oomKills(in: directories)
        return usage
    }

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
