public import BoxCore
public import Logging

/// Hosts the master core: feeds it inputs (framework calls, agent messages, ticks) and carries out its effects
/// (events to frameworks' streams, commands to agents, cluster events to listeners). Every transition is made
/// synchronously inside the actor, so reentrancy never sees half of one.
public actor MasterService {
    private var core: MasterCore
    private nonisolated let config: MasterConfig
    private let clock: any ClusterClock
    private let logger: Logger
    /// Each framework's current event stream, with a token telling it apart from a stream it replaced, and the
    /// transport's name for it (the HTTP `Mesos-Stream-Id`).
    private var frameworkStreams:
        [FrameworkID: (token: Int, streamID: String?, continuation: AsyncStream<Event>.Continuation)] = [:]
    private var nextStreamToken = 0
    private var agentLinks: [AgentID: @Sendable (AgentCommand) -> Void] = [:]
    /// Every cluster event the core narrates, for SSE clients and the CLI.
    public nonisolated let events = EventBroadcast<ClusterEvent>()
    public private(set) var allocationSeconds = MasterTimings()
    private let tickInterval: Duration
    /// Told of every cluster event synchronously, in order, with the state right after it; unlike `events` it
    /// never drops one, so service discovery sees every task that stops. It must be quick: it runs in the actor.
    private var observer: (@Sendable (ClusterEvent, MasterCore) -> Void)?

    public init(
        config: MasterConfig, clock: any ClusterClock, logger: Logger, tickInterval: Duration = .milliseconds(20)
    ) {
        self.core = MasterCore(config: config, now: clock.now)
        self.config = config
        self.clock = clock
        self.logger = logger
        self.tickInterval = tickInterval
    }

    /// Ticks until cancelled: timeouts, retries, and an allocation pass whenever one is due.
    public func run() async {
        while !Task.isCancelled {
            tick()
            do { try await clock.sleep(for: tickInterval) } catch { break }
        }
        for stream in frameworkStreams.values { stream.continuation.finish() }
        frameworkStreams.removeAll()
        events.finishAll()
    }

    /// A framework's connection closed (an HTTP scheduler hung up): if that was its current stream, the stream
    /// ends and the framework is disconnected.
    public func connectionClosed(_ id: FrameworkID, streamID: String) {
        guard let stream = frameworkStreams[id], stream.streamID == streamID else { return }
        stream.continuation.finish()
    }

    /// The name of a framework's current stream, if it has one.
    public func streamID(of id: FrameworkID) -> String? { frameworkStreams[id]?.streamID }

    /// Ends every framework's event stream and every listener's, so that HTTP servers shutting down do not wait on
    /// them. Frameworks are not removed: a master that comes back accepts their resubscription.
    public func closeStreams() {
        let streams = frameworkStreams
        frameworkStreams.removeAll()
        for stream in streams.values { stream.continuation.finish() }
        events.finishAll()
    }

    /// A copy of the core's state, for the state endpoints.
    public func snapshot() -> MasterCore { core }

    /// Sets the observer (one; service discovery) and answers the state it starts from.
    public func observe(with observer: @escaping @Sendable (ClusterEvent, MasterCore) -> Void) -> MasterCore {
        self.observer = observer
        return core
    }

    // MARK: - Framework side

    /// Subscribes a framework; `streamID` names the stream for a transport that checks it on every call.
    public func subscribe(_ info: FrameworkInfo, streamID: String? = nil) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let (id, effects) = core.subscribe(info, now: clock.now)
        guard let id else {
            for case .send(_, let event) in effects { continuation.yield(event) }
            continuation.finish()
            return stream
        }
        nextStreamToken += 1
        let token = nextStreamToken
        let replaced = frameworkStreams.updateValue((token, streamID, continuation), forKey: id)
        replaced?.continuation.finish()  // a second subscription wins; the old stream ends
        continuation.onTermination = { [weak self] _ in
            // A short hop back into the actor; it ends as soon as the disconnect is recorded.
            Task { await self?.streamEnded(id, token: token) }
        }
        logger.info("Framework subscribed", metadata: ["framework.id": "\(id)", "framework.name": "\(info.name)"])
        carry(effects)
        return stream
    }

    /// Sets a role's weight and quota.
    public func setRole(_ name: String, _ policy: RolePolicy) {
        core.setRole(name, policy)
        logger.info(
            "Role set", metadata: ["role": "\(name)", "weight": "\(policy.weight)", "quota": "\(policy.quota)"])
    }

    /// Changes a role's weight and/or quota in one step (no lost update between two operators); answers the
    /// new policy.
    public func updateRole(_ name: String, weight: Double?, quota: Resources?) -> RolePolicy {
        let policy = core.updateRole(name, weight: weight, quota: quota)
        logger.info(
            "Role set", metadata: ["role": "\(name)", "weight": "\(policy.weight)", "quota": "\(policy.quota)"])
        return policy
    }

    /// UPDATE_FRAMEWORK: answers why it was refused, or nil when applied.
    public func updateFramework(_ id: FrameworkID, _ info: FrameworkInfo) -> String? {
        core.updateFramework(id, info)
    }

    /// Whether a framework is known, and whether it has an open event stream.
    public enum FrameworkPresence: Sendable { case unknown, connected, disconnected, removed }

    public func presence(of id: FrameworkID) -> FrameworkPresence {
        if let framework = core.frameworks[id] { return framework.connected ? .connected : .disconnected }
        return core.completedFrameworks.contains { $0.id == id } ? .removed : .unknown
    }

    /// The master's id, for `SUBSCRIBED.master_info`.
    public nonisolated var masterID: String { config.masterID }

    public func send(_ call: Call, from framework: FrameworkID) {
        carry(core.handle(call, from: framework, now: clock.now))
    }

    private func streamEnded(_ id: FrameworkID, token: Int) {
        // Only the current stream's end disconnects the framework, not that of a replaced one.
        guard frameworkStreams[id]?.token == token else { return }
        frameworkStreams.removeValue(forKey: id)
        carry(core.frameworkDisconnected(id, now: clock.now))
    }

    // MARK: - Agent side

    public func registerAgent(_ registration: AgentRegistration, commands: @escaping @Sendable (AgentCommand) -> Void)
        -> AgentID?
    {
        let (id, effects) = core.agentRegistered(registration, now: clock.now)
        guard let id else { return nil }
        agentLinks[id] = commands
        logger.info("Agent registered", metadata: ["agent.id": "\(id)", "agent.hostname": "\(registration.hostname)"])
        carry(effects)
        return id
    }

    public func heartbeat(_ agentID: AgentID) -> Bool { core.agentHeartbeat(agentID, now: clock.now) }

    public func statusUpdate(_ status: TaskStatus, frameworkID: FrameworkID, from agentID: AgentID) {
        carry(core.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: clock.now))
    }

    // MARK: - Effects

    private func tick() {
        let started = ContinuousClock.now  // how long the pass takes, whatever clock the cluster runs on
        let passes = core.counters.allocationPasses
        let effects = core.tick(now: clock.now)
        if core.counters.allocationPasses != passes { allocationSeconds.record(ContinuousClock.now - started) }
        carry(effects)
    }

    private func carry(_ effects: [MasterEffect]) {
        for effect in effects {
            switch effect {
            case .send(let id, let event):
                frameworkStreams[id]?.continuation.yield(event)
            case .agent(let id, let command):
                agentLinks[id]?(command)
            case .closeFramework(let id):
                frameworkStreams.removeValue(forKey: id)?.continuation.finish()
            case .observe(let event):
                logger.debug("\(event.kind.rawValue): \(event.message)")
                events.publish(event)
                observer?(event, core)
            }
        }
    }
}

