public import BoxCore
public import Collections

/// Marathon's decisions, pure. It keeps the declared apps and their tasks, turns every change into a deployment,
/// and reconciles each app level-triggered, as Kubernetes controllers do: from the app's target (instances,
/// config version, upgrade strategy) and its live tasks it works out what to kill and how many to launch; offers
/// fill the launches; status updates and health results move tasks; deployments only watch for their target.
/// Time comes in as `now`; events and store changes come out through `takeEvents()` and `takeChanges()`.
public struct MarathonScheduler: Sendable {
    /// The declared apps, as the API shows and the store keeps them.
    public internal(set) var apps: OrderedDictionary<PathID, App> = [:]
    /// The apps as the scheduler runs them now: a deployment's step applies its apps' targets when it starts,
    /// so dependencies come up before the apps that need them.
    public internal(set) var running: [PathID: App] = [:]
    public internal(set) var tasks: [PathID: OrderedDictionary<TaskID, AppTask>] = [:]
    public internal(set) var deployments: OrderedDictionary<String, Deployment> = [:]
    /// Every stored version of every app, oldest first.
    public internal(set) var versions: [PathID: OrderedDictionary<Instant, App>] = [:]
    public internal(set) var lastTaskFailure: [PathID: TaskFailure] = [:]
    public internal(set) var backoff: [PathID: Backoff] = [:]
    /// Launches each app still needs, worked out by `reconcile`.
    public internal(set) var pending: [PathID: Int] = [:]
    public private(set) var frameworkID: FrameworkID?
    var taskApp: [TaskID: PathID] = [:]
    var suppressed = false
    var random: SeededGenerator
    var events: [TimedEvent] = []
    var changes = Changes()
    /// Where `port: 0` service ports come from: Marathon's `local_port_min/max`.
    public static let servicePortRange = 10000...20000
    public static let versionsPerApp = 50

    /// Consecutive unexpected task ends of an app and the launch delay they caused.
    public struct Backoff: Hashable, Sendable, Codable {
        public var failures = 0
        public var lastFailureAt: Instant?
        public var delayUntil: Instant?
    }

    /// What the host must write to, or delete from, the store.
    public struct Changes: Sendable {
        public var apps: OrderedSet<PathID> = []
        public var removedApps: OrderedSet<PathID> = []
        public var versions: [(PathID, Instant)] = []
        public var removedVersions: [(PathID, Instant)] = []
        public var deployments: OrderedSet<String> = []
        public var removedDeployments: OrderedSet<String> = []
        public var tasks: OrderedSet<TaskID> = []
        public var removedTasks: OrderedSet<TaskID> = []

        public var isEmpty: Bool {
            apps.isEmpty && removedApps.isEmpty && versions.isEmpty && removedVersions.isEmpty && deployments.isEmpty
                && removedDeployments.isEmpty && tasks.isEmpty && removedTasks.isEmpty
        }
    }

    public init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    public mutating func takeEvents() -> [TimedEvent] {
        defer { events.removeAll() }
        return events
    }

    public mutating func takeChanges() -> Changes {
        defer { changes = Changes() }
        return changes
    }

    public func task(_ id: TaskID) -> AppTask? { taskApp[id].flatMap { tasks[$0]?[id] } }

    /// The app's tasks that have not ended (including those being killed).
    public func liveTasks(_ id: PathID) -> [AppTask] { tasks[id].map { Array($0.values) } ?? [] }

    public func deployments(of app: PathID) -> [Deployment] {
        deployments.values.filter { $0.affectedApps.contains(app) }
    }

    // MARK: - Events from the master

    /// Subscribed (again): asks the master about every task we remember; the ones it does not know are replaced.
    public mutating func subscribed(_ id: FrameworkID, now: Instant) -> [Call] {
        frameworkID = id
        suppressed = false
        var calls: [Call] = []
        let known = tasks.values.flatMap(\.keys)
        if !known.isEmpty { calls.append(.reconcile(tasks: known.sorted())) }
        return calls + reconcileAll(now: now)
    }

