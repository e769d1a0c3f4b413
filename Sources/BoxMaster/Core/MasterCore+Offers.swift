public import BoxCore
import Collections

extension MasterCore {
    // MARK: - Allocation

    /// One DRF allocation pass. For each agent with free resources (starting at a rotating position), the
    /// connected, unsuppressed framework with the lowest weighted dominant share that has not refused the agent
    /// is offered everything free on it; frameworks of roles still below their quota come first (quota, then
    /// DRF, as in Mesos). A framework's weight is its role's weight times its own. Offered resources count
    /// towards the framework's share at once, so the next agent may go to another framework. Offers are sent as
    /// one `OFFERS` event per framework.
    public mutating func allocate(now: Instant) -> [MasterEffect] {
        allocationPending = false
        lastAllocation = now
        counters.allocationPasses += 1
        var sorter = DRFSorter(total: clusterTotal)
        for framework in frameworks.values where framework.connected && !framework.suppressed {
            sorter.add(framework.id, weight: effectiveWeight(framework), allocated: framework.allocated)
        }
        guard !sorter.clients.isEmpty, !agents.isEmpty else { return [] }

        // Positions and filters are looked up once per pass: the loop below runs once per agent and should
        // neither hash ids it can index nor copy whole framework entries to read a field.
        var slots: [FrameworkID: Int] = [:]
        for (slot, framework) in frameworks.values.enumerated() { slots[framework.id] = slot }
        var roleOf: [FrameworkID: String] = [:]
        for framework in frameworks.values { roleOf[framework.id] = framework.info.role }
        var shortfalls = quotaShortfalls()
        var filters: [FrameworkID: [AgentID: RefusalFilter]] = [:]
        for framework in frameworks.values where !framework.filters.isEmpty { filters[framework.id] = framework.filters }

        var batches: OrderedDictionary<FrameworkID, [Offer]> = [:]
        var effects: [MasterEffect] = []
        let count = agents.count
        let start = allocationCursor % count
        allocationCursor = start + 1
        for step in 0..<count {
            let slot = (start + step) % count
            let agent = agents.values[slot]
            guard agent.isActive else { continue }
            let free = agent.free
            guard isAllocatable(free) else { continue }
            let eligible = { (client: DRFSorter.Client) -> Bool in
                guard let filter = filters[client.id]?[agent.id] else { return true }
                return !filter.holdsBack(free, now: now)
            }
            let guaranteed =
                shortfalls.isEmpty
                ? nil
                : sorter.clients.firstIndex { client in
                    guard let lack = shortfalls[roleOf[client.id] ?? ""] else { return false }
                    return free.helps(lack) && eligible(client)
                }
            guard let index = guaranteed ?? sorter.clients.firstIndex(where: eligible) else { continue }
            let frameworkID = sorter.clients[index].id
            let frameworkSlot = slots[frameworkID]!
            let offer = Offer(
                id: makeOfferID(), frameworkID: frameworkID, agentID: agent.id, hostname: agent.hostname,
                resources: free, attributes: agent.attributes)
            offers[offer.id] = OfferEntry(offer: offer, expiresAt: now + config.offerTimeout)
            agents.values[slot].offered += free
            frameworks.values[frameworkSlot].offers.insert(offer.id)
            frameworks.values[frameworkSlot].allocated += free.scalars
            sorter.allocate(free, toClientAt: index)
            if guaranteed != nil { shortfalls = quotaShortfalls() }
            batches[frameworkID, default: []].append(offer)
            counters.offersMade += 1
            let name = frameworks.values[frameworkSlot].info.name
            effects.append(
                observe(
                    ClusterEvent(
                        .offer, time: now, frameworkID: frameworkID, agentID: agent.id, offerID: offer.id,
                        resources: free, message: "offered \(agent.hostname) to \(name)")))
        }
        for (frameworkID, batch) in batches { effects.append(.send(frameworkID, .offers(batch))) }
        return effects
    }

    func isAllocatable(_ free: Resources) -> Bool {
        free.milliCPUs >= config.minAllocatable.milliCPUs || free.memoryMiB >= config.minAllocatable.memoryMiB
    }


    // MARK: - Answers to offers

    mutating func decline(
        _ offerIDs: [OfferID], _ filters: Filters, from id: FrameworkID, now: Instant,
        into effects: inout [MasterEffect]
    ) {
        let refuse = refuseDuration(filters.refuseSeconds)
        for offerID in offerIDs {
            guard let entry = offers[offerID], entry.offer.frameworkID == id else { continue }
            recoverOffer(offerID)
            if refuse > .zero {
                frameworks[id]!.filters[entry.offer.agentID] = RefusalFilter(
                    resources: entry.offer.resources, until: now + refuse)
            }
            counters.offersDeclined += 1
            effects.append(
                observe(
                    ClusterEvent(
                        .decline, time: now, frameworkID: id, agentID: entry.offer.agentID, offerID: offerID,
                        resources: entry.offer.resources,
                        message: "declined, refusing \(entry.offer.hostname) for \(refuse.seconds.formatted) s")))
        }
    }

