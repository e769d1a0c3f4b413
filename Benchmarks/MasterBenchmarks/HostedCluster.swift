import BoxAgent
import BoxCore
import BoxMaster
import Logging
import Synchronization

/// The actor hosts as the daemon runs them, in one process: a `MasterService` ticking on the wall clock, and an
/// `AgentService` with a `SimulatedExecutor` per agent, linked by `InProcessAgentUplink`. Frameworks reach the
/// master through `InProcessSchedulerTransport`. Only the HTTP layer of the real daemon is missing.
struct HostedCluster: Sendable {
    let master: MasterService
    private let masterTask: Task<Void, Never>
    private let agentTasks: [Task<Void, Never>]

    static let quietLogger = Logger(label: "clusterbox-bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Starts a master and `agentCount` agents and waits (at most `timeout`) until every agent is registered.
    static func start(
        agentCount: Int, tickInterval: Duration, timeout: Duration = .seconds(60)
    ) async -> HostedCluster? {
        let clock = SystemClock()
        var config = MasterConfig(masterID: "bench")
        config.offerTimeout = .seconds(600)
        let master = MasterService(config: config, clock: clock, logger: quietLogger, tickInterval: tickInterval)
        let masterTask = Task { await master.run() }
        let uplink = InProcessAgentUplink(master: master)
        var agentTasks: [Task<Void, Never>] = []
        agentTasks.reserveCapacity(agentCount)
        for index in 0..<agentCount {
            let executor = SimulatedExecutor(seed: UInt64(index + 1), clock: clock)
            let agent = AgentService(
                name: "agent-\(index)", resources: Workload.agentResources, executor: executor, uplink: uplink,
                clock: clock, logger: quietLogger)
            agentTasks.append(Task { await agent.run() })
        }
        let cluster = HostedCluster(master: master, masterTask: masterTask, agentTasks: agentTasks)
        let deadline = ContinuousClock.now + timeout
        while await master.snapshot().agents.count < agentCount {
            guard ContinuousClock.now < deadline else {
                await cluster.shutdown()
                return nil
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return cluster
    }

    /// Stops the master (which ends every framework's event stream) and then every agent.
    func shutdown() async {
        masterTask.cancel()
        await masterTask.value
        for task in agentTasks { task.cancel() }
        for task in agentTasks { await task.value }
    }
}

/// A framework as an actor: it subscribes through the transport, answers each event with its `DemandModel`'s
/// calls (accepts with launches, declines, suppress, acknowledgements) and reports offers and TASK_RUNNING updates
/// to `progress`.
actor HostedFramework {
    private var model: DemandModel
    private let transport: InProcessSchedulerTransport
    private let progress: HostedProgress

    init(model: DemandModel, transport: InProcessSchedulerTransport, progress: HostedProgress) {
        self.model = model
        self.transport = transport
        self.progress = progress
    }

    /// Runs until the master ends the event stream.
    func run() async {
        let stream = await transport.subscribe(model.info)
        for await event in stream {
            switch event {
            case .offers: progress.offersArrived()
            case .update(let status) where status.state == .running: progress.taskRunning()
            default: break
            }
            let calls = model.handle(event)
            guard let id = model.id else { continue }
            for call in calls { await transport.send(call, from: id) }
        }
    }
}

/// What the hosted frameworks have seen, across all of them: when the first offer arrived and when the
/// `target`th TASK_RUNNING did. `onFirstOffer` and `onDone` start and stop the benchmark's measurement.
final class HostedProgress: Sendable {
    private struct State {
        var firstOffer: ContinuousClock.Instant?
        var lastRunning: ContinuousClock.Instant?
        var running = 0
        var outcome: Bool?
        var waiter: CheckedContinuation<Bool, Never>?
    }

    let target: Int
    private let state = Mutex(State())
    private let onFirstOffer: @Sendable () -> Void
    private let onDone: @Sendable () -> Void

    init(target: Int, onFirstOffer: @escaping @Sendable () -> Void, onDone: @escaping @Sendable () -> Void) {
        self.target = target
        self.onFirstOffer = onFirstOffer
        self.onDone = onDone
    }

    func offersArrived() {
        let first = state.withLock { state -> Bool in
            guard state.firstOffer == nil else { return false }
            state.firstOffer = .now
            return true
        }
        if first { onFirstOffer() }
    }

    func taskRunning() {
        let reached = state.withLock { state -> Bool in
            state.running += 1
            guard state.running == target else { return false }
            state.lastRunning = .now
            return true
        }
        if reached {
            onDone()
            finish(true)
        }
    }

    /// Ends the wait: true when the target was reached, false on a timeout. Only the first call counts.
    func finish(_ reached: Bool) {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = reached
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: reached)
    }

    /// Waits until `finish` is called.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    var running: Int { state.withLock { $0.running } }

    /// From the first offer to the target-th TASK_RUNNING.
    var elapsed: Duration? {
        state.withLock { state in
            guard let first = state.firstOffer, let last = state.lastRunning else { return nil }
            return first.duration(to: last)
        }
    }
}

/// Lets the benchmark object be started and stopped from the task that sees the first offer and the last update.
/// The benchmark's own closure is suspended meanwhile, waiting on `HostedProgress.wait()`.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
