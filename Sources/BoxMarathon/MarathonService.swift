public import BoxCore
public import BoxStore
import Foundation
public import Logging

/// Hosts Marathon: subscribes to the master through a scheduler transport, feeds events, time and health results
/// to the `MarathonScheduler`, sends its calls back in order, runs the health checks it asks for, publishes its
/// events, and keeps apps, versions, deployments and tasks in the store.
public actor MarathonService {
    public static let appKind = "marathon.apps"
    public static let versionKind = "marathon.versions"
    public static let deploymentKind = "marathon.deployments"
    public static let taskKind = "marathon.tasks"

    var scheduler: MarathonScheduler
    private let transport: any SchedulerTransport
    let records: Records
    private let clock: any ClusterClock
    let logger: Logger
    private let prober = HealthProbe()
    private var outbox: [Call] = []
    private var draining = false
    public nonisolated let events = EventBroadcast<TimedEvent>()
    public private(set) var frameworkID: FrameworkID?
    /// Finds a task's sandbox on its agent: COMMAND checks run there, as Mesos runs them.
    private var sandbox: @Sendable (TaskID) async -> String? = { _ in nil }
    /// Told of every task change in order (unlike `events`, it never drops one): service discovery learns from it
    /// which tasks are ready (running and healthy).
    private var taskObserver: (@Sendable (AppTask) -> Void)?

    public init(transport: any SchedulerTransport, store: any ObjectStore, clock: any ClusterClock, logger: Logger) {
        self.transport = transport
        records = Records(store: store, logger: logger)
        self.clock = clock
        self.logger = logger
        scheduler = MarathonScheduler(seed: UInt64.random(in: 0...UInt64.max))
    }

    public nonisolated var now: Instant { clock.now }

    public func findSandboxes(with lookup: @escaping @Sendable (TaskID) async -> String?) { sandbox = lookup }

    public func observeTasks(with observer: @escaping @Sendable (AppTask) -> Void) { taskObserver = observer }

    /// Restores state, subscribes, then handles events, ticks every 100 ms and runs due health checks, until
    /// cancelled.
    public func run() async {
        await restore()
        let stream = await transport.subscribe(
            FrameworkInfo(name: "marathon", role: "marathon", failoverTimeoutSeconds: 0))
        await withDiscardingTaskGroup { group in
            group.addTask {
                // Probes run beside the ticks, each bounded by its check's timeout.
                await withDiscardingTaskGroup { probes in
                    while (try? await self.clock.sleep(for: .milliseconds(100))) != nil {
                        for request in await self.tick() { probes.addTask { await self.probe(request) } }
                    }
                }
            }
            for await event in stream { await handle(event) }
            group.cancelAll()
        }
        events.finishAll()
    }

    // MARK: - Requests

    public func apps() -> [App] { Array(scheduler.apps.values) }
    public func app(_ id: PathID) -> App? { scheduler.apps[id] }
    public func tasks(of id: PathID) -> [AppTask] { scheduler.liveTasks(id) }
    public func allTasks() -> [AppTask] { scheduler.tasks.keys.sorted().flatMap { scheduler.liveTasks($0) } }
    public func task(_ id: TaskID) -> AppTask? { scheduler.task(id) }
    public func deployments() -> [Deployment] { Array(scheduler.deployments.values) }
    public func deployments(of id: PathID) -> [Deployment] { scheduler.deployments(of: id) }
    public func versions(of id: PathID) -> [Instant] { Array(scheduler.versions[id]?.keys ?? []) }
    /// The stored version that the API names `version`. Versions are kept to the nanosecond but shown, and so asked
    /// for (`GET …/versions/{v}`, a rollback's `{"version": v}`), to the millisecond: the newest version within that
    /// millisecond answers.
    public func version(of id: PathID, at version: Instant) -> App? {
        guard let versions = scheduler.versions[id] else { return nil }
        if let exact = versions[version] { return exact }
        let shown = Timestamp.format(version)
        return versions.values.last { Timestamp.format($0.version) == shown }
    }
    public func lastTaskFailure(of id: PathID) -> TaskFailure? { scheduler.lastTaskFailure[id] }
    public func pending(of id: PathID) -> (count: Int, delayUntil: Instant?) {
        (scheduler.pending[id] ?? 0, scheduler.backoff[id]?.delayUntil)
    }

    public func deploy(_ targets: [PathID: App?], force: Bool, restarting: Set<PathID> = [])
        async
        throws(MarathonError) -> Deployment
    {
        let (deployment, calls) = try scheduler.deploy(targets, force: force, restarting: restarting, now: clock.now)
        await carryOut(calls)
        return deployment
    }

    public func restart(_ id: PathID, force: Bool) async throws(MarathonError) -> Deployment {
        let (deployment, calls) = try scheduler.restart(id, force: force, now: clock.now)
        await carryOut(calls)
        return deployment
    }

    public func kill(_ ids: [TaskID], scale: Bool, force: Bool) async throws(MarathonError) -> Deployment? {
        let (deployment, calls) = try scheduler.kill(ids, scale: scale, force: force, now: clock.now)
        await carryOut(calls)
        return deployment
    }

    public func cancelDeployment(_ id: String, rollback: Bool) async throws(MarathonError) -> Deployment? {
        let (deployment, calls) = try scheduler.cancelDeployment(id, rollback: rollback, now: clock.now)
        await carryOut(calls)
        return deployment
    }

    public func resetDelay(_ id: PathID) async throws(MarathonError) {
        guard scheduler.apps[id] != nil else { throw .notFound("App '\(id)' does not exist") }
        await carryOut(scheduler.resetDelay(id, now: clock.now))
    }

    // MARK: - Events, time, health

    private func tick() async -> [HealthProbeRequest] {
        let now = clock.now
        let calls = scheduler.tick(now: now)
        let due = scheduler.dueHealthChecks(now: now)
        await carryOut(calls)
        return due
    }

    private func probe(_ request: HealthProbeRequest) async {
        var environment = request.environment
        let directory = request.check.protocol == .command ? await sandbox(request.taskID) : nil
        if let directory { environment["MESOS_SANDBOX"] = directory }
        let result = await prober.probe(
            request.check, host: request.host, ports: request.ports, environment: environment, sandbox: directory)
        await carryOut(
            scheduler.healthResult(
                request.taskID, index: request.index, alive: result.alive, cause: result.cause, now: clock.now))
    }

    private func handle(_ event: Event) async {
        let now = clock.now
        var calls: [Call] = []
        switch event {
        case .subscribed(let id, _):
            frameworkID = id
            calls = scheduler.subscribed(id, now: now)
            logger.info("Marathon subscribed", metadata: ["framework.id": "\(id)"])
        case .offers(let offers):
            calls = scheduler.offers(offers, now: now)
        case .update(let status):
            calls = scheduler.update(status, now: now)
        case .error(let message):
            logger.error("Master refused Marathon: \(message)")
        case .rescind, .message, .failure, .heartbeat:
            break
        }
        await carryOut(calls)
    }

    /// Sends the calls in order, publishes events, then stores what changed.
    private func carryOut(_ calls: [Call]) async {
        outbox += calls
        for event in scheduler.takeEvents() {
            events.publish(event)
            switch event.event {
            case .statusUpdate(let task, _), .instanceChanged(let task), .healthStatusChanged(let task, _):
                taskObserver?(task)
            default: break
            }
        }
        if !draining {
            draining = true
            while !outbox.isEmpty, let frameworkID {
                await transport.send(outbox.removeFirst(), from: frameworkID)
            }
            draining = false
        }
        await persist(scheduler.takeChanges())
    }
}
