public import BoxCore
public import BoxStore
import Foundation
public import Logging

/// Hosts the batch framework: subscribes to the master through a scheduler transport, feeds events and the
/// passing seconds to the `BatchScheduler`, sends its calls back, and keeps jobs (kind `batch.jobs`) and runs
/// (kind `batch.runs`) in the store.
public actor BatchService {
    public static let jobKind = "batch.jobs"
    public static let runKind = "batch.runs"
    private var scheduler = BatchScheduler()
    private let transport: any SchedulerTransport
    private let jobRecords: JSONRecords<BatchJob>
    private let runRecords: JSONRecords<BatchRun>
    private let clock: any ClusterClock
    private let logger: Logger
    private var frameworkID: FrameworkID?
    /// Calls in the order the scheduler made them. Each method appends before its first `await`, and one drain
    /// at a time sends them, so two interleaved actor hops cannot reorder a SUPPRESS and a REVIVE.
    private var outbox: [Call] = []
    private var draining = false
    /// Waiters for a run to change, woken on every change.
    private let changes = JobChanges()

    public init(transport: any SchedulerTransport, store: any ObjectStore, clock: any ClusterClock, logger: Logger) {
        self.transport = transport
        jobRecords = JSONRecords(kind: Self.jobKind, store: store, logger: logger)
        runRecords = JSONRecords(kind: Self.runKind, store: store, logger: logger)
        self.clock = clock
        self.logger = logger
    }

    public nonisolated var now: Instant { clock.now }

    /// Restores jobs from the store, subscribes, then handles events and starts due runs every second until
    /// cancelled.
    public func run() async {
        await restore()
        let events = await transport.subscribe(FrameworkInfo(name: "batch", role: "batch", failoverTimeoutSeconds: 0))
        await withDiscardingTaskGroup { group in
            group.addTask {
                while (try? await self.clock.sleep(for: .seconds(1))) != nil { await self.tick() }
            }
            for await event in events { await handle(event) }
            group.cancelAll()
        }
    }

    // MARK: - Requests

    public func create(_ job: BatchJob) async throws(BatchError) -> BatchJob {
        let calls = try scheduler.create(job, now: clock.now)
        await carryOut(calls)
        logger.info("Job created", metadata: ["job.name": "\(job.name)", "job.command": "\(job.command)"])
        return scheduler.jobs[job.name] ?? job
    }

    public func runNow(_ name: String) async throws(BatchError) -> BatchRun {
        let (run, calls) = try scheduler.runNow(name, now: clock.now)
        await carryOut(calls)
        return run
    }

    public func delete(_ name: String) async throws(BatchError) {
        let calls = try scheduler.delete(name, now: clock.now)
        await carryOut(calls)
        logger.info("Job deleted", metadata: ["job.name": "\(name)"])
    }

    public func kill(run id: String) async -> Bool {
        guard scheduler.runs[id] != nil else { return false }
        await carryOut(scheduler.kill(run: id, now: clock.now))
        return true
    }

    public func job(_ name: String) -> BatchJob? { scheduler.jobs[name] }
    public func jobs() -> [BatchJob] { Array(scheduler.jobs.values) }
    public func run(_ id: String) -> BatchRun? { scheduler.runs[id] }
    public func history(of name: String) -> [BatchRun]? {
        scheduler.jobs[name] == nil ? nil : scheduler.history(of: name)
    }

    /// Waits until the run is in another state than `state`, or `timeout` passes.
    public func waitForChange(of id: String, from state: BatchRun.State, timeout: Duration) async -> BatchRun? {
        let deadline = clock.now + timeout
        while clock.now < deadline {
            let generation = changes.generation
            guard let run = scheduler.runs[id] else { return nil }
            if run.state != state { return run }
            await changes.wait(after: generation, timeout: deadline - clock.now, clock: clock)
        }
        return scheduler.runs[id]
    }

    // MARK: - Events and time

    private func tick() async {
        await carryOut(scheduler.tick(now: clock.now))
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
        await carryOut(calls)
    }

    /// Sends the calls in order, then stores what changed.
    private func carryOut(_ calls: [Call]) async {
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
        let changed = scheduler.takeChanges()
        guard !changed.isEmpty else { return }
        for job in changed.jobs { await jobRecords.put(job, name: job.name) }
        for run in changed.runs { await runRecords.put(run, name: run.id) }
        for name in changed.removedJobs { await jobRecords.remove(name) }
        for id in changed.removedRuns { await runRecords.remove(id) }
        changes.wakeAll()
    }

    private func restore() async {
        let jobs = await jobRecords.loadAll()
        let runs = await runRecords.loadAll()
        outbox += scheduler.restore(jobs: jobs, runs: runs, now: clock.now)
        await persist()
        if !jobs.isEmpty { logger.info("Restored \(jobs.count) jobs and \(runs.count) runs") }
    }
}
