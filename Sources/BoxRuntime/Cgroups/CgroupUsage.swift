/// What a task cgroup has used. A field is nil when no hierarchy offers it (e.g. `memoryPeakBytes` on v2 before
/// kernel 5.19, throttling without the cpu controller).
public struct CgroupUsage: Sendable, Hashable {
    /// CPU time of every process that was ever in the cgroup (v1 `cpuacct.usage`, v2 `cpu.stat` `usage_usec`).
    public var cpuTime: Duration?
    /// The same split into user and system time (v1 `cpuacct.stat`, counted in clock ticks of 10 ms; v2
    /// `cpu.stat` `user_usec` / `system_usec`).
    public var cpuUserTime: Duration?
    public var cpuSystemTime: Duration?
    /// Memory charged now and at most (v1 `memory.usage_in_bytes` / `max_usage_in_bytes`; v2 `memory.current` /
    /// `memory.peak`).
    public var memoryBytes: UInt64?
    public var memoryPeakBytes: UInt64?
    /// Anonymous memory (the task's own, not page cache): v1 `memory.stat` `total_rss`, v2 `memory.stat` `anon`.
    public var memoryRSSBytes: UInt64?
    /// Processes in the cgroup now (`cgroup.procs` lines); `pids` counts their threads too.
    public var processes: Int?
    /// Processes and threads now (`pids.current`).
    public var pids: Int?
    /// Forks refused because of `pids.max` (`pids.events` `max`).
    public var pidsLimitHits: Int?
    /// CFS periods with runnable tasks, and those in which the quota ran out (`cpu.stat`).
    public var cpuPeriods: Int?
    public var throttledPeriods: Int?
    /// Time the task was held back because its quota ran out (v1 `cpu.stat` `throttled_time`, v2 `throttled_usec`).
    public var throttledTime: Duration?
    /// Processes the OOM killer killed (v1 `memory.oom_control` / v2 `memory.events` `oom_kill`).
    public var oomKills: Int?

    public init(
        cpuTime: Duration? = nil, memoryBytes: UInt64? = nil, memoryPeakBytes: UInt64? = nil, pids: Int? = nil,
        pidsLimitHits: Int? = nil, cpuPeriods: Int? = nil, throttledPeriods: Int? = nil, oomKills: Int? = nil
    ) {
        self.cpuTime = cpuTime
        self.memoryBytes = memoryBytes
        self.memoryPeakBytes = memoryPeakBytes
        self.pids = pids
        self.pidsLimitHits = pidsLimitHits
        self.cpuPeriods = cpuPeriods
        self.throttledPeriods = throttledPeriods
        self.oomKills = oomKills
    }
}

/// Pure readers of cgroup file contents.
enum CgroupText {
    /// A single number (`cpuacct.usage`, `memory.current`); "max" and anything else is nil.
    static func number(_ text: String?) -> UInt64? {
        text.flatMap { UInt64(trimmed($0)) }
    }

    /// The value of `key` in a flat keyed file (`cpu.stat`, `memory.events`, `memory.oom_control`,
    /// `pids.events`): lines of "key value".
    static func value(_ key: String, in text: String?) -> UInt64? {
        guard let text else { return nil }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }

    /// The text without leading and trailing white space (cgroup files end in a newline).
    static func trimmed(_ text: String) -> Substring {
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map(text.index(after:)) ?? start
        return text[start..<max(start, end)]
    }

    /// The pids in a `cgroup.procs` file.
    static func pids(_ text: String?) -> [Int32] {
        text.map { $0.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) } } ?? []
    }
}