    /// Validates every task against the offers (all valid, all from one agent, resources within what is left,
    /// unique ids), launches the valid ones and answers each invalid one with `TASK_ERROR` saying why. Whatever
    /// the tasks do not use returns to the pool, filtered for `filters.refuseSeconds`.
    mutating func accept(
        _ offerIDs: [OfferID], _ operations: [OfferOperation], _ filters: Filters, from id: FrameworkID,
        now: Instant, into effects: inout [MasterEffect]
    ) {
        let launches = operations.flatMap { operation -> [TaskInfo] in
            switch operation {
            case .launch(let tasks), .launchGroup(let tasks): tasks
            }
        }
        let valid = offerIDs.compactMap { offerID -> OfferEntry? in
            guard let entry = offers[offerID], entry.offer.frameworkID == id else { return nil }
            return entry
        }
        let agentIDs = Set(valid.map(\.offer.agentID))
        let problem: String? =
            if offerIDs.isEmpty {
                "ACCEPT names no offer"
            } else if valid.count != offerIDs.count || Set(offerIDs).count != offerIDs.count {
                "Offer \(offerIDs.first { offers[$0]?.offer.frameworkID != id } ?? offerIDs[0]) is no longer valid"
            } else if agentIDs.count != 1 { "Offers span more than one agent" } else { nil }
        for entry in valid { recoverOffer(entry.offer.id) }
        guard problem == nil, let agentID = agentIDs.first, agents[agentID]?.isActive == true else {
            let message = problem ?? "Agent \(agentIDs.first?.value ?? "?") is not reachable"
            for task in launches {
                let status = TaskStatus(
                    taskID: task.taskID, state: lostState(for: id) == .gone ? .dropped : .lost,
                    agentID: task.agentID, message: message, source: .master, reason: .invalidOffers, timestamp: now)
                send(status, to: id, into: &effects)
            }
            return
        }
        counters.offersAccepted += valid.count
        var remaining = valid.reduce(Resources.zero) { $0 + $1.offer.resources }
        var seen: Set<TaskID> = []
        for operation in operations {
            switch operation {
            case .launch(let tasks):
                for task in tasks {
                    if let error = validate(task, remaining: remaining, agentID: agentID, framework: id, seen: seen) {
                        reject(task, error, reason: .taskInvalid, framework: id, agentID: agentID, now: now, into: &effects)
                        continue
                    }
                    seen.insert(task.taskID)
                    remaining -= task.resources
                    launch(task, framework: id, now: now, into: &effects)
                }
            case .launchGroup(let tasks):
                // All or none: check the whole group against what is left before launching any of it.
                var left = remaining
                var groupSeen = seen
                var problem: String?
                for task in tasks where problem == nil {
                    problem = validate(task, remaining: left, agentID: agentID, framework: id, seen: groupSeen)
                    groupSeen.insert(task.taskID)
                    left -= task.resources
                }
                if tasks.isEmpty { problem = "LAUNCH_GROUP has no tasks" }
                if let problem {
                    for task in tasks {
                        reject(
                            task, "Task group is invalid: \(problem)", reason: .taskGroupInvalid, framework: id,
                            agentID: agentID, now: now, into: &effects)
                    }
                    continue
                }
                for var task in tasks {
                    task.group = tasks[0].taskID
                    seen.insert(task.taskID)
                    remaining -= task.resources
                    launch(task, framework: id, now: now, into: &effects)
                }
            }
        }
        let launched = seen.map(\.value).sorted()
        effects.append(
            observe(
                ClusterEvent(
                    .accept, time: now, frameworkID: id, agentID: agentID, offerID: valid[0].offer.id,
                    resources: valid.reduce(Resources.zero) { $0 + $1.offer.resources } - remaining,
                    message: "\(frameworks[id]!.info.name) accepted \(agents[agentID]!.hostname): "
                        + (launched.isEmpty ? "launched nothing" : "launched \(launched.joined(separator: ", "))")
                        + (remaining.scalars.isEmpty ? "" : "; returned the rest"))))
        let refuse = refuseDuration(filters.refuseSeconds)
        if isAllocatable(remaining), refuse > .zero {
            frameworks[id]!.filters[agentID] = RefusalFilter(resources: remaining, until: now + refuse)
        }
        allocationPending = true
    }