/// How long allocation passes take, for `/metrics`.
public struct MasterTimings: Sendable {
    public private(set) var count = 0
    public private(set) var totalSeconds = 0.0
    public private(set) var lastSeconds = 0.0

    mutating func record(_ duration: Duration) {
        count += 1
        lastSeconds = duration.seconds
        totalSeconds += lastSeconds
    }
}

/// The in-process scheduler transport: framework calls become actor calls on the master.
public struct InProcessSchedulerTransport: SchedulerTransport {
    let master: MasterService

    public init(master: MasterService) { self.master = master }

    public func subscribe(_ info: FrameworkInfo) async -> AsyncStream<Event> { await master.subscribe(info) }

    public func send(_ call: Call, from framework: FrameworkID) async { await master.send(call, from: framework) }
}

/// The in-process agent link.
public struct InProcessAgentUplink: AgentUplink {
    let master: MasterService

    public init(master: MasterService) { self.master = master }

    public func register(_ registration: AgentRegistration, commands: @escaping @Sendable (AgentCommand) -> Void)
        async -> AgentID?
    {
        await master.registerAgent(registration, commands: commands)
    }

    public func heartbeat(_ agentID: AgentID) async -> Bool { await master.heartbeat(agentID) }

    public func statusUpdate(_ status: TaskStatus, frameworkID: FrameworkID, from agentID: AgentID) async {
        await master.statusUpdate(status, frameworkID: frameworkID, from: agentID)
    }
}
