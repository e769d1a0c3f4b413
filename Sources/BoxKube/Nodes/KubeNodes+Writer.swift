import BoxCore

extension KubeNodes {
    /// Carries out the queued writes whenever woken: nodes, then pods (bind with status, or status alone, or the
    /// Unschedulable condition of a pending pod), events, removals. Each pod's status is worked out as it is
    /// written, so it is never older than the actor's state at that moment.
    ///
    /// Nodes, pods and events are each written as one batch (``KubeAPI/modify(_:)``: one store read and one
    /// transaction per 64 objects), not one read and one commit per object: a ReplicaSet of 1,000 pods costs a
    /// few dozen commits per step instead of thousands, and the pods of one launch reach Running together.
    func writerLoop() async {
        for await _ in writerSignal {
            await flush()
        }
    }

    func flush() async {
        while true {
            let nodes = dirtyNodes
            let pods = dirtyPods
            let queuedEvents = events
            let queuedRemovals = removals
            dirtyNodes = []
            dirtyPods = []
            events = []
            removals = []
            if nodes.isEmpty && pods.isEmpty && queuedEvents.isEmpty && queuedRemovals.isEmpty { return }
            await writeNodes(nodes.sorted())
            await writePods(pods.sorted())
            await api.recordEvents(
                queuedEvents.map { event in
                    KubeEventRecord(
                        about: event.object, reason: event.reason, message: event.message, type: event.type,
                        component: event.component)
                })
            for removal in queuedRemovals {
                do {
                    try await api.remove(.pod, namespace: removal.namespace, name: removal.name, uid: removal.uid)
                } catch {
                    logger.warning("pod \(removal.namespace)/\(removal.name) not removed: \(error)")
                }
            }
        }
    }

    /// Creates or refreshes the agents' Nodes, with a new heartbeat: the existing ones in one batch, new ones one
    /// by one.
    private func writeNodes(_ agentIDs: [AgentID]) async {
        let now = clock.now
        var written: [AgentRecord] = []
        var changes: [KubeModification] = []
        for agentID in agentIDs {
            guard let agent = agents[agentID], !agent.failed else { continue }
            let status = NodeDocument.status(
                name: agent.name, attributes: agent.attributes, capacity: agent.capacity, heartbeat: now,
                readySince: agent.firstSeen)
            written.append(agent)
            changes.append(
                KubeModification(.node, namespace: "", name: agent.name) { current throws(KubeError) in
                    Self.refreshedNode(current, agent: agent, status: status, now: now)
                })
        }
        guard !changes.isEmpty else { return }
        for (agent, outcome) in zip(written, await api.modify(changes)) {
            switch outcome {
            case .success:
                agents[agent.agentID]?.heartbeatWritten = agent.heartbeatWritten == nil ? Self.phased(now, agent) : now
            case .failure(let error) where error.code == 404:
                let status = NodeDocument.status(
                    name: agent.name, attributes: agent.attributes, capacity: agent.capacity, heartbeat: now,
                    readySince: agent.firstSeen)
                do {
                    try await api.create(
                        .node, namespace: "",
                        NodeDocument.node(name: agent.name, attributes: agent.attributes, status: status))
                    agents[agent.agentID]?.heartbeatWritten = Self.phased(now, agent)
                    logger.info("Node registered", metadata: ["node": "\(agent.name)"])
                } catch {
                    logger.warning("node \(agent.name) not created: \(error)")
                }
            case .failure(let error):
                logger.warning("node \(agent.name) not updated: \(error)")
            }
        }
    }

    /// The first heartbeat's time as recorded: moved back by a fraction of the interval that depends on the
    /// agent's name, so that the next heartbeats of agents registered together (200 simulated agents at start-up)
    /// are spread over the interval rather than written as one burst every 10 s (a burst delays other writes and
    /// their watch events). The Node's own heartbeat time is the real one.
    static func phased(_ now: Instant, _ agent: AgentRecord) -> Instant {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in agent.name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let slots: UInt64 = 20
        return now + .nanoseconds(-(heartbeatInterval.nanoseconds / Int64(slots)) * Int64(hash % slots))
    }

