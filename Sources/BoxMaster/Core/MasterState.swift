public import BoxCore
public import Collections

/// A registered agent as the master sees it.
public struct AgentEntry: Sendable, Hashable {
    public enum Status: Hashable, Sendable {
        case active
        case unreachable(since: Instant)
    }

    public var id: AgentID
    public var hostname: String
    public var attributes: Labels
    public var kind: String
    public var total: Resources
    /// Held by outstanding offers.
    public var offered: Resources = .zero
    /// Held by tasks that have not reached a terminal state.
    public var used: Resources = .zero
    public var status: Status = .active
    public var registeredAt: Instant
    public var lastHeartbeat: Instant
    /// Its tasks not yet terminal. A set: removal is O(1); whoever iterates it sorts first, for determinism.
    public var tasks: Set<TaskRef> = []

    public var free: Resources { total - offered - used }
    public var isActive: Bool { status == .active }
}

/// A framework and task, the key of a task in the master (task ids are unique per framework).
public struct TaskRef: Hashable, Sendable, Comparable {
    public var frameworkID: FrameworkID
    public var taskID: TaskID

    public init(_ frameworkID: FrameworkID, _ taskID: TaskID) {
        self.frameworkID = frameworkID
        self.taskID = taskID
    }

    public static func < (lhs: TaskRef, rhs: TaskRef) -> Bool {
        (lhs.frameworkID, lhs.taskID) < (rhs.frameworkID, rhs.taskID)
    }
}

/// A task the master tracks, with its status updates still waiting for the framework's acknowledgement.
public struct TaskEntry: Sendable, Hashable {
    public var info: TaskInfo
    public var frameworkID: FrameworkID
    public var state: TaskState
    public var latest: TaskStatus
    public var launchedAt: Instant
    /// Updates not yet acknowledged, oldest first. Only the first is in flight, as in Mesos' status update stream.
    public var unacknowledged: Deque<TaskStatus> = []
    public var nextRetry: Instant?
    public var retryInterval: Duration = .zero
}

/// A subscribed (or disconnected, within its failover timeout) framework.
public struct FrameworkEntry: Sendable, Hashable {
    public var id: FrameworkID
    public var info: FrameworkInfo
    public var registeredAt: Instant
    public var connected = true
    public var disconnectedAt: Instant?
    public var suppressed = false
    /// What this framework refused on each agent, and until when. As in Mesos, a filter holds back only offers
    /// that fit inside the refused resources: once more is free on the agent (a task ended), it is offered again.
    public var filters: [AgentID: RefusalFilter] = [:]
    /// Outstanding offers (a set; sorted where order shows).
    public var offers: Set<OfferID> = []
    /// Scalars held through offers and running tasks: what DRF counts.
    public var allocated: Resources = .zero
    /// Resources of its tasks only.
    public var used: Resources = .zero
    /// Tasks not yet completed (a set; sorted where order shows).
    public var tasks: Set<TaskID> = []
    public var completedTasks: Deque<TaskEntry> = []
    public var lastHeartbeatSent: Instant
    public var unregisteredAt: Instant?
}

/// An outstanding offer.
public struct OfferEntry: Sendable, Hashable {
    public var offer: Offer
    public var expiresAt: Instant
}

/// Running counts for `/metrics`.
public struct MasterCounters: Sendable, Hashable {
    public var offersMade = 0
    public var offersDeclined = 0
    public var offersRescinded = 0
    public var offersAccepted = 0
    public var tasksLaunched = 0
    public var tasksInvalid = 0
    public var allocationPasses = 0
    public var statusUpdatesResent = 0
}

/// Resources of one agent a framework refused, until `until`.
public struct RefusalFilter: Sendable, Hashable {
    public var resources: Resources
    public var until: Instant

    /// True while the filter lasts and `free` is no more than what was refused.
    public func holdsBack(_ free: Resources, now: Instant) -> Bool { until > now && resources.contains(free) }
}
