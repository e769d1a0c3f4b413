public import BoxCore
public import Logging

/// Hosts one agent: registers with the master through its uplink, heartbeats, runs the master's launch and kill
/// commands on its executor and forwards the executor's status updates in order. When the master has forgotten
/// it (unreachable too long), it reregisters; if its old id was removed, it kills its tasks and starts afresh.
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
    private let commands: AsyncStream<AgentCommand>
    private let commandSink: AsyncStream<AgentCommand>.Continuation
    private let updates: AsyncStream<(FrameworkID, TaskStatus)>
    private let updateSink: AsyncStream<(FrameworkID, TaskStatus)>.Continuation

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
    }

    /// Registers, then serves commands, forwards updates and heartbeats until cancelled; then kills every task.
    public func run() async {
        await register()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.serveCommands() }
            group.addTask { await self.forwardUpdates() }
            group.addTask { await self.heartbeatLoop() }
            await group.next()
            group.cancelAll()
        }
        commandSink.finish()
        updateSink.finish()
        await executor.shutdown(grace: killGrace)
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
