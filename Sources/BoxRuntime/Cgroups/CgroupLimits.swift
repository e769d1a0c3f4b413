/// What a task may use. nil leaves the kernel's default (no limit).
public struct CgroupLimits: Sendable, Hashable {
    /// CPU cap in cores (0.25 is a quarter of one core); also sets the relative weight (1 core = weight 100).
    public var cpus: Double?
    /// Memory cap; swap is turned off for the task (memsw equal on v1, `memory.swap.max` 0 on v2).
    public var memoryBytes: UInt64?
    /// Most processes and threads at once; a fork beyond it fails with EAGAIN.
    public var pids: Int?

    public init(cpus: Double? = nil, memoryBytes: UInt64? = nil, pids: Int? = nil) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.pids = pids
    }

    /// The CFS period on both versions: 100 ms, the kernel's default.
    public static let cpuPeriodMicroseconds = 100_000

    /// cpus × period, at least 1 ms (the kernel refuses less).
    public var cpuQuotaMicroseconds: Int? {
        cpus.map { max(1_000, Int(($0 * Double(Self.cpuPeriodMicroseconds)).rounded())) }
    }

    /// clusterbox's own weight: 100 per core, as v2's default weight 100 is one "normal" task; within 1…10000.
    public var cpuWeight: Int? { cpus.map { min(10_000, max(1, Int(($0 * 100).rounded()))) } }

    /// v1 shares from the weight, weight × 1024 / 100 within 2…262144, so 1 core is the v1 default 1024. (runc's
    /// linear map would send 1024 shares to weight 39; runtime.md §2.2.)
    public var cpuShares: Int? { cpuWeight.map { min(262_144, max(2, $0 * 1024 / 100)) } }
}

/// One value to write into a cgroup file, in the directory that holds `controller`.
struct CgroupWrite: Hashable, Sendable, CustomStringConvertible {
    var controller: String
    var file: String
    var value: String
    /// Skip quietly when the file does not exist (memsw without swap accounting, swap.max without swap).
    var optional = false

    var description: String { "\(file)=\(value)" }
}

// Pure: which files to write, in which order.
extension CgroupLimits {
    /// The writes for a directory of `version`. On v1 the memory limit must stay ≤ memsw, so when the limit goes
    /// down the limit is written first, and when it goes up memsw is; `currentMemoryBytes` is the limit now (nil:
    /// unlimited, as in a new cgroup).
    func writes(version: CgroupVersion, currentMemoryBytes: UInt64? = nil) -> [CgroupWrite] {
        var writes: [CgroupWrite] = []
        if let quota = cpuQuotaMicroseconds, let weight = cpuWeight, let shares = cpuShares {
            let period = String(Self.cpuPeriodMicroseconds)
            switch version {
            case .v1:
                writes.append(CgroupWrite(controller: "cpu", file: "cpu.cfs_period_us", value: period))
                writes.append(CgroupWrite(controller: "cpu", file: "cpu.cfs_quota_us", value: String(quota)))
                writes.append(CgroupWrite(controller: "cpu", file: "cpu.shares", value: String(shares)))
            case .v2:
                writes.append(CgroupWrite(controller: "cpu", file: "cpu.max", value: "\(quota) \(period)"))
                writes.append(CgroupWrite(controller: "cpu", file: "cpu.weight", value: String(weight)))
            }
        }
        if let bytes = memoryBytes {
            switch version {
            case .v1:
                let limit = CgroupWrite(controller: "memory", file: "memory.limit_in_bytes", value: String(bytes))
                let memsw = CgroupWrite(
                    controller: "memory", file: "memory.memsw.limit_in_bytes", value: String(bytes), optional: true)
                let lowering = bytes <= (currentMemoryBytes ?? .max)
                writes += lowering ? [limit, memsw] : [memsw, limit]
            case .v2:
                writes.append(CgroupWrite(controller: "memory", file: "memory.max", value: String(bytes)))
                writes.append(CgroupWrite(controller: "memory", file: "memory.swap.max", value: "0", optional: true))
                writes.append(CgroupWrite(controller: "memory", file: "memory.oom.group", value: "1"))
            }
        }
        if let pids {
            writes.append(CgroupWrite(controller: "pids", file: "pids.max", value: String(max(1, pids))))
        }
        return writes
    }

    /// The controllers these limits need.
    var controllers: [String] {
        (cpus == nil ? [] : ["cpu"]) + (memoryBytes == nil ? [] : ["memory"]) + (pids == nil ? [] : ["pids"])
    }
}
