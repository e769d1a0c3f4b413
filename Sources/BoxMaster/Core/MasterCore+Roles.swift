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

    /// Changes a role's weight and/or quota, keeping what is not given; answers the role's new policy.
    public mutating func updateRole(_ name: String, weight: Double?, quota: Resources?) -> RolePolicy {
        var policy = self.policy(of: name)
        if let weight { policy.weight = weight }
        if let quota { policy.quota = quota.scalars }
        setRole(name, policy)
        return policy
    }

    /// Sets a role's weight and quota (an operator's `clusterbox role set`). The next allocation pass uses them.
    public mutating func setRole(_ name: String, _ policy: RolePolicy) {
        roles[name] = policy
        allocationPending = true
    }

    public func policy(of role: String) -> RolePolicy { roles[role] ?? RolePolicy() }

    /// Roles with a policy or a framework, sorted.
    public var roleNames: [String] { Set(roles.keys).union(frameworks.values.map(\.info.role)).sorted() }

    /// The frameworks subscribed with `role`.
    public func frameworks(inRole role: String) -> [FrameworkEntry] { frameworks.values.filter { $0.info.role == role } }

    /// What a role's frameworks hold (offers and tasks), the measure of its quota.
    public func allocated(toRole role: String) -> Resources {
        frameworks.values.reduce(into: Resources.zero) { if $1.info.role == role { $0 += $1.allocated } }
    }

    /// A framework's weight in DRF: its role's weight times its own. (Mesos sorts roles, then frameworks within
    /// a role; here the role's weight scales each of its frameworks, which is the same with one framework a role.)
    public func effectiveWeight(_ framework: FrameworkEntry) -> Double {
        policy(of: framework.info.role).weight * framework.info.weight
    }

    /// What each role still lacks of its quota (only roles that lack something).
    func quotaShortfalls() -> [String: Resources] {
        var short: [String: Resources] = [:]
        for (name, policy) in roles where !policy.quota.isEmpty {
            let held = allocated(toRole: name)
            let q = policy.quota
            let lack = Resources(
                milliCPUs: max(0, q.milliCPUs - held.milliCPUs), memoryMiB: max(0, q.memoryMiB - held.memoryMiB),
                diskMiB: max(0, q.diskMiB - held.diskMiB), gpus: max(0, q.gpus - held.gpus))
            if !lack.isEmpty { short[name] = lack }
        }
        return short
    }
}

extension Resources {
    /// True when these resources include some of a resource `shortfall` asks for: an agent worth offering to a
    /// role below its quota. An agent with none of what the role lacks (say no GPUs for a GPU quota) goes to DRF.
    func helps(_ shortfall: Resources) -> Bool {
        (shortfall.milliCPUs > 0 && milliCPUs > 0) || (shortfall.memoryMiB > 0 && memoryMiB > 0)
            || (shortfall.diskMiB > 0 && diskMiB > 0) || (shortfall.gpus > 0 && gpus > 0)
    }
}
