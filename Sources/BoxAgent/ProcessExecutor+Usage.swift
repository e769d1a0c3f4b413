public import BoxCore
import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Usage statistics, read when asked: the actor only hands out what to read (a cgroup or a pid), and the files
/// are read after leaving it, so a state request never holds up launches and exits.
extension ProcessExecutor {
    /// What to read for one running task.
    struct UsageSource: Sendable {
        var taskID: TaskID
        var frameworkID: FrameworkID
        var pid: pid_t
        var cgroup: TaskCgroup?
        var cpus: Double
        var memoryMiB: Int
    }

    func usageSources() -> [UsageSource] {
        running.map { taskID, entry in
            UsageSource(
                taskID: taskID, frameworkID: entry.frameworkID, pid: entry.pid, cgroup: entry.cgroup,
                cpus: entry.cpus, memoryMiB: entry.memoryMiB)
        }
    }

    /// A contained task's figures come from its cgroup (about ten small files); a process task's from its
    /// leader's `/proc/<pid>/stat` (two files). Sorted by task id.
    public nonisolated func usage() async -> [TaskUsage] {
        let sources = await usageSources()
        return sources.sorted { $0.taskID < $1.taskID }.compactMap(Self.read)
    }

    static func read(_ source: UsageSource) -> TaskUsage? {
        let now = Date().timeIntervalSince1970
        var statistics: ResourceStatistics
        let origin: String
        if let cgroup = source.cgroup {
            statistics = ResourceStatistics(cgroup.usage(), timestamp: now)
            origin = "cgroup"
        } else {
            guard let text = ProcessSandbox.readSmallFile("/proc/\(source.pid)/stat"), let stat = ProcUsage(text)
            else { return nil }
            statistics = stat.statistics(timestamp: now)
            origin = "proc"
        }
        statistics.cpus_limit = source.cpus > 0 ? source.cpus : nil
        statistics.mem_limit_bytes = source.memoryMiB > 0 ? UInt64(source.memoryMiB) << 20 : nil
        return TaskUsage(taskID: source.taskID, frameworkID: source.frameworkID, source: origin, statistics: statistics)
    }
}

extension ResourceStatistics {
    /// A contained task's statistics from its cgroup's figures.
    init(_ usage: CgroupUsage, timestamp: Double) {
        self.init(timestamp: timestamp)
        processes = usage.processes
        threads = usage.pids
        cpus_user_time_secs = usage.cpuUserTime.map(Self.seconds)
        cpus_system_time_secs = usage.cpuSystemTime.map(Self.seconds)
        cpus_nr_periods = usage.cpuPeriods
        cpus_nr_throttled = usage.throttledPeriods
        cpus_throttled_time_secs = usage.throttledTime.map(Self.seconds)
        mem_total_bytes = usage.memoryBytes
        mem_rss_bytes = usage.memoryRSSBytes
        mem_max_bytes = usage.memoryPeakBytes
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The fields of `/proc/<pid>/stat` that usage statistics use (`ProcStat` has those the executor's bookkeeping
/// needs). A process task has no cgroup, and finding every process
/// of its group would mean a scan of all of /proc, so it counts the group leader (usually the command itself:
/// `sh -c` execs a lone command) and the children it has reaped.
struct ProcUsage: Hashable, Sendable {
    var userTicks: UInt64
    var systemTicks: UInt64
    var threads: Int
    var rssPages: UInt64
}

extension ProcUsage {
    /// Parses the line; the command name in parentheses may hold spaces and parentheses, so fields are counted
    /// from the last ')'.
    init?(_ text: String) {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // Field 3 (state) is index 0 here: utime is field 14, stime 15, cutime 16, cstime 17, num_threads 20,
        // rss 24.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let utime = UInt64(fields[11]), let stime = UInt64(fields[12]),
            let cutime = UInt64(fields[13]), let cstime = UInt64(fields[14]), let threads = Int(fields[17]),
            let rss = UInt64(fields[21])
        else { return nil }
        userTicks = utime + cutime
        systemTicks = stime + cstime
        self.threads = threads
        rssPages = rss
    }

    func statistics(
        timestamp: Double, tickSeconds: Double = Self.tickSeconds, pageBytes: UInt64 = Self.pageBytes
    ) -> ResourceStatistics {
        var statistics = ResourceStatistics(timestamp: timestamp)
        statistics.threads = threads
        statistics.cpus_user_time_secs = Double(userTicks) * tickSeconds
        statistics.cpus_system_time_secs = Double(systemTicks) * tickSeconds
        statistics.mem_rss_bytes = rssPages * pageBytes
        statistics.mem_total_bytes = rssPages * pageBytes
        return statistics
    }

    static let tickSeconds: Double = {
        let hertz = sysconf(Int32(_SC_CLK_TCK))
        return 1 / Double(hertz > 0 ? hertz : 100)
    }()

    static let pageBytes: UInt64 = {
        let size = sysconf(Int32(_SC_PAGESIZE))
        return UInt64(size > 0 ? size : 4096)
    }()
}
