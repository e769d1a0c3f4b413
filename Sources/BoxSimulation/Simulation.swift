import BoxAgent
public import BoxCore
public import BoxMaster
import Collections

/// A whole cluster in one value: the master core, simulated agents and demand frameworks, under a virtual clock,
/// with faults drawn from one seeded generator (task crashes, agent crashes and restarts, lost acknowledgements).
/// Safety invariants are checked after every step; a failure names the seed and the virtual time, and the same
/// seed replays the same run (`clusterbox sim --seed`).
public struct Simulation: Sendable {
    public struct Config: Sendable {
        public var seed: UInt64
        public var agentCount = 200
        public var agentResources = Resources(
            cpus: 8, memoryMiB: 16_384, diskMiB: 100_000, ports: PortRanges([31000...31099]))
        public var frameworks: [DemandFramework] = Simulation.defaultFrameworks
        public var step: Duration = .seconds(1)
        public var taskFailureRate = 0.02
        /// Mean time between agent crashes, cluster-wide; nil for none.
        public var agentCrashInterval: Duration? = .seconds(60)
        public var agentDowntime: ClosedRange<Double> = 5...150
        public var acknowledgementLossRate = 0.05
        public var heartbeatInterval: Duration = .seconds(5)
        /// Dominant shares of frameworks with unmet demand may differ by this much.
        public var fairnessTolerance = 0.08
        /// Fairness is not judged in the first minutes, while frameworks ramp up.
        public var warmup: Duration = .seconds(120)

        public init(seed: UInt64) { self.seed = seed }
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var seed: UInt64
        public var time: Duration
        public var message: String
        public var description: String {
            "simulation seed 0x\(String(seed, radix: 16)) failed at virtual t=\(time): \(message)"
        }
    }

    /// Four frameworks with different task shapes: CPU-heavy, memory-heavy, balanced and small-and-short.
    public static let defaultFrameworks = [
        DemandFramework(name: "cpu", shape: Resources(cpus: 2, memoryMiB: 1024), demand: 2000),
        DemandFramework(name: "mem", shape: Resources(cpus: 0.5, memoryMiB: 4096), demand: 2000),
        DemandFramework(
            name: "web", shape: Resources(cpus: 1, memoryMiB: 2048), portsPerTask: 2, demand: 2000, taskSeconds: 300),
        DemandFramework(
            name: "batch", weight: 2, shape: Resources(cpus: 1, memoryMiB: 512), demand: 3000, taskSeconds: 90),
    ]

    struct SimAgent: Sendable {
        var id: AgentID?
        var tasks: SimulatedTasks
        var downUntil: Instant?
        var lastHeartbeat: Instant
    }

    enum Pending {
        case event(FrameworkID, Event)
        case command(AgentID, AgentCommand)
        case update(AgentID, FrameworkID, TaskStatus)
    }

    public let config: Config
    public internal(set) var master: MasterCore
    public internal(set) var frameworks: [DemandFramework]
    var agents: [SimAgent]
    var agentIndex: [AgentID: Int] = [:]
    var random: SeededGenerator
    public internal(set) var now: Instant
    let start: Instant
    var faultsOn = true
    /// FNV-1a over every observed cluster event: equal digests mean equal runs.
    public internal(set) var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    public internal(set) var eventCount = 0
    public internal(set) var agentCrashes = 0
    /// The largest spread of dominant shares seen among frameworks with unmet demand, after warm-up.
    public internal(set) var worstShareSpread = 0.0

    public init(config: Config) {
        self.config = config
        random = SeededGenerator(seed: config.seed)
        start = Instant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
        now = start
        var masterConfig = MasterConfig(masterID: "sim")
        masterConfig.offerTimeout = .seconds(10)
        master = MasterCore(config: masterConfig, now: now)
        frameworks = config.frameworks
        var agentRandom = random.split()
        agents = (0..<config.agentCount).map { _ in
            SimAgent(
                tasks: SimulatedTasks(
                    agentID: "unregistered", seed: agentRandom.next(), failureRate: config.taskFailureRate),
                lastHeartbeat: .epoch)
        }
        for index in agents.indices { register(index) }
        for index in frameworks.indices {
            let (id, effects) = master.subscribe(frameworks[index].info, now: now)
            precondition(id != nil)
            process(effects)
        }
    }

    /// Runs for `duration` of virtual time, checking invariants after every step.
    public mutating func run(for duration: Duration) throws(Failure) {
        let end = now + duration
        while now < end {
            try step()
        }
    }

