/// What a running task has used, in the shape of Mesos' `ResourceStatistics` message, so that the JSON of
/// `/monitor/statistics` and of the `statistics` object in `/master/state` carries the field names Mesos tools
/// read. A field is nil where the executor cannot know it (no cgroup controller for it, a process task).
///
/// Counters (`cpus_*_time_secs`, `cpus_nr_*`) only grow while the task runs: a rate is the difference of two
/// samples divided by the difference of their `timestamp`s.
public struct ResourceStatistics: Hashable, Sendable, Codable {
    /// When the figures were read, in seconds since the epoch.
    public var timestamp: Double
    /// Processes and threads of the task now.
    public var processes: Int?
    public var threads: Int?
    /// CPU time used, split as the kernel accounts it.
    public var cpus_user_time_secs: Double?
    public var cpus_system_time_secs: Double?
    /// The task's `cpus`, which its CFS quota enforces in a container.
    public var cpus_limit: Double?
    /// CFS periods in which the task ran, those in which its quota ran out, and the time it was held back.
    public var cpus_nr_periods: Int?
    public var cpus_nr_throttled: Int?
    public var cpus_throttled_time_secs: Double?
    /// Memory charged to the task (page cache included), its anonymous part, its limit and its peak.
    public var mem_total_bytes: UInt64?
    public var mem_rss_bytes: UInt64?
    public var mem_limit_bytes: UInt64?
    public var mem_max_bytes: UInt64?

    public init(timestamp: Double) { self.timestamp = timestamp }

    /// User plus system time, when both are known.
    public var cpuSeconds: Double? {
        guard let user = cpus_user_time_secs, let system = cpus_system_time_secs else { return nil }
        return user + system
    }
}

/// One task's statistics as its executor reports them: which task, for which framework.
public struct TaskUsage: Hashable, Sendable, Codable {
    public var taskID: TaskID
    public var frameworkID: FrameworkID
    /// `cgroup` for a contained task, `proc` for a process task (read from /proc).
    public var source: String
    public var statistics: ResourceStatistics

    public init(taskID: TaskID, frameworkID: FrameworkID, source: String, statistics: ResourceStatistics) {
        self.taskID = taskID
        self.frameworkID = frameworkID
        self.source = source
        self.statistics = statistics
    }
}
