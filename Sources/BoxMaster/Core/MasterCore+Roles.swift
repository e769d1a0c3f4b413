public import BoxCore

/// An operator's settings for a role: its DRF weight and the resources guaranteed to it.
public struct RolePolicy: Hashable, Sendable, Codable {
    public var weight: Double
    /// Resources the role's frameworks are offered first, before DRF divides the rest (zero: no guarantee).
    public var quota: Resources

    public init(weight: Double = 1, quota: Resources = .zero) {
        precondition(weight > 0, "a role's weight must be positive")
        self.weight = weight
        self.quota = quota.scalars
    }
}

extension MasterCore {
    // MARK: - Role inputs

    /// Sets a role's weight and quota (an operator's `clusterbox role set`). The next allocation pass uses them.
    public mutating func setRole(_ name: String, _ policy: RolePolicy) {
        roles[name] = policy
        allocationPending = true
    }

    public func policy(of role: String) -> RolePolicy { roles[role] ?? RolePolicy() }

    /// What a role's frameworks hold (offers and tasks), the measure of its quota.
    public func allocated(toRole role: String) -> Resources {
        frameworks.values.reduce(into: Resources.zero) { if $1.info.role == role { $0 += $1.allocated } }
    }

    /// A framework's weight in DRF: its role's weight times its own.
    func effectiveWeight(_ framework: FrameworkEntry) -> Double {
        policy(of: framework.info.role).weight * framework.info.weight
    }

    /// Roles still below their quota in some resource.
    func rolesBelowQuota() -> Set<String> {
        var below: Set<String> = []
        for (name, policy) in roles where !policy.quota.isEmpty {
            let held = allocated(toRole: name)
            let q = policy.quota
            if held.milliCPUs < q.milliCPUs || held.memoryMiB < q.memoryMiB || held.diskMiB < q.diskMiB || held.gpus < q.gpus {
                below.insert(name)
            }
        }
        return below
    }
}
