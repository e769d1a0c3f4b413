public import BoxCore
public import Collections

/// The Mesos-style master as a pure state machine: agents and their resources, frameworks, offers and tasks.
///
/// Each input is a mutating method that takes `now` and returns the effects to carry out, in order: events to
/// frameworks, commands to agents, narration. It never reads a clock, does IO or makes random ids, so the same
/// inputs give the same outputs (the simulation tests rely on this).
public struct MasterCore: Sendable {
    public let config: MasterConfig

    // MARK: - State

    public internal(set) var agents: OrderedDictionary<AgentID, AgentEntry> = [:]
    /// Agents removed after being unreachable too long; they may only register again under a new id.
    public internal(set) var removedAgents: OrderedSet<AgentID> = []
    public internal(set) var frameworks: OrderedDictionary<FrameworkID, FrameworkEntry> = [:]
    public internal(set) var completedFrameworks: Deque<FrameworkEntry> = []
    public internal(set) var offers: [OfferID: OfferEntry] = [:]
    /// Every task not yet terminal and acknowledged, including tasks of removed frameworks still being killed.
    public internal(set) var tasks: [TaskRef: TaskEntry] = [:]
    public internal(set) var counters = MasterCounters()
    /// Operators' weights and quotas by role name; a role not listed has weight 1 and no quota.
    public internal(set) var roles: [String: RolePolicy] = [:]
    public let startedAt: Instant

    var nextAgentNumber = 0
    var nextFrameworkNumber = 0
    var nextOfferNumber = 0
    /// Something changed that may let an allocation pass offer more: run one at the next tick.
    var allocationPending = false
    var lastAllocation: Instant
    /// Where the next allocation pass starts in the agent list, so that no agent is always offered first.
    var allocationCursor = 0
    /// Tasks with updates waiting for acknowledgement; kept so that retries do not scan every task.
    var awaitingAcknowledgement: Set<TaskRef> = []
    /// No awaiting task's `nextRetry` is before this (nil: none is set), so `resendUpdates` can skip its scan.
    var earliestRetry: Instant?

    public init(config: MasterConfig, now: Instant) {
        self.config = config
        self.startedAt = now
        self.lastAllocation = now
    }

    // MARK: - Derived views

    /// The resources of all reachable agents.
    public var clusterTotal: Resources {
        agents.values.reduce(into: Resources.zero) { if $1.isActive { $0 += $1.total.scalars } }
    }

    /// Each framework's weighted dominant share and the resource it is in.
    public func dominantShares() -> [(FrameworkID, share: Double, resource: String)] {
        let total = clusterTotal
        return frameworks.values.map { framework in
            let (share, resource) = DRFSorter.dominantShare(of: framework.allocated, in: total)
            return (framework.id, share, resource)
        }
    }

    public func task(_ ref: TaskRef) -> TaskEntry? { tasks[ref] }

    // MARK: - Ticks

    /// Time passes: agents that went silent become unreachable and later removed, offers expire, unacknowledged
    /// updates are resent, frameworks get heartbeats and are removed after their failover timeout, and an
    /// allocation pass runs when one is due.
    public mutating func tick(now: Instant) -> [MasterEffect] {
        var effects: [MasterEffect] = []
        checkAgents(now: now, into: &effects)
        expireOffers(now: now, into: &effects)
        resendUpdates(now: now, into: &effects)
        checkFrameworks(now: now, into: &effects)
        if allocationPending || now - lastAllocation >= config.allocationInterval {
            effects += allocate(now: now)
        }
        return effects
    }

    // MARK: - Helpers shared by the extensions

    func observe(_ event: ClusterEvent) -> MasterEffect { .observe(event) }

    mutating func makeOfferID() -> OfferID {
        nextOfferNumber += 1
        return OfferID("\(config.masterID)-O\(nextOfferNumber)")
    }

    /// Clamps `refuse_seconds` as Mesos does: negative means the default, more than a year is a year.
    func refuseDuration(_ seconds: Double) -> Duration {
        let value =
            seconds.isFinite ? (seconds < 0 ? config.defaultRefuseSeconds : min(seconds, 31_536_000)) : 31_536_000
        return .nanoseconds(Int64(value * 1e9))
    }
}
