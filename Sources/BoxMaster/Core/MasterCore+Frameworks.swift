public import BoxCore

extension MasterCore {
    // MARK: - Framework inputs

    /// A framework subscribes, or resubscribes with its id. Answers its id; the first effect is `SUBSCRIBED`
    /// (or `ERROR` for a framework that was already removed, in which case the id is nil). Updates it had not
    /// acknowledged are sent again.
    public mutating func subscribe(_ info: FrameworkInfo, now: Instant) -> (FrameworkID?, [MasterEffect]) {
        var effects: [MasterEffect] = []
        if let id = info.id, completedFrameworks.contains(where: { $0.id == id }) {
            return (nil, [.send(id, .error(message: "Framework has been removed"))])
        }
        let id: FrameworkID
        if let existing = info.id, var framework = frameworks[existing] {
            id = existing
            framework.info = info
            framework.connected = true
            framework.disconnectedAt = nil
            frameworks[id] = framework
        } else {
            // A new framework, or one reconnecting after the master restarted: adopt the id it brings.
            id = info.id ?? FrameworkID("\(config.masterID)-\(String(nextFrameworkNumber).leftPadded(to: 4))")
            nextFrameworkNumber += 1
            var stored = info
            stored.id = id
            frameworks[id] = FrameworkEntry(id: id, info: stored, registeredAt: now, lastHeartbeatSent: now)
            effects.append(
                observe(
                    ClusterEvent(
                        .frameworkAdded, time: now, frameworkID: id,
                        message: "\(info.name) subscribed with role \(info.role), weight \(info.weight)")))
        }
        effects.insert(
            .send(
                id, .subscribed(frameworkID: id, heartbeatIntervalSeconds: config.frameworkHeartbeatInterval.seconds)),
            at: 0)
        for taskID in frameworks[id]!.tasks.sorted() {
            if let head = tasks[TaskRef(id, taskID)]?.unacknowledged.first { send(head, to: id, into: &effects) }
        }
        allocationPending = true
        return (id, effects)
    }

    /// UPDATE_FRAMEWORK: a subscribed framework changes its name, role, failover timeout, hostname or
    /// capabilities. Its `user` may not change (as in Mesos). Answers why the update was refused, or nil.
    public mutating func updateFramework(_ id: FrameworkID, _ info: FrameworkInfo) -> String? {
        guard let framework = frameworks[id] else { return "Framework cannot be found" }
        if info.user != framework.info.user {
            return "Updating 'FrameworkInfo.user' is unsupported (it is '\(framework.info.user)')"
        }
        var updated = info
        updated.id = id
        updated.weight = framework.info.weight
        frameworks[id]!.info = updated
        allocationPending = true
        return nil
    }

    /// The framework's connection broke: its offers are rescinded and its tasks keep running for its failover
    /// timeout, after which it is removed.
    public mutating func frameworkDisconnected(_ id: FrameworkID, now: Instant) -> [MasterEffect] {
        guard var framework = frameworks[id], framework.connected else { return [] }
        var effects: [MasterEffect] = []
        for offerID in framework.offers { recoverOffer(offerID) }
        framework = frameworks[id]!
        framework.connected = false
        framework.disconnectedAt = now
        frameworks[id] = framework
        effects.append(
            observe(
                ClusterEvent(
                    .frameworkDisconnected, time: now, frameworkID: id,
                    message:
                        "\(framework.info.name) disconnected; failover timeout \(framework.info.failoverTimeoutSeconds) s"
                )))
        if framework.info.failoverTimeoutSeconds <= 0 {
            effects += removeFramework(id, now: now, reason: "disconnected")
        }
        return effects
    }

    /// A call from a subscribed framework.
    public mutating func handle(_ call: Call, from id: FrameworkID, now: Instant) -> [MasterEffect] {
        guard frameworks[id] != nil else { return [] }
        var effects: [MasterEffect] = []
        switch call {
        case .accept(let offerIDs, let operations, let filters):
            accept(offerIDs, operations, filters, from: id, now: now, into: &effects)
        case .decline(let offerIDs, let filters):
            decline(offerIDs, filters, from: id, now: now, into: &effects)
        case .revive:
            frameworks[id]!.filters = [:]
            frameworks[id]!.suppressed = false
            allocationPending = true
        case .suppress:
            frameworks[id]!.suppressed = true
        case .kill(let taskID, _):
            kill(taskID, of: id, now: now, into: &effects)
        case .acknowledge(_, let taskID, let uuid):
            acknowledge(TaskRef(id, taskID), uuid: uuid, now: now, into: &effects)
        case .reconcile(let taskIDs):
            reconcile(taskIDs, of: id, now: now, into: &effects)
        case .message(let agentID, _):
            // Executors are built in; there is no custom executor to deliver framework messages to.
            effects.append(.send(id, .error(message: "MESSAGE: agent \(agentID) runs no custom executor")))
        case .teardown:
            effects += removeFramework(id, now: now, reason: "teardown")
        }
        return effects
    }

    // MARK: - Framework bookkeeping

    /// Heartbeats to connected frameworks; removal of frameworks disconnected past their failover timeout.
    mutating func checkFrameworks(now: Instant, into effects: inout [MasterEffect]) {
        for id in frameworks.keys {
            guard let framework = frameworks[id] else { continue }
            if framework.connected, now - framework.lastHeartbeatSent >= config.frameworkHeartbeatInterval {
                frameworks[id]!.lastHeartbeatSent = now
                effects.append(.send(id, .heartbeat))
            }
            if !framework.connected, let since = framework.disconnectedAt,
                now - since >= .nanoseconds(Int64(framework.info.failoverTimeoutSeconds * 1e9))
            {
                effects += removeFramework(id, now: now, reason: "failover timeout expired")
            }
        }
    }

    /// Kills the framework's tasks, drops its offers and ends its stream. Its tasks stay tracked until their
    /// agents report them ended, so their resources are not offered twice.
    mutating func removeFramework(_ id: FrameworkID, now: Instant, reason: String) -> [MasterEffect] {
        guard var framework = frameworks[id] else { return [] }
        var effects: [MasterEffect] = []
        for offerID in framework.offers { recoverOffer(offerID) }
        for taskID in framework.tasks.sorted() {
            let ref = TaskRef(id, taskID)
            guard var entry = tasks[ref] else { continue }
            entry.unacknowledged.removeAll()
            entry.nextRetry = nil
            tasks[ref] = entry
            awaitingAcknowledgement.remove(ref)
            if entry.state.isTerminal {
                tasks.removeValue(forKey: ref)
            } else if agents[entry.info.agentID]?.isActive == true {
                effects.append(.agent(entry.info.agentID, .kill(taskID, frameworkID: id)))
            }
        }
        framework = frameworks.removeValue(forKey: id)!
        framework.connected = false
        framework.unregisteredAt = now
        completedFrameworks.append(framework)
        if completedFrameworks.count > config.completedFrameworksMax { completedFrameworks.removeFirst() }
        allocationPending = true
        effects.append(.closeFramework(id))
        effects.append(
            observe(
                ClusterEvent(
                    .frameworkRemoved, time: now, frameworkID: id, message: "\(framework.info.name): \(reason)")))
        return effects
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