    public mutating func update(_ status: TaskStatus, now: Instant) -> [Call] {
        var calls: [Call] = []
        if let uuid = status.uuid, let agentID = status.agentID {
            calls.append(.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid))
        }
        guard let appID = taskApp[status.taskID], var task = tasks[appID]?[status.taskID] else {
            // A task we do not know (forgotten while its agent was away) must not run beside its replacement,
            // also when the master reports it (TASK_RUNNING, "Agent reregistered"). Not while it is unreachable:
            // a kill cannot reach it then, and the master would only answer with TASK_UNREACHABLE again.
            if !status.state.isTerminal && status.state != .unreachable {
                calls.append(.kill(taskID: status.taskID, agentID: status.agentID))
            }
            return calls
        }
        let previous = task.state
        task.state = status.state
        if status.state == .running && task.startedAt == nil {
            task.startedAt = now
            task.health = startHealth(of: appID, at: now)
        }
        if previous != status.state || status.source != .master {
            events.append(TimedEvent(event: .statusUpdate(task, message: status.message), at: now))
            if previous != status.state { events.append(TimedEvent(event: .instanceChanged(task), at: now)) }
        }
        // Unreachable counts as gone: Marathon's default unreachable strategy replaces at once, and a task that
        // comes back is killed above as unknown.
        if status.state.isTerminal || status.state == .unreachable {
            ended(task, status: status, now: now)
        } else {
            record(task)
        }
        // REVIVE now when the update leaves a launch to do (a replacement), rather than at the next tick.
        calls += reconcile(appID, now: now)
        return calls + reviveOrSuppress(now: now)
    }

    /// Moves time: launch delays run out, health checks are due, deployments move on.
    public mutating func tick(now: Instant) -> [Call] {
        reconcileAll(now: now)
    }

    // MARK: - Bookkeeping

    mutating func record(_ task: AppTask) {
        tasks[task.appID, default: [:]][task.id] = task
        taskApp[task.id] = task.appID
        changes.tasks.append(task.id)
        changes.removedTasks.remove(task.id)
    }

    mutating func forget(_ task: AppTask) {
        tasks[task.appID]?.removeValue(forKey: task.id)
        if tasks[task.appID]?.isEmpty == true { tasks.removeValue(forKey: task.appID) }
        taskApp.removeValue(forKey: task.id)
        changes.tasks.remove(task.id)
        changes.removedTasks.append(task.id)
    }

    /// A task ended: forget it, and count it against the app's backoff unless Marathon killed it.
    private mutating func ended(_ task: AppTask, status: TaskStatus, now: Instant) {
        forget(task)
        // Killed by Marathon, or unknown to a master that restarted: replaced, but not a failure of the app.
        guard !task.killing, status.reason != .reconciliation else { return }
        lastTaskFailure[task.appID] = TaskFailure(
            appID: task.appID, taskID: task.id, agentID: task.agentID, host: task.host, state: status.state,
            message: status.message ?? "", timestamp: now, version: task.version)
        // As Marathon's launch rate limiter: only ends the app's command caused count against it, not an agent
        // that went away (unreachable, lost) or a kill from elsewhere.
        let counted: Set<TaskState> = [.failed, .error, .dropped, .gone, .finished]
        guard let app = running[task.appID], counted.contains(status.state) else { return }
        var state = backoff[task.appID] ?? Backoff()
        if let last = state.lastFailureAt, (now - last).seconds > app.maxLaunchDelaySeconds { state.failures = 0 }
        state.failures += 1
        state.lastFailureAt = now
        // The first unexpected end is replaced at once; from the second in a row the launch waits
        // backoffSeconds × backoffFactor^(n-2), at most maxLaunchDelaySeconds.
        if state.failures >= 2 {
            let seconds = min(
                app.backoffSeconds * power(app.backoffFactor, state.failures - 2), app.maxLaunchDelaySeconds)
            state.delayUntil = now + .nanoseconds(Int64(seconds * 1e9))
        }
        backoff[task.appID] = state
    }

    mutating func emit(_ event: MarathonEvent, _ now: Instant) {
        events.append(TimedEvent(event: event, at: now))
    }

    mutating func uuid() -> String {
        let a = random.next()
        let b = random.next()
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text.suffix(digits)
        }
        return "\(hex(a >> 32, 8))-\(hex((a >> 16) & 0xffff, 4))-4\(hex(a & 0xfff, 3))-"
            + "\(hex(8 | (b >> 62), 1))\(hex((b >> 48) & 0xfff, 3))-\(hex(b & 0xffff_ffff_ffff, 12))"
    }
}

/// `base^exponent` for a small whole exponent, without Foundation.
func power(_ base: Double, _ exponent: Int) -> Double {
    (0..<max(exponent, 0)).reduce(1.0) { value, _ in value * base }
}

extension MarathonScheduler {
    /// Brings back what the store kept. Every app runs as declared (reconciliation finishes what a deployment
    /// had started); tasks are asked about when Marathon subscribes, and the ones the master does not know are
    /// replaced.
    public mutating func restore(apps restored: [App], versions: [App], deployments: [Deployment], tasks: [AppTask]) {
        for app in restored.sorted(by: { $0.id < $1.id }) {
            apps[app.id] = app
            running[app.id] = app
        }
        for app in versions.sorted(by: { $0.version < $1.version }) {
            self.versions[app.id, default: [:]][app.version] = app
        }
        for deployment in deployments.sorted(by: { $0.version < $1.version }) {
            self.deployments[deployment.id] = deployment
        }
        for task in tasks where apps[task.appID] != nil || running[task.appID] != nil {
            self.tasks[task.appID, default: [:]][task.id] = task
            taskApp[task.id] = task.appID
        }
    }
}
