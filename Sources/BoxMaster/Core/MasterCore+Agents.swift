public import BoxCore

extension MasterCore {
    // MARK: - Agent inputs

    /// An agent registers, or reregisters with the id it had. Answers the id it is known by, or nil when its
    /// old id was removed (it must kill its tasks and register afresh). A reregistering agent's tasks are
    /// reconciled: tasks the master knows become running again, tasks it does not know are killed, and tasks the
    /// master expected there but the agent no longer runs are lost.
    public mutating func agentRegistered(_ registration: AgentRegistration, now: Instant) -> (
        AgentID?, [MasterEffect]
    ) {
        var effects: [MasterEffect] = []
        if let previous = registration.previousID {
            if removedAgents.contains(previous) { return (nil, []) }
            if agents[previous] != nil {
                reregister(previous, registration, now: now, into: &effects)
                return (previous, effects)
            }
            // A master that restarted does not know the agent: adopt its id, as Mesos recovers agents.
            addAgent(previous, registration, now: now, into: &effects)
            adoptTasks(of: previous, registration.runningTasks, now: now, into: &effects)
            return (previous, effects)
        }
        let id = AgentID("\(config.masterID)-S\(nextAgentNumber)")
        nextAgentNumber += 1
        addAgent(id, registration, now: now, into: &effects)
        for running in registration.runningTasks {
            effects.append(.agent(id, .kill(running.task.taskID, frameworkID: running.frameworkID)))
        }
        return (id, effects)
    }

    /// An agent's heartbeat. Answers false when the agent must reregister (unknown, removed or unreachable).
    public mutating func agentHeartbeat(_ id: AgentID, now: Instant) -> Bool {
        guard agents[id]?.isActive == true else { return false }
        agents[id]!.lastHeartbeat = now
        return true
    }

    // MARK: - Agent bookkeeping

    private mutating func addAgent(
        _ id: AgentID, _ registration: AgentRegistration, now: Instant, into effects: inout [MasterEffect]
    ) {
        agents[id] = AgentEntry(
            id: id, hostname: registration.hostname, attributes: registration.attributes, kind: registration.kind,
            total: registration.resources, registeredAt: now, lastHeartbeat: now)
        if let number = Int(id.value.split(separator: "S").last ?? ""), number >= nextAgentNumber {
            nextAgentNumber = number + 1
        }
        allocationPending = true
        effects.append(
            observe(
                ClusterEvent(
                    .agentAdded, time: now, agentID: id, resources: registration.resources,
                    message: "\(registration.hostname) (\(registration.kind)) joined with \(registration.resources)")))
    }

    private mutating func reregister(
        _ id: AgentID, _ registration: AgentRegistration, now: Instant, into effects: inout [MasterEffect]
    ) {
        guard var agent = agents[id] else { return }
        let wasUnreachable = !agent.isActive
        agent.status = .active
        agent.lastHeartbeat = now
        agent.total = registration.resources
        agents[id] = agent
        allocationPending = true
        let reported = Set(registration.runningTasks.map { TaskRef($0.frameworkID, $0.task.taskID) })
        for running in registration.runningTasks {
            let ref = TaskRef(running.frameworkID, running.task.taskID)
            guard var entry = tasks[ref], frameworks[ref.frameworkID] != nil else {
                effects.append(.agent(id, .kill(running.task.taskID, frameworkID: running.frameworkID)))
                continue
            }
            if entry.state == .unreachable {
                entry.state = running.state
                tasks[ref] = entry
                let status = TaskStatus(
                    taskID: ref.taskID, state: running.state, agentID: id, message: "Agent reregistered",
                    source: .master, timestamp: now)
                record(status, for: ref, forward: true, now: now, into: &effects)
            }
        }
        for ref in agent.tasks.sorted() where !reported.contains(ref) {
            let status = TaskStatus(
                taskID: ref.taskID, state: lostState(for: ref.frameworkID), agentID: id,
                message: "Task was not running on the agent when it reregistered", source: .master,
                reason: .agentRestarted, timestamp: now)
            record(status, for: ref, forward: true, now: now, into: &effects)
        }
        effects.append(
            observe(
                ClusterEvent(
                    .agentReregistered, time: now, agentID: id,
                    message: wasUnreachable ? "\(agent.hostname) is reachable again" : "\(agent.hostname) reregistered")
            ))
    }

