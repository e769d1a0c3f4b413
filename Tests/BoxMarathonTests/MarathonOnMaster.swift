import BoxCore
import BoxMarathon
import BoxMaster
import Collections
import Testing

/// Marathon's scheduler on a real master core with fake agents whose tasks run until killed (or crashed by the
/// test), stepped 100 virtual milliseconds at a time. Health checks pass once a task has run `healthyAfter`,
/// unless the test marks the task sick.
struct MarathonOnMaster {
    var master: MasterCore
    var marathon = MarathonScheduler(seed: 7)
    var now = Instant(nanosecondsSinceEpoch: 1_800_000_000_000_000_000)
    var frameworkID: FrameworkID!
    var agents: [AgentID] = []
    var running: [TaskID: (agent: AgentID, framework: FrameworkID)] = [:]
    var events: [TimedEvent] = []
    var healthyAfter: Duration = .seconds(1)
    var sick: Set<TaskID> = []
    var uuids = 0
    /// Called after every step, to sample invariants.
    var observe: ((MarathonScheduler) -> Void)?

    init(agents count: Int = 3, cpus: Double = 4, mem: Int = 4096) {
        master = MasterCore(config: MasterConfig(masterID: "m"), now: now)
        for index in 0..<count {
            let (id, effects) = master.agentRegistered(
                AgentRegistration(
                    hostname: "host-\(index)",
                    resources: Resources(
                        cpus: cpus, memoryMiB: mem,
                        ports: PortRanges([UInt16(31000 + index * 100)...UInt16(31099 + index * 100)])),
                    attributes: ["rack": "r\(index % 2)"], kind: "process"),
                now: now)
            agents.append(id!)
            deliver(effects)
        }
        let (framework, effects) = master.subscribe(
            FrameworkInfo(name: "marathon", role: "marathon", failoverTimeoutSeconds: 0), now: now)
        frameworkID = framework
        deliver(effects)
    }

    mutating func deploy(_ apps: [PathID: App?], force: Bool = false) throws(MarathonError) -> Deployment {
        let (deployment, calls) = try marathon.deploy(apps, force: force, now: now)
        send(calls)
        return deployment
    }

    mutating func step(for duration: Duration) {
        let end = now + duration
        while now < end {
            now = now + .milliseconds(100)
            for agent in agents { _ = master.agentHeartbeat(agent, now: now) }
            deliver(master.tick(now: now))
            send(marathon.tick(now: now))
            for request in marathon.dueHealthChecks(now: now) {
                let started = marathon.task(request.taskID)?.startedAt ?? now
                let alive = !sick.contains(request.taskID) && now - started >= healthyAfter
                send(marathon.healthResult(request.taskID, index: request.index, alive: alive, cause: "sick", now: now))
            }
            events += marathon.takeEvents()
            observe?(marathon)
        }
    }

    /// Steps until `done` holds; records an issue when it does not within `limit`.
    mutating func settle(
        until done: (MarathonScheduler) -> Bool, limit: Duration = .seconds(60),
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let end = now + limit
        while now < end {
            if done(marathon) { return }
            step(for: .milliseconds(100))
        }
        if !done(marathon) {
            Issue.record(
                "not settled after \(limit): \(marathon.deployments.values.map(\.currentActions))",
                sourceLocation: sourceLocation)
        }
    }

    /// The task's process exits on its own.
    mutating func crash(_ taskID: TaskID, state: TaskState = .failed) {
        guard let (agent, framework) = running.removeValue(forKey: taskID) else { return }
        report(taskID, state, agent: agent, framework: framework)
    }

    func runningCount(_ app: PathID) -> Int { marathon.liveTasks(app).filter(\.isRunning).count }
    func healthyCount(_ app: PathID) -> Int { marathon.liveTasks(app).filter(\.isHealthy).count }

    private mutating func report(_ taskID: TaskID, _ state: TaskState, agent: AgentID, framework: FrameworkID) {
        uuids += 1
        let status = TaskStatus(
            taskID: taskID, state: state, agentID: agent, message: "\(state)", uuid: StatusUUID("u\(uuids)"),
            timestamp: now)
        deliver(master.statusUpdate(status, frameworkID: framework, from: agent, now: now))
    }

    mutating func send(_ calls: [Call]) {
        for call in calls { deliver(master.handle(call, from: frameworkID, now: now)) }
    }

    private mutating func deliver(_ effects: [MasterEffect]) {
        var queue = Deque(effects)
        while let effect = queue.popFirst() {
            switch effect {
            case .send(_, let event):
                var calls: [Call] = []
                switch event {
                case .offers(let offers): calls = marathon.offers(offers, now: now)
                case .update(let status): calls = marathon.update(status, now: now)
                case .subscribed(let id, _): calls = marathon.subscribed(id, now: now)
                default: break
                }
                for call in calls { queue.append(contentsOf: master.handle(call, from: frameworkID, now: now)) }
            case .agent(let agent, .launch(let task, let framework)):
                running[task.taskID] = (agent, framework)
                uuids += 1
                let status = TaskStatus(
                    taskID: task.taskID, state: .running, agentID: agent, uuid: StatusUUID("u\(uuids)"),
                    timestamp: now)
                queue.append(contentsOf: master.statusUpdate(status, frameworkID: framework, from: agent, now: now))
            case .agent(let agent, .kill(let taskID, let framework)):
                guard running.removeValue(forKey: taskID) != nil else { continue }
                uuids += 1
                let status = TaskStatus(
                    taskID: taskID, state: .killed, agentID: agent, uuid: StatusUUID("u\(uuids)"), timestamp: now)
                queue.append(contentsOf: master.statusUpdate(status, frameworkID: framework, from: agent, now: now))
            case .observe, .closeFramework:
                break
            }
        }
    }
}
