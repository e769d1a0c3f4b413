import BoxAgent
import BoxCore
import BoxMarathon
import BoxMaster
import Collections

/// Marathon on a real master core with simulated agents (`SimulatedTasks`), under virtual time, with faults drawn
/// from one seeded generator: task crashes, and agents that go silent, either partitioned (their tasks keep
/// running, frozen, and are reported again when they reregister) or crashed (their tasks are gone). The master
/// marks silent agents unreachable (their tasks `TASK_UNREACHABLE`) and removes them after its removal timeout;
/// Marathon replaces the tasks; agents come back and reregister (afresh when the master removed them).
///
/// After every step it checks, over the tasks Marathon counts (live, not being killed): no app has more than its
/// instances, every app's constraints hold, and every such task is one the master tracks; and every task a
/// reachable agent runs is one Marathon knows. The same seed replays the same run; a failure names the seed and the
/// virtual time.
struct MarathonSimulation: Sendable {
    struct Config: Sendable {
        var seed: UInt64
        var agentCount = 200
        /// Agents are spread over racks `r0…`; racks over zones `z0…` (rack i is in zone i % zones).
        var racks = 10
        var zones = 4
        var appCount = 100
        var instances = 10
        var step: Duration = .seconds(1)
        /// Task crashes per virtual minute, cluster-wide, while faults are on.
        var taskCrashesPerMinute = 60.0
        /// Mean time between agents going silent, cluster-wide, while faults are on.
        var agentFaultInterval: Duration = .seconds(4)
        /// How long a silent agent stays away, in seconds: past the master's 15 s heartbeat timeout (unreachable)
        /// and sometimes past its 60 s removal timeout (removed; the agent then registers afresh).
        var downtime: ClosedRange<Double> = 5...100
        /// The share of agent faults that are partitions (tasks keep running) rather than crashes.
        var partitionShare = 0.5

        init(seed: UInt64) { self.seed = seed }
    }

    struct Failure: Error, CustomStringConvertible {
        var seed: UInt64
        var time: Duration
        var message: String
        var description: String {
            "marathon simulation seed 0x\(String(seed, radix: 16)) failed at virtual t=\(time): \(message)"
        }
    }

    struct SimAgent: Sendable {
        var id: AgentID?
        let hostname: String
        let attributes: Labels
        var tasks: SimulatedTasks
        /// Silent until then (a crashed agent lost its tasks at once; a partitioned one keeps them).
        var downUntil: Instant?
    }

    let config: Config
    var master: MasterCore
    var marathon: MarathonScheduler
    var frameworkID: FrameworkID!
    var agents: [SimAgent]
    var agentIndex: [AgentID: Int] = [:]
    var apps: [App] = []
    var random: SeededGenerator
    var now: Instant
    let start: Instant
    /// Faults start with `startFaults()`, once the apps are deployed.
    var faultsOn = false
    /// FNV-1a over the master's cluster events and Marathon's events: equal digests mean equal runs.
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var taskCrashes = 0
    var partitions = 0
    var agentCrashes = 0
    var replacements: Int { Int(master.counters.tasksLaunched) - config.appCount * config.instances }

    init(config: Config) {
        self.config = config
        random = SeededGenerator(seed: config.seed)
        start = Instant(nanosecondsSinceEpoch: 1_800_000_000_000_000_000)
        now = start
        master = MasterCore(config: MasterConfig(masterID: "msim"), now: now)
        marathon = MarathonScheduler(seed: random.next())
        var agentRandom = random.split()
        agents = (0..<config.agentCount).map { index in
            let rack = index % config.racks
            return SimAgent(
                hostname: "sim-\(index)", attributes: ["rack": "r\(rack)", "zone": "z\(rack % config.zones)"],
                tasks: SimulatedTasks(agentID: "unregistered", seed: agentRandom.next()))
        }
        for index in agents.indices { register(index) }
        let (id, effects) = master.subscribe(
            FrameworkInfo(name: "marathon", role: "marathon", failoverTimeoutSeconds: 0), now: now)
        frameworkID = id
        process(effects)
    }

