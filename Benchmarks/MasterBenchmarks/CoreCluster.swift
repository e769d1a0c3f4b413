import BoxAgent
import BoxCore
import BoxMaster

/// A whole cluster around one `MasterCore`, driven in a single thread: simulated agents (`SimulatedTasks`),
/// benchmark frameworks (`DemandModel`) and a FIFO queue of effects, as `Simulation.process` does, without faults
/// or invariant checks. Every call a framework makes and every update an agent sends is fed back to the core at
/// once, so an allocation pass and everything it causes settle before `process` returns.
struct CoreCluster {
    private(set) var core: MasterCore
    private(set) var now: Instant
    private var agents: [SimulatedTasks] = []
    private var agentIndex: [AgentID: Int] = [:]
    private(set) var frameworks: [DemandModel] = []
    private var frameworkIndex: [FrameworkID: Int] = [:]
    /// `TASK_RUNNING` updates the master recorded (its `taskUpdate` narration), since the start.
    private(set) var runningCount = 0
    /// Terminal updates the master recorded, since the start.
    private(set) var endedCount = 0
    private(set) var allocationPasses = 0

    /// A master with `agentCount` registered agents and no framework.
    init(agentCount: Int, resources: Resources = Workload.agentResources) {
        now = Workload.start
        var config = MasterConfig(masterID: "bench")
        config.offerTimeout = .seconds(600)
        core = MasterCore(config: config, now: now)
        agents.reserveCapacity(agentCount)
        for index in 0..<agentCount {
            let registration = AgentRegistration(hostname: "agent-\(index)", resources: resources, kind: "simulated")
            let (id, effects) = core.agentRegistered(registration, now: now)
            guard let id else { fatalError("agent \(index) was refused") }
            agents.append(SimulatedTasks(agentID: id, seed: UInt64(index + 1)))
            agentIndex[id] = index
            process(effects)
        }
    }

    /// Subscribes the frameworks (their SUBSCRIBED events are delivered at once).
    mutating func subscribe(_ models: [DemandModel]) {
        for model in models {
            let (id, effects) = core.subscribe(model.info, now: now)
            guard let id else { fatalError("\(model.name) could not subscribe") }
            frameworkIndex[id] = frameworks.count
            frameworks.append(model)
            process(effects)
        }
    }

    /// Allocation passes, each followed by everything it causes, until `target` tasks have reached TASK_RUNNING
    /// in the master. The virtual clock moves 1 ms per pass. Answers false if it stalls.
    @discardableResult
    mutating func runUntilRunning(_ target: Int, maxPasses: Int = 1_000) -> Bool {
        var passes = 0
        while runningCount < target {
            guard passes < maxPasses else { return false }
            passes += 1
            allocationPasses += 1
            now = now + .milliseconds(1)
            process(core.allocate(now: now))
        }
        return true
    }

    /// Every agent ends each task it runs (`TASK_KILLED`, as if the command exited), one at a time, and each
    /// update is delivered and acknowledged before the next. Answers how many tasks ended.
    @discardableResult
    mutating func endAllTasks() -> Int {
        let before = endedCount
        for index in agents.indices {
            let agentID = agents[index].agentID
            for taskID in agents[index].running.keys.sorted() {
                for (frameworkID, status) in agents[index].kill(taskID, now: now) {
                    process(core.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: now))
                }
            }
        }
        return endedCount - before
    }

    /// Sends a call for a framework and delivers what follows.
    mutating func call(_ call: Call, from id: FrameworkID) {
        process(core.handle(call, from: id, now: now))
    }

    /// One allocation pass, without delivering its effects.
    mutating func allocateOnly() -> [MasterEffect] {
        core.allocate(now: now)
    }

    var frameworkIDs: [FrameworkID] { frameworks.compactMap(\.id) }

    /// Tasks the master holds in TASK_RUNNING now.
    var tasksRunningInMaster: Int { core.tasks.values.reduce(0) { $0 + ($1.state == .running ? 1 : 0) } }

    // MARK: - Delivery

    /// Delivers effects and everything they cause, first in, first out.
    mutating func process(_ effects: [MasterEffect]) {
        var queue = effects
        var head = 0
        while head < queue.count {
            let effect = queue[head]
            head += 1
            if head >= 4_096, head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            switch effect {
            case .observe(let event):
                if event.kind == .taskUpdate, let state = event.state {
                    if state == .running { runningCount += 1 } else if state.isTerminal { endedCount += 1 }
                }
            case .closeFramework:
                break
            case .send(let frameworkID, let event):
                guard let index = frameworkIndex[frameworkID] else { continue }
                for call in frameworks[index].handle(event) {
                    queue.append(contentsOf: core.handle(call, from: frameworkID, now: now))
                }
            case .agent(let agentID, let command):
                guard let index = agentIndex[agentID] else { continue }
                switch command {
                case .launch(let task, let frameworkID):
                    for status in agents[index].launch(task, frameworkID: frameworkID, now: now) {
                        queue.append(
                            contentsOf: core.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: now))
                    }
                case .kill(let taskID, _):
                    for (frameworkID, status) in agents[index].kill(taskID, now: now) {
                        queue.append(
                            contentsOf: core.statusUpdate(status, frameworkID: frameworkID, from: agentID, now: now))
                    }
                }
            }
        }
    }
}

extension [MasterEffect] {
    /// The offers in these effects, by framework.
    var offerBatches: [(FrameworkID, [Offer])] {
        compactMap { effect in
            if case .send(let id, .offers(let offers)) = effect { return (id, offers) }
            return nil
        }
    }
}
