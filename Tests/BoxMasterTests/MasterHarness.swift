import BoxCore
import BoxMaster

/// Drives a `MasterCore` directly: no hosts, no clock but the one the test moves.
struct MasterHarness {
    var core: MasterCore
    var now = Instant(nanosecondsSinceEpoch: 1_000_000_000_000)
    /// Every effect so far, oldest first.
    var effects: [MasterEffect] = []
    var silentAgents: Set<AgentID> = []

    init(config: (inout MasterConfig) -> Void = { _ in }) {
        var settings = MasterConfig(masterID: "m")
        config(&settings)
        core = MasterCore(config: settings, now: now)
    }

    @discardableResult
    mutating func addAgent(cpus: Double, memMiB: Int, ports: PortRanges = .init(), host: String = "h") -> AgentID {
        let (id, out) = core.agentRegistered(
            AgentRegistration(
                hostname: host, resources: Resources(cpus: cpus, memoryMiB: memMiB, ports: ports), kind: "test"),
            now: now)
        effects += out
        return id!
    }

    @discardableResult
    mutating func subscribe(_ name: String, weight: Double = 1, partitionAware: Bool = true) -> FrameworkID {
        let (id, out) = core.subscribe(
            FrameworkInfo(name: name, weight: weight, partitionAware: partitionAware), now: now)
        effects += out
        return id!
    }

    mutating func call(_ call: Call, _ framework: FrameworkID) -> [MasterEffect] {
        let out = core.handle(call, from: framework, now: now)
        effects += out
        return out
    }

    mutating func allocate() -> [Offer] {
        let out = core.allocate(now: now)
        effects += out
        return out.flatMap { effect -> [Offer] in
            if case .send(_, .offers(let offers)) = effect { return offers }
            return []
        }
    }

    /// Moves time on and ticks. Agents heartbeat first unless they are in `silentAgents`.
    mutating func tick(advancing duration: Duration) -> [MasterEffect] {
        now = now + duration
        for id in core.agents.keys where !silentAgents.contains(id) { _ = core.agentHeartbeat(id, now: now) }
        let out = core.tick(now: now)
        effects += out
        return out
    }

    mutating func report(
        _ task: TaskID, _ state: TaskState, framework: FrameworkID, agent: AgentID, uuid: String? = nil
    )
        -> [MasterEffect]
    {
        let status = TaskStatus(
            taskID: task, state: state, agentID: agent, uuid: StatusUUID(uuid ?? "\(task)-\(state.rawValue)"),
            timestamp: now)
        let out = core.statusUpdate(status, frameworkID: framework, from: agent, now: now)
        effects += out
        return out
    }

    /// Accepts `offer` with one task of the given shape; returns the effects.
    mutating func launch(
        _ taskID: String, on offer: Offer, cpus: Double, memMiB: Int, ports: PortRanges = .init(), refuse: Double = 0
    ) -> [MasterEffect] {
        let task = TaskInfo(
            taskID: TaskID(taskID), name: taskID, agentID: offer.agentID,
            resources: Resources(cpus: cpus, memoryMiB: memMiB, ports: ports))
        return call(
            .accept(offerIDs: [offer.id], operations: [.launch([task])], filters: Filters(refuseSeconds: refuse)),
            offer.frameworkID)
    }
}

extension [MasterEffect] {
    var updates: [TaskStatus] {
        compactMap { if case .send(_, .update(let status)) = $0 { status } else { nil } }
    }
    var agentCommands: [AgentCommand] {
        compactMap { if case .agent(_, let command) = $0 { command } else { nil } }
    }
    var offers: [Offer] {
        flatMap { effect -> [Offer] in if case .send(_, .offers(let offers)) = effect { offers } else { [] } }
    }
    var rescinds: [OfferID] {
        compactMap { if case .send(_, .rescind(let id)) = $0 { id } else { nil } }
    }
}
