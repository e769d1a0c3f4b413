/// One property of a transient unit, with its D-Bus type: the `(sv)` pairs of `StartTransientUnit`.
public struct UnitProperty: Sendable, Hashable, CustomStringConvertible {
    public enum Value: Sendable, Hashable {
        case bool(Bool)  // b
        case string(String)  // s
        case uint64(UInt64)  // t
        case uint32Array([UInt32])  // au

        /// The D-Bus signature inside the variant.
        public var signature: String {
            switch self {
            case .bool: "b"
            case .string: "s"
            case .uint64: "t"
            case .uint32Array: "au"
            }
        }
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\(value)" }
}

/// The properties of a task's transient scope, as crun sends them (runtime.md §3.3). Pure.
public struct ScopeProperties: Sendable, Hashable {
    public var description: String
    public var pids: [Int32]
    public var limits: CgroupLimits
    /// v2 (unified) takes `CPUWeight`, v1 and hybrid `CPUShares`.
    public var unified: Bool
    /// A slice for the scope (`clusterbox.slice`); nil leaves systemd's default (`system.slice`).
    public var slice: String?

    public init(description: String, pids: [Int32], limits: CgroupLimits, unified: Bool, slice: String? = nil) {
        self.description = description
        self.pids = pids
        self.limits = limits
        self.unified = unified
        self.slice = slice
    }

    /// In crun's order. Accounting flags only for the resources that are limited; swap off with the memory
    /// limit, as `CgroupLimits` does on cgroupfs.
    public var properties: [UnitProperty] {
        var properties: [UnitProperty] = []
        if let slice { properties.append(UnitProperty("Slice", .string(slice))) }
        properties.append(UnitProperty("DefaultDependencies", .bool(false)))
        properties.append(UnitProperty("Description", .string(description)))
        properties.append(UnitProperty("PIDs", .uint32Array(pids.map { UInt32(bitPattern: $0) })))
        properties.append(UnitProperty("Delegate", .bool(true)))
        if limits.cpus != nil { properties.append(UnitProperty("CPUAccounting", .bool(true))) }
        if limits.memoryBytes != nil { properties.append(UnitProperty("MemoryAccounting", .bool(true))) }
        if limits.pids != nil { properties.append(UnitProperty("TasksAccounting", .bool(true))) }
        if let bytes = limits.memoryBytes {
            properties.append(UnitProperty("MemoryMax", .uint64(bytes)))
            properties.append(UnitProperty("MemorySwapMax", .uint64(0)))
        }
        if let pids = limits.pids { properties.append(UnitProperty("TasksMax", .uint64(UInt64(max(1, pids))))) }
        if let quota = limits.cpuQuotaMicroseconds {
            properties.append(UnitProperty("CPUQuotaPerSecUSec", .uint64(Self.quotaPerSecond(quota))))
            properties.append(
                UnitProperty("CPUQuotaPeriodUSec", .uint64(UInt64(CgroupLimits.cpuPeriodMicroseconds))))
        }
        if unified, let weight = limits.cpuWeight {
            properties.append(UnitProperty("CPUWeight", .uint64(UInt64(weight))))
        } else if let shares = limits.cpuShares {
            properties.append(UnitProperty("CPUShares", .uint64(UInt64(shares))))
        }
        return properties
    }

    /// CPU time per second of wall time: quota × 1 000 000 / period, rounded up to a multiple of 10 000 µs
    /// (systemd keeps CPUQuota= in whole percent, and crun rounds up so that a limit never shrinks).
    static func quotaPerSecond(_ quotaMicroseconds: Int) -> UInt64 {
        let perSecond = UInt64(quotaMicroseconds) * 1_000_000 / UInt64(CgroupLimits.cpuPeriodMicroseconds)
        return (perSecond + 9_999) / 10_000 * 10_000
    }
}
