public import BoxCore
public import Logging

/// Hosts one agent: registers with the master through its uplink, heartbeats, runs the master's launch and kill
/// commands on its executor and forwards the executor's status updates in order. When the master has forgotten
/// it (unreachable too long), it reregisters; if its old id was removed, it kills its tasks and starts afresh.
///
/// `stop()` simulates a crashed agent (`clusterbox agent stop`): the serving loop ends, every task is killed and
/// the heartbeats stop, without a word to the master, which finds out the way it finds out about any lost agent
/// (missed heartbeats). `start()` serves again: the agent reregisters under its old id, or afresh if the master
/// removed it meanwhile (`AgentService+Control.swift`).
public actor AgentService {
    public nonisolated let name: String
    public nonisolated let executor: any TaskExecutor
    private let resources: Resources
    private let attributes: Labels
    private let uplink: any AgentUplink
    private let clock: any ClusterClock
    private let logger: Logger
    private let heartbeatInterval: Duration
    private let killGrace: Duration
    /// Variables every task gets under its own (the cluster's service addresses); the task's own win.
    private let environment: @Sendable () -> [String: String]
    public private(set) var agentID: AgentID?
    /// Tasks launched and not yet ended, for reregistration.
    private var running: [TaskID: AgentRegistration.RunningTask] = [:]
    /// The master's commands and the executor's updates of the current serving period; made anew at each start,
    /// so that what was sent to a stopped agent is lost, as it would be to a crashed one.
    private var commands: AsyncStream<AgentCommand>
    private var commandSink: AsyncStream<AgentCommand>.Continuation
    private var updates: AsyncStream<(FrameworkID, TaskStatus)>
    private var updateSink: AsyncStream<(FrameworkID, TaskStatus)>.Continuation
    /// Running, stopping or stopped, for `stop()` and `start()`.
    var lifecycle: AgentService.Lifecycle = .running
    /// Set once `run` has returned (the cluster is shutting down): no more stops or starts.
    var hasEnded = false
    /// Ends the current serving period when `stop()` asks.
    var stopSink: AsyncStream<Void>.Continuation?
    /// Wakes a stopped agent's run loop when `start()` asks (or the agent's run ends).
    var wake: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)
    /// Callers of `stop()` waiting for the tasks to be gone, and of `start()` waiting for the registration.
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
    var startWaiters: [CheckedContinuation<AgentID?, Never>] = []

    public init(
        name: String, resources: Resources, attributes: Labels = [:], executor: any TaskExecutor,
        uplink: any AgentUplink, clock: any ClusterClock, logger: Logger, heartbeatInterval: Duration = .seconds(5),
        killGrace: Duration = .seconds(3), environment: @escaping @Sendable () -> [String: String] = { [:] }
    ) {
        self.environment = environment
        self.name = name
        self.resources = resources
        self.attributes = attributes
        self.executor = executor
        self.uplink = uplink
        self.clock = clock
        self.logger = logger
        self.heartbeatInterval = heartbeatInterval
        self.killGrace = killGrace
        (commands, commandSink) = AsyncStream.makeStream()
        (updates, updateSink) = AsyncStream.makeStream()
        wake = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Registers, then serves commands, forwards updates and heartbeats until cancelled; then kills every task.
    /// A `stop()` ends a serving period early (its tasks killed) and the loop waits for `start()` to serve again.
    public func run() async {
        while !Task.isCancelled {
            if lifecycle != .stopped {
                await serve()
            } else {
                for await _ in wake.stream { break }  // a start, or the end once cancelled
            }
        }
        lifecycle = .stopped
        hasEnded = true
        finishWaiters()
        await executor.shutdown(grace: killGrace)
    }

    /// One serving period: registers, then serves until cancelled or stopped. A stopped period kills every task
    /// (later launches still work); a cancelled one leaves that to `run`, which shuts the executor down.
    private func serve() async {
        (commands, commandSink) = AsyncStream.makeStream()
        (updates, updateSink) = AsyncStream.makeStream()
        let (stopped, stopSink) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.stopSink = stopSink
        if lifecycle == .stopping { stopSink.yield() }  // a stop asked before this period began
        await register()
        resumeStartWaiters()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.serveCommands() }
            group.addTask { await self.forwardUpdates() }
            group.addTask { await self.heartbeatLoop() }
            group.addTask {
                for await _ in stopped { break }  // a stop, or the end once cancelled
            }
            await group.next()
            group.cancelAll()
        }
        self.stopSink = nil
        commandSink.finish()
        updateSink.finish()
        guard lifecycle == .stopping else { return }
        // The statuses of these kills go nowhere (the update stream is finished): the master must notice the loss.
        await executor.killAll(grace: killGrace)
        running.removeAll()
        lifecycle = .stopped
        logger.notice("Agent stopped: its tasks are killed and it no longer heartbeats")
        for waiter in stopWaiters { waiter.resume() }
        stopWaiters.removeAll()
    }

    private func register() async {
        let registration = AgentRegistration(
            hostname: name, resources: resources, attributes: attributes, previousID: agentID,
            runningTasks: running.values.sorted { $0.task.taskID < $1.task.taskID }, kind: executor.kind)
        let sink = commandSink
        if let id = await uplink.register(registration, commands: { sink.yield($0) }) {
            agentID = id
        } else {
            logger.warning("The master removed this agent; killing its tasks and registering afresh")
            for taskID in running.keys { await executor.kill(taskID, grace: killGrace) }
            running.removeAll()
            agentID = nil
            var fresh = registration
            fresh.previousID = nil
            fresh.runningTasks = []
            agentID = await uplink.register(fresh, commands: { sink.yield($0) })
        }
        logger.info("Agent registered", metadata: ["agent.id": "\(agentID?.value ?? "-")"])
    }

    private func heartbeatLoop() async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: heartbeatInterval) } catch { return }
            guard let agentID else { continue }
            if await !uplink.heartbeat(agentID) { await register() }
        }
    }

    private func serveCommands() async {
        for await command in commands {
            guard let agentID else { continue }
            switch command {
            case .launch(var task, let frameworkID):
                let shared = environment()
                if !shared.isEmpty { task.command?.environment.merge(shared) { own, _ in own } }
                running[task.taskID] = .init(frameworkID: frameworkID, task: task, state: .staging)
                let sink = updateSink
                await executor.launch(task, frameworkID: frameworkID, agentID: agentID) { status in
                    sink.yield((frameworkID, status))
                }
            case .kill(let taskID, _):
                await executor.kill(taskID, grace: killGrace)
            }
        }
    }

    private func forwardUpdates() async {
        for await (framework, status) in updates {
            if status.state.isTerminal {
                running.removeValue(forKey: status.taskID)
            } else {
                running[status.taskID]?.state = status.state
            }
            guard let agentID else { continue }
            await uplink.statusUpdate(status, frameworkID: framework, from: agentID)
        }
    }
}