    /// The apps: a sixth each with `UNIQUE hostname`, `MAX_PER rack 3`, `GROUP_BY zone <zones>`, `CLUSTER` on a
    /// rack (half named, half chosen by the first task), `LIKE rack r[0-4]` with `MAX_PER hostname 2`, and none.
    static func apps(_ config: Config) throws -> [App] {
        try (0..<config.appCount).map { index in
            var app = App(id: try PathID("/sim/app-\(index)"))
            app.cmd = "sleep 1000"
            app.instances = config.instances
            app.cpus = [0.1, 0.25, 0.5][index % 3]
            app.mem = 64
            switch index % 6 {
            case 0: app.constraints = [Constraint(field: "hostname", op: .unique)]
            case 1: app.constraints = [Constraint(field: "rack", op: .maxPer, value: "3")]
            case 2: app.constraints = [Constraint(field: "zone", op: .groupBy, value: "\(config.zones)")]
            case 3:
                app.constraints = [
                    Constraint(field: "rack", op: .cluster, value: index % 12 == 3 ? nil : "r\(index % config.racks)")
                ]
            case 4:
                app.constraints = [
                    Constraint(field: "rack", op: .like, value: "r[0-4]"),
                    Constraint(field: "hostname", op: .maxPer, value: "2"),
                ]
            default: break
            }
            return app
        }
    }

    /// Deploys every app, one deployment each (as one POST each would).
    mutating func deployApps() throws {
        apps = try Self.apps(config)
        for app in apps {
            let (_, calls) = try marathon.deploy([app.id: app], force: false, now: now)
            send(calls)
        }
    }

    mutating func run(for duration: Duration) throws(Failure) {
        let end = now + duration
        while now < end { try step() }
    }

    mutating func startFaults() { faultsOn = true }

    /// Stops injecting faults and brings every silent agent back now.
    mutating func healAllFaults() {
        faultsOn = false
        for index in agents.indices where agents[index].downUntil != nil { agents[index].downUntil = now }
    }

    /// The longest launch delay (backoff after repeated failures) an app still has to wait.
    var longestLaunchDelay: Duration {
        marathon.backoff.values.compactMap(\.delayUntil).map { $0 - now }.filter { $0 > .zero }.max() ?? .zero
    }

    /// Steps until every app runs exactly its instances, everywhere alike; throws if that takes longer than `limit`.
    mutating func settle(limit: Duration) throws(Failure) -> Duration {
        let began = now
        while now - began < limit {
            try step()
            if converged() == nil { return now - began }
        }
        throw fail("not converged within \(limit): \(converged() ?? "")")
    }

    // MARK: - One step

    mutating func step() throws(Failure) {
        now = now + config.step
        if faultsOn { injectFaults() }
        for index in agents.indices { runAgent(index) }
        process(master.tick(now: now))
        send(marathon.tick(now: now))
        for event in marathon.takeEvents() { hash(Self.line(event)) }
        _ = marathon.takeChanges()
        try checkInvariants()
    }

    private mutating func injectFaults() {
        let crashProbability = config.taskCrashesPerMinute * config.step.seconds / 60
        var crashes = Int(crashProbability)
        if Double.random(in: 0..<1, using: &random) < crashProbability - Double(crashes) { crashes += 1 }
        for _ in 0..<crashes { crashRandomTask() }

        guard Double.random(in: 0..<1, using: &random) < config.step.seconds / config.agentFaultInterval.seconds
        else { return }
        let index = Int.random(in: 0..<agents.count, using: &random)
        guard agents[index].downUntil == nil else { return }
        let downtime = Double.random(in: config.downtime, using: &random)
        agents[index].downUntil = now + .nanoseconds(Int64(downtime * 1e9))
        if Double.random(in: 0..<1, using: &random) < config.partitionShare {
            partitions += 1
        } else {
            agentCrashes += 1
            agents[index].tasks.crash()
        }
    }

    /// One task running on a reachable agent, drawn from all of them, exits with status 1.
    private mutating func crashRandomTask() {
        let candidates = agents.indices.filter { agents[$0].downUntil == nil && agents[$0].id != nil }.flatMap {
            index in agents[index].tasks.running.keys.sorted().map { (index, $0) }
        }
        guard let (index, taskID) = candidates.randomElement(using: &random), let id = agents[index].id else { return }
        for (framework, killed) in agents[index].tasks.kill(taskID, now: now) {
            var status = killed
            status.state = .failed
            status.message = "Simulated crash"
            status.exitCode = 1
            taskCrashes += 1
            process(master.statusUpdate(status, frameworkID: framework, from: id, now: now))
        }
    }

    private mutating func runAgent(_ index: Int) {
        if let until = agents[index].downUntil {
            guard until <= now else { return }
            agents[index].downUntil = nil
            register(index)
            return
        }
        guard let id = agents[index].id else { return }
        if !master.agentHeartbeat(id, now: now) { register(index) }
        let ended = agents[index].tasks.advance(to: now)
        for (framework, status) in ended {
            process(master.statusUpdate(status, frameworkID: framework, from: id, now: now))
        }
    }