    /// Answers an invalid task with `TASK_ERROR` (from the master, so without uuid) and narrates it.
    private mutating func reject(
        _ task: TaskInfo, _ error: String, reason: StatusReason, framework id: FrameworkID, agentID: AgentID,
        now: Instant, into effects: inout [MasterEffect]
    ) {
        counters.tasksInvalid += 1
        let status = TaskStatus(
            taskID: task.taskID, state: .error, agentID: agentID, message: error, source: .master, reason: reason,
            timestamp: now)
        send(status, to: id, into: &effects)
        effects.append(
            observe(
                ClusterEvent(
                    .taskError, time: now, frameworkID: id, agentID: agentID, taskID: task.taskID, state: .error,
                    message: error)))
    }

    /// Why `task` cannot run, or nil when it can.
    private func validate(
        _ task: TaskInfo, remaining: Resources, agentID: AgentID, framework: FrameworkID, seen: Set<TaskID>
    ) -> String? {
        if task.taskID.value.isEmpty { return "Task has an empty task id" }
        if seen.contains(task.taskID) || tasks[TaskRef(framework, task.taskID)] != nil {
            return "Task \(task.taskID) has a duplicate task id"
        }
        if task.agentID != agentID {
            return "Task \(task.taskID) names agent \(task.agentID), but the offer is of \(agentID)"
        }
        if agents[task.agentID] == nil { return "Agent \(task.agentID) does not exist" }
        if !task.resources.isValid { return "Task \(task.taskID) asks for negative resources" }
        if task.resources.scalars.isEmpty { return "Task \(task.taskID) uses no resources (it needs cpus or mem)" }
        if !remaining.contains(task.resources) {
            return
                "Task \(task.taskID) uses more resources (\(task.resources)) than available in the offers (\(remaining))"
        }
        return nil
    }

    private mutating func launch(
        _ task: TaskInfo, framework id: FrameworkID, now: Instant, into effects: inout [MasterEffect]
    ) {
        let ref = TaskRef(id, task.taskID)
        let status = TaskStatus(
            taskID: task.taskID, state: .staging, agentID: task.agentID, source: .master, timestamp: now)
        tasks[ref] = TaskEntry(info: task, frameworkID: id, state: .staging, latest: status, launchedAt: now)
        agents[task.agentID]!.used += task.resources
        agents[task.agentID]!.tasks.insert(ref)
        frameworks[id]!.tasks.insert(task.taskID)
        frameworks[id]!.used += task.resources.scalars
        frameworks[id]!.allocated += task.resources.scalars
        counters.tasksLaunched += 1
        effects.append(.agent(task.agentID, .launch(task, frameworkID: id)))
        effects.append(
            observe(
                ClusterEvent(
                    .launch, time: now, frameworkID: id, agentID: task.agentID, taskID: task.taskID, state: .staging,
                    resources: task.resources,
                    message: "\(frameworks[id]!.info.name) launched \(task.taskID) on \(agents[task.agentID]!.hostname)"
                )))
    }

    // MARK: - Offer bookkeeping

    /// Forgets an offer and returns its resources to the agent and the framework's share.
    mutating func recoverOffer(_ offerID: OfferID) {
        guard let entry = offers.removeValue(forKey: offerID) else { return }
        let offer = entry.offer
        agents[offer.agentID]?.offered -= offer.resources
        // In place: copying the entry out and back would copy its sets on every answer.
        if frameworks[offer.frameworkID] != nil {
            frameworks[offer.frameworkID]!.offers.remove(offerID)
            frameworks[offer.frameworkID]!.allocated -= offer.resources.scalars
        }
        allocationPending = true
    }

    mutating func rescind(_ offerID: OfferID, now: Instant, reason: String, into effects: inout [MasterEffect]) {
        guard let entry = offers[offerID] else { return }
        recoverOffer(offerID)
        counters.offersRescinded += 1
        if frameworks[entry.offer.frameworkID]?.connected == true {
            effects.append(.send(entry.offer.frameworkID, .rescind(offerID)))
        }
        effects.append(
            observe(
                ClusterEvent(
                    .rescind, time: now, frameworkID: entry.offer.frameworkID, agentID: entry.offer.agentID,
                    offerID: offerID, resources: entry.offer.resources, message: "rescinded: \(reason)")))
    }

    mutating func expireOffers(now: Instant, into effects: inout [MasterEffect]) {
        let expired = offers.values.filter { $0.expiresAt <= now }.map(\.offer.id).sorted()
        for offerID in expired {
            rescind(offerID, now: now, reason: "not answered within \(config.offerTimeout)", into: &effects)
        }
    }
}

extension Double {
    /// `5`, `0.5`: seconds without a needless `.0`.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
