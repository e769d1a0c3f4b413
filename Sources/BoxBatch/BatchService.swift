public import BoxCore
public import BoxStore
import Foundation
public import Logging

/// Hosts the batch framework: subscribes to the master through a scheduler transport, feeds events to the
/// `BatchScheduler`, sends its calls back, and keeps every job in the store (kind `batch.jobs`).
public actor BatchService {
    public static let storeKind = "batch.jobs"
    private var scheduler = BatchScheduler()
    private let transport: any SchedulerTransport
    private let store: any ObjectStore
    private let clock: any ClusterClock
    private let logger: Logger
    private var frameworkID: FrameworkID?
    /// Calls in the order the scheduler made them. Each method appends before its first `await`, and one drain
    /// at a time sends them, so two interleaved actor hops cannot reorder a SUPPRESS and a REVIVE.
    private var outbox: [Call] = []
    private var draining = false
    /// Waiters for a job to change, woken on every change.
    private let changes = JobChanges()

    public init(transport: any SchedulerTransport, store: any ObjectStore, clock: any ClusterClock, logger: Logger) {
        self.transport = transport
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Restores jobs from the store, subscribes, and handles events until cancelled. Jobs that were running when
    /// the daemon stopped are lost (their processes ended with it); queued ones wait again.
    public func run() async {
        await restore()
        let events = await transport.subscribe(FrameworkInfo(name: "batch", role: "batch", failoverTimeoutSeconds: 0))
        for await event in events {
            await handle(event)
        }
    }

    public func submit(command: String, resources: Resources, agent: String?) async -> BatchJob {
        let id = String(UUID().uuidString.prefix(8)).lowercased()
        let job = BatchJob(id: id, command: command, resources: resources, agent: agent, submittedAt: clock.now)
        outbox += scheduler.submit(job)
        await drain()
        await persist()
        logger.info("Job submitted", metadata: ["job.id": "\(id)", "job.command": "\(command)"])
        return job
    }

    public func job(_ id: String) -> BatchJob? { scheduler.jobs[id] }

    public func jobs() -> [BatchJob] { Array(scheduler.jobs.values) }

    public func kill(_ id: String) async -> Bool {
        guard scheduler.jobs[id] != nil else { return false }
        outbox += scheduler.kill(id, now: clock.now)
        await drain()
        await persist()
        return true
    }

    /// Waits until the job is in another state than `state`, or `timeout` passes.
    public func waitForChange(of id: String, from state: BatchJob.State, timeout: Duration) async -> BatchJob? {
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let generation = changes.generation
            guard let job = scheduler.jobs[id] else { return nil }
            if job.state != state { return job }
            await changes.wait(after: generation, timeout: deadline - clock.now, clock: clock)
        }
        return scheduler.jobs[id]
    }

    private func handle(_ event: Event) async {
        let now = clock.now
        var calls: [Call] = []
        switch event {
        case .subscribed(let id, _):
            frameworkID = id
            calls = scheduler.subscribed(id)
            logger.info("Batch framework subscribed", metadata: ["framework.id": "\(id)"])
        case .offers(let offers):
            calls = scheduler.offers(offers, now: now)
        case .update(let status):
            calls = scheduler.update(status, now: now)
        case .error(let message):
            logger.error("Master refused the batch framework: \(message)")
        case .rescind, .message, .failure, .heartbeat:
            break
        }
        outbox += calls
        await drain()
        await persist()
    }

    private func drain() async {
        guard !draining else { return }
        draining = true
        while !outbox.isEmpty, let frameworkID {
            await transport.send(outbox.removeFirst(), from: frameworkID)
        }
        draining = false
    }

    private func persist() async {
        let changed = scheduler.takeChanged()
        guard !changed.isEmpty else { return }
        let encoder = JSONEncoder()
        for job in changed {
            let key = ObjectKey(kind: Self.storeKind, name: job.id)
            guard let value = try? encoder.encode(job) else { continue }
            do {
                try await store.put(key, value: Array(value))
            } catch {
                logger.warning("Could not store job \(job.id): \(error)")
            }
        }
        changes.wakeAll()
    }

    private func restore() async {
        guard
            let (objects, _) = try? await store.list(
                kind: Self.storeKind, namespace: "", namePrefix: "", selector: .everything)
        else { return }
        let decoder = JSONDecoder()
        for object in objects {
            guard var job = try? decoder.decode(BatchJob.self, from: Data(object.value)) else { continue }
            if job.state == .staging || job.state == .running {
                job.state = .lost
                job.message = "The cluster stopped while the job ran"
                job.finishedAt = clock.now
            }
            _ = scheduler.submit(job)
        }
        await persist()
    }
}