    /// Takes in the tasks a reregistering agent reports after the master lost its own record of them.
    private mutating func adoptTasks(
        of id: AgentID, _ running: [AgentRegistration.RunningTask], now: Instant, into effects: inout [MasterEffect]
    ) {
        for item in running {
            guard frameworks[item.frameworkID] != nil, agents[id]?.free.contains(item.task.resources) == true else {
                effects.append(.agent(id, .kill(item.task.taskID, frameworkID: item.frameworkID)))
                continue
            }
            let ref = TaskRef(item.frameworkID, item.task.taskID)
            let status = TaskStatus(taskID: ref.taskID, state: item.state, agentID: id, source: .master, timestamp: now)
            tasks[ref] = TaskEntry(
                info: item.task, frameworkID: item.frameworkID, state: item.state, latest: status, launchedAt: now)
            agents[id]!.used += item.task.resources
            agents[id]!.tasks.insert(ref)
            frameworks[item.frameworkID]!.tasks.insert(ref.taskID)
            frameworks[item.frameworkID]!.used += item.task.resources.scalars
            frameworks[item.frameworkID]!.allocated += item.task.resources.scalars
        }
    }

    /// Marks silent agents unreachable and removes agents unreachable for too long.
    mutating func checkAgents(now: Instant, into effects: inout [MasterEffect]) {
        for id in agents.keys {
            guard let agent = agents[id] else { continue }
            switch agent.status {
            case .active where now - agent.lastHeartbeat > config.agentHeartbeatTimeout:
                markUnreachable(id, now: now, into: &effects)
            case .unreachable(let since) where now - since > config.agentRemovalTimeout:
                removeAgent(id, now: now, into: &effects)
            default:
                break
            }
        }
    }

    /// The agent's offers are rescinded, its resources leave the pool and its tasks become unreachable
    /// (`TASK_LOST` for frameworks that are not partition-aware).
    private mutating func markUnreachable(_ id: AgentID, now: Instant, into effects: inout [MasterEffect]) {
        guard var agent = agents[id] else { return }
        for offerID in offers.values.filter({ $0.offer.agentID == id }).map(\.offer.id).sorted() {
            rescind(offerID, now: now, reason: "agent \(id) is unreachable", into: &effects)
        }
        agent = agents[id]!
        agent.status = .unreachable(since: now)
        agents[id] = agent
        allocationPending = true
        effects.append(
            observe(
                ClusterEvent(
                    .agentUnreachable, time: now, agentID: id,
                    message: "\(agent.hostname) missed heartbeats for \(config.agentHeartbeatTimeout)")))
        for ref in agent.tasks.sorted() {
            guard let framework = frameworks[ref.frameworkID] else { continue }
            let aware = framework.info.partitionAware
            let status = TaskStatus(
                taskID: ref.taskID, state: aware ? .unreachable : .lost, agentID: id,
                message: "Agent \(id) is unreachable", source: .master, reason: .agentUnreachable, timestamp: now)
            if aware {
                record(status, for: ref, forward: true, now: now, into: &effects)
            } else {
                // Not partition-aware: the framework hears TASK_LOST now; the task stays tracked as unreachable
                // so that its resources are released only when the agent is removed or comes back.
                tasks[ref]?.state = .unreachable
                tasks[ref]?.latest = status
                send(status, to: ref.frameworkID, into: &effects)
            }
        }
    }

    /// The agent is forgotten: its tasks are gone for good.
    private mutating func removeAgent(_ id: AgentID, now: Instant, into effects: inout [MasterEffect]) {
        guard let agent = agents[id] else { return }
        for ref in agent.tasks.sorted() {
            let aware = frameworks[ref.frameworkID]?.info.partitionAware ?? true
            let status = TaskStatus(
                taskID: ref.taskID, state: aware ? .gone : .lost, agentID: id, message: "Agent \(id) was removed",
                source: .master, reason: .agentRemoved, timestamp: now)
            record(status, for: ref, forward: aware, now: now, into: &effects)
        }
        agents.removeValue(forKey: id)
        removedAgents.append(id)
        effects.append(
            observe(
                ClusterEvent(
                    .agentRemoved, time: now, agentID: id,
                    message: "\(agent.hostname) was unreachable for \(config.agentRemovalTimeout) and was removed")))
    }

    func lostState(for framework: FrameworkID) -> TaskState {
        (frameworks[framework]?.info.partitionAware ?? true) ? .gone : .lost
    }
}