    /// The stored Node with the agent's labels and this status; Ready since now when it was not Ready (a node the
    /// lifecycle controller marked NotReady turns Ready now).
    private static func refreshedNode(_ current: JSONValue, agent: AgentRecord, status: JSONValue, now: Instant)
        -> JSONValue
    {
        var next = NodeDocument.refreshed(current, name: agent.name, attributes: agent.attributes, status: status)
        let wasReady = (current[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
        if !wasReady, var conditions = next[path: ["status", "conditions"]]?.arrayValue {
            for index in conditions.indices {
                conditions[index].set(["lastTransitionTime"], .string(KubeTime.format(now)))
            }
            next.set(["status", "conditions"], .array(conditions))
        }
        return next
    }

    /// What one pod's write is about, to act on its outcome.
    private enum PodWrite {
        /// A run's status, with its bind when `bind`.
        case run(PodRun, bind: Bool)
        /// A pending pod's Unschedulable condition with this message.
        case unschedulable(PendingPod, message: String)
    }

    /// The pods' writes in one batch, then their events (`Scheduled`, `FailedScheduling`) in another.
    private func writePods(_ keys: [String]) async {
        var writes: [PodWrite] = []
        var changes: [KubeModification] = []
        let now = clock.now
        for key in keys {
            if let run = runs[key] {
                writes.append(.run(run, bind: !run.bound))
                changes.append(Self.runChange(run, status: PodStatus.status(run, now: now)))
            } else if let entry = pending[key], let message = entry.message, message != entry.messageWritten {
                writes.append(.unschedulable(entry, message: message))
                changes.append(Self.unschedulableChange(entry, message: message, now: KubeTime.format(now)))
            }
        }
        guard !changes.isEmpty else { return }
        var records: [KubeEventRecord] = []
        for (write, outcome) in zip(writes, await api.modify(changes)) {
            switch (write, outcome) {
            case (.run(let run, let bind), .success):
                guard bind else { continue }
                runs[run.key]?.bound = true
                records.append(
                    KubeEventRecord(
                        about: run.pod, reason: "Scheduled",
                        message: "Successfully assigned \(run.namespace)/\(run.name) to \(run.nodeName)",
                        component: Self.schedulerName))
            case (.run(let run, _), .failure(let error)) where error.code == 404 || error.code == 409:
                // Gone or replaced: its watch event stops the tasks.
                logger.debug("pod \(run.key) not written: \(error)")
                if error.code == 404, runs[run.key]?.uid == run.uid, var gone = runs[run.key] {
                    gone.removed = true
                    runs[run.key] = gone
                    startDeletion(run.key)
                }
            case (.run(let run, _), .failure(let error)):
                logger.warning("pod \(run.key) status not written: \(error)")
                dirtyPods.insert(run.key)
            case (.unschedulable(let entry, let message), .success):
                pending["\(entry.pod.namespace)/\(entry.pod.name)"]?.messageWritten = message
                records.append(
                    KubeEventRecord(
                        about: entry.pod, reason: "FailedScheduling", message: message, type: "Warning",
                        component: Self.schedulerName))
            case (.unschedulable(let entry, _), .failure(let error)):
                logger.debug("pod \(entry.pod.namespace)/\(entry.pod.name) unschedulable status not written: \(error)")
            }
        }
        await api.recordEvents(records)
    }

    /// The bind (`spec.nodeName`, the host-port annotation) with the status in one write, or the status alone.
    private static func runChange(_ run: PodRun, status: JSONValue) -> KubeModification {
        let bind = !run.bound
        let annotation = run.hostPortsAnnotation
        return KubeModification(.pod, namespace: run.namespace, name: run.name, statusOnly: !bind) {
            current throws(KubeError) in
            guard current.uid == run.uid else { throw .conflict(.pod, run.name, "the pod was replaced") }
            var next = current
            if bind {
                let bound = current[path: ["spec", "nodeName"]]?.stringValue ?? ""
                guard bound.isEmpty || bound == run.nodeName else {
                    throw .conflict(.pod, run.name, "the pod is already bound to \(bound)")
                }
                next.set(["spec", "nodeName"], .string(run.nodeName))
                if annotation != "{}" {
                    var annotations = next.annotations
                    annotations["clusterbox.io/host-ports"] = annotation
                    next.annotations = annotations
                }
            }
            next.set(["status"], status)
            return next
        }
    }

    /// `PodScheduled False, Unschedulable` with `message`.
    private static func unschedulableChange(_ entry: PendingPod, message: String, now: String) -> KubeModification {
        KubeModification(.pod, namespace: entry.pod.namespace, name: entry.pod.name, statusOnly: true) {
            current throws(KubeError) in
            guard current.uid == entry.pod.uid else { throw .conflict(.pod, entry.pod.name) }
            var next = current
            next.set(["status", "phase"], "Pending")
            next.set(
                ["status", "conditions"],
                [
                    [
                        "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                        "message": .string(message), "lastProbeTime": nil, "lastTransitionTime": .string(now),
                    ]
                ])
            return next
        }
    }
}