    /// (Re)registers an agent with what it still runs; an agent the master removed starts afresh.
    private mutating func register(_ index: Int) {
        var registration = AgentRegistration(
            hostname: agents[index].hostname, resources: Self.agentResources, attributes: agents[index].attributes,
            previousID: agents[index].id,
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
        agentIndex[id!] = index
        process(effects)
    }

    static let agentResources = Resources(
        cpus: 4, memoryMiB: 8192, diskMiB: 10_000, ports: PortRanges([31000...31099]))

    // MARK: - Message delivery

    mutating func send(_ calls: [Call]) {
        for call in calls { process(master.handle(call, from: frameworkID, now: now)) }
    }

    /// Delivers effects and everything they cause, in FIFO order. Commands to a silent agent are lost.
    private mutating func process(_ effects: [MasterEffect]) {
        var queue = Deque<MasterEffect>(effects)
        while let effect = queue.popFirst() {
            switch effect {
            case .observe(let event):
                let ids = [event.frameworkID?.value, event.agentID?.value, event.taskID?.value, event.offerID?.value]
                hash(
                    "\(event.kind.rawValue) \(event.time.nanosecondsSinceEpoch) "
                        + ids.map { $0 ?? "" }.joined(separator: " "))
            case .closeFramework:
                break
            case .send(_, let event):
                var calls: [Call] = []
                switch event {
                case .offers(let offers): calls = marathon.offers(offers, now: now)
                case .update(let status): calls = marathon.update(status, now: now)
                case .subscribed(let id, _): calls = marathon.subscribed(id, now: now)
                default: break
                }
                for call in calls { queue.append(contentsOf: master.handle(call, from: frameworkID, now: now)) }
            case .agent(let agentID, let command):
                guard let index = agentIndex[agentID], agents[index].downUntil == nil else { continue }
                switch command {
                case .launch(let task, let framework):
                    for status in agents[index].tasks.launch(task, frameworkID: framework, now: now) {
                        queue.append(
                            contentsOf: master.statusUpdate(status, frameworkID: framework, from: agentID, now: now))
                    }
                case .kill(let taskID, _):
                    for (framework, status) in agents[index].tasks.kill(taskID, now: now) {
                        queue.append(
                            contentsOf: master.statusUpdate(status, frameworkID: framework, from: agentID, now: now))
                    }
                }
            }
        }
    }

    /// An event as a line that does not depend on dictionary order (task attributes and app labels are
    /// dictionaries, so `"\(event)"` is not stable from one run to the next).
    static func line(_ timed: TimedEvent) -> String {
        let what: String
        switch timed.event {
        case .statusUpdate(let task, let message): what = "status \(task.id) \(task.state) \(message ?? "")"
        case .instanceChanged(let task): what = "instance \(task.id) \(task.state)"
        case .deploymentInfo(let plan): what = "deployment \(plan.id) step \(plan.currentStep)"
        case .deploymentStepSuccess(let plan): what = "step done \(plan.id) \(plan.currentStep)"
        case .deploymentSuccess(let plan): what = "deployed \(plan.id)"
        case .deploymentFailed(let plan, let reason): what = "failed \(plan.id) \(reason)"
        case .apiPost(let app): what = "post \(app.id)"
        case .groupChangeSuccess: what = "group"
        case .healthStatusChanged(let task, let alive): what = "health \(task.id) \(alive)"
        case .failedHealthCheck(let task, _): what = "check failed \(task.id)"
        case .unhealthyInstanceKill(let task, _): what = "unhealthy \(task.id)"
        case .appTerminated(let id): what = "terminated \(id)"
        }
        return "\(timed.at.nanosecondsSinceEpoch) \(what)"
    }

    private mutating func hash(_ line: String) {
        for byte in line.utf8 { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
        digest = (digest ^ 0x0a) &* 0x100_0000_01b3
    }

    func fail(_ message: String) -> Failure { Failure(seed: config.seed, time: now - start, message: message) }

    // MARK: - Invariants

    /// The tasks Marathon counts for an app: live and not being killed.
    func counted(_ app: App) -> [AppTask] { marathon.liveTasks(app.id).filter { !$0.killing } }

    /// After every step: no app over its instances, every constraint holds, every counted task is one the master
    /// has on that agent (not ended), and every task a reachable agent runs is known to Marathon (a task that
    /// comes back with its agent after Marathon replaced it is killed at once, not left running unseen beside its
    /// replacement).
    func checkInvariants() throws(Failure) {
        var known: Set<TaskID> = []
        for tasks in marathon.tasks.values { known.formUnion(tasks.keys) }
        for agent in agents where agent.downUntil == nil {
            if let unknown = agent.tasks.running.keys.filter({ !known.contains($0) }).min() {
                throw fail("\(agent.hostname) runs \(unknown), which Marathon does not know")
            }
        }
        // The master's live tasks, by agent (an agent's `tasks` lose a task when it ends).
        var onMaster: [TaskID: AgentID] = [:]
        for agent in master.agents.values {
            for ref in agent.tasks where ref.frameworkID == frameworkID { onMaster[ref.taskID] = agent.id }
        }
        for app in apps {
            let tasks = counted(app)
            guard tasks.count <= app.instances else {
                throw fail("\(app.id) counts \(tasks.count) tasks, more than its \(app.instances) instances")
            }
            if let broken = Self.violation(of: app, tasks, config: config) { throw fail("\(app.id): \(broken)") }
            for task in tasks where onMaster[task.id] != task.agentID {
                throw fail("\(app.id): Marathon counts \(task.id) on \(task.agentID), which the master does not")
            }
        }
    }

    /// What is wrong with where `tasks` run, judged as a state (not as a placement decision).
    static func violation(of app: App, _ tasks: [AppTask], config: Config) -> String? {
        for constraint in app.constraints {
            let values = tasks.map { task in
                constraint.field == "hostname" ? task.hostname : task.attributes[constraint.field] ?? "<none>"
            }
            var counts: [String: Int] = [:]
            for value in values { counts[value, default: 0] += 1 }
            var shown: String {
                counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            }
            switch constraint.op {
            case .unique:
                if counts.values.contains(where: { $0 > 1 }) { return "UNIQUE \(constraint.field) broken: \(shown)" }
            case .maxPer:
                let limit = Int(constraint.value ?? "") ?? 0
                if counts.values.contains(where: { $0 > limit }) {
                    return "MAX_PER \(constraint.field) \(limit) broken: \(shown)"
                }
            case .groupBy:
                // Each placement goes to a least-used value (to an unused one while fewer than `value` are used),
                // so no value ever holds more than ceil(instances / groups).
                let groups = Int(constraint.value ?? "") ?? 1
                let limit = (app.instances + groups - 1) / groups
                if counts.values.contains(where: { $0 > limit }) {
                    return "GROUP_BY \(constraint.field) \(groups) uneven (> \(limit) in one group): \(shown)"
                }
            case .cluster:
                if counts.count > 1 || (constraint.value != nil && counts.keys.contains { $0 != constraint.value }) {
                    return "CLUSTER \(constraint.field) \(constraint.value ?? "") broken: \(shown)"
                }
            case .like:
                // Judged once per distinct value: compiling and running a Regex is slow in a debug build.
                let regex = try! Regex(constraint.value ?? "")
                if counts.keys.contains(where: { (try? regex.wholeMatch(in: $0)) == nil }) {
                    return "LIKE \(constraint.field) \(constraint.value ?? "") broken: \(shown)"
                }
            case .unlike, .is:
                break
            }
        }
        return nil
    }

    /// nil once every app runs exactly its instances of TASK_RUNNING tasks with nothing pending, no deployment
    /// is left, and Marathon, the master and the agents agree on every task (no orphan, no ghost); else what
    /// still differs.
    func converged() -> String? {
        if !marathon.deployments.isEmpty { return "\(marathon.deployments.count) deployments left" }
        var known: Set<TaskID> = []
        for app in apps {
            let live = marathon.liveTasks(app.id)
            let running = live.filter { $0.isRunning && !$0.killing }
            guard live.count == app.instances, running.count == app.instances else {
                let delay = marathon.backoff[app.id]?.delayUntil.map { $0 > now ? " for \($0 - now)" : "" } ?? ""
                return "\(app.id): \(running.count) of \(app.instances) running (\(live.count) live), "
                    + "\(marathon.pending[app.id] ?? 0) to launch, "
                    + "\(marathon.backoff[app.id]?.failures ?? 0) failures in a row\(delay)"
            }
            known.formUnion(live.map(\.id))
        }
        let tracked = Set(master.tasks.filter { !$0.value.state.isTerminal }.map(\.key.taskID))
        if tracked != known {
            let orphans = tracked.subtracting(known).sorted().prefix(3).map { id in
                let entry = master.tasks[TaskRef(frameworkID, id)]
                return "\(id) (\(entry.map { "\($0.state), \($0.latest.message ?? "")" } ?? ""))"
            }
            return "the master tracks \(tracked.subtracting(known).count) tasks Marathon does not know "
                + "(\(orphans.joined(separator: "; "))), "
                + "Marathon \(known.subtracting(tracked).count) the master does not"
        }
        var onAgents: Set<TaskID> = []
        for agent in agents {
            guard agent.downUntil == nil else { return "\(agent.hostname) is still down" }
            onAgents.formUnion(agent.tasks.running.keys)
        }
        if onAgents != known {
            return "agents run \(onAgents.subtracting(known).count) tasks Marathon does not know "
                + "(\(onAgents.subtracting(known).sorted().prefix(3))), Marathon knows "
                + "\(known.subtracting(onAgents).count) no agent runs"
        }
        return nil
    }
}