    /// Stops injecting faults and restarts every crashed agent.
    public mutating func healAllFaults() {
        faultsOn = false
        for index in agents.indices where agents[index].downUntil != nil {
            agents[index].downUntil = now
        }
    }

    // MARK: - One step

    mutating func step() throws(Failure) {
        now = now + config.step
        if faultsOn { injectFaults() }
        for index in agents.indices { runAgent(index) }
        process(master.tick(now: now))
        try checkSafety()
    }

    private mutating func injectFaults() {
        guard let interval = config.agentCrashInterval else { return }
        let probability = config.step.seconds / interval.seconds
        guard Double.random(in: 0..<1, using: &random) < probability else { return }
        let index = Int.random(in: 0..<agents.count, using: &random)
        guard agents[index].downUntil == nil else { return }
        agents[index].tasks.crash()
        let downtime = Double.random(in: config.agentDowntime, using: &random)
        agents[index].downUntil = now + .nanoseconds(Int64(downtime * 1e9))
        agentCrashes += 1
    }

    private mutating func runAgent(_ index: Int) {
        if let until = agents[index].downUntil {
            guard until <= now else { return }
            agents[index].downUntil = nil
            register(index)
            return
        }
        guard let id = agents[index].id else { return }
        if now - agents[index].lastHeartbeat >= config.heartbeatInterval {
            agents[index].lastHeartbeat = now
            if !master.agentHeartbeat(id, now: now) { register(index) }
        }
        let ended = agents[index].tasks.advance(to: now)
        for (framework, status) in ended {
            process(master.statusUpdate(status, frameworkID: framework, from: id, now: now))
        }
    }

    /// (Re)registers an agent with what it still runs; an agent the master removed starts afresh.
    private mutating func register(_ index: Int) {
        var registration = AgentRegistration(
            hostname: "sim-\(index)", resources: config.agentResources, previousID: agents[index].id,
            runningTasks: agents[index].tasks.running.values.sorted { $0.task.taskID < $1.task.taskID }.map {
                .init(frameworkID: $0.frameworkID, task: $0.task, state: .running)
            }, kind: "simulated")
        var (id, effects) = master.agentRegistered(registration, now: now)
        if id == nil {
            agents[index].tasks.crash()
            registration.previousID = nil
            registration.runningTasks = []
            (id, effects) = master.agentRegistered(registration, now: now)
        }
        if let old = agents[index].id { agentIndex.removeValue(forKey: old) }
        agents[index].id = id
        agents[index].tasks.agentID = id!
        agents[index].lastHeartbeat = now
        agentIndex[id!] = index
        process(effects)
    }

    // MARK: - Message delivery

    /// Delivers effects and everything they cause, in FIFO order.
    private mutating func process(_ effects: [MasterEffect]) {
        var queue = Deque<MasterEffect>(effects)
        var delivered = 0
        while let effect = queue.popFirst() {
            delivered += 1
            precondition(delivered < 10_000_000, "effects did not settle: a message loop")
            switch effect {
            case .observe(let event):
                record(event)
            case .closeFramework:
                break
            case .send(let frameworkID, let event):
                guard let index = frameworks.firstIndex(where: { $0.id == frameworkID || $0.id == nil }) else {
                    continue
                }
                for call in frameworks[index].handle(event) {
                    if case .acknowledge = call, faultsOn,
                        Double.random(in: 0..<1, using: &random) < config.acknowledgementLossRate
                    {
                        continue
                    }
                    queue.append(contentsOf: master.handle(call, from: frameworkID, now: now))
                }
            case .agent(let agentID, let command):
                guard let index = agentIndex[agentID], agents[index].downUntil == nil else { continue }
                switch command {
                case .launch(let task, let frameworkID):
                    for status in agents[index].tasks.launch(task, frameworkID: frameworkID, now: now) {
                        queue.append(
                            contentsOf: master.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: now))
                    }
                case .kill(let taskID, _):
                    for (frameworkID, status) in agents[index].tasks.kill(taskID, now: now) {
                        queue.append(
                            contentsOf: master.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: now))
                    }
                }
            }
        }
    }

    private mutating func record(_ event: ClusterEvent) {
        eventCount += 1
        let ids = [event.frameworkID?.value, event.agentID?.value, event.taskID?.value, event.offerID?.value]
        let line = "\(event.kind.rawValue) \(event.time.nanosecondsSinceEpoch) " + ids.map { $0 ?? "" }.joined(separator: " ")
        for byte in line.utf8 {
            digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3
        }
    }

    func fail(_ message: String) -> Failure { Failure(seed: config.seed, time: now - start, message: message) }
}
