import BoxCore

extension KubeNodes {
    /// Carries out the queued writes whenever woken: nodes, then pods (bind with status, or status alone, or the
    /// Unschedulable condition of a pending pod), events, removals. Each pod's status is worked out as it is
    /// written, so it is never older than the actor's state at that moment.
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
            for agentID in nodes.sorted() { await writeNode(agentID) }
            for key in pods.sorted() { await writePod(key) }
            for event in queuedEvents {
                await api.recordEvent(
                    about: event.object, reason: event.reason, message: event.message, type: event.type,
                    component: event.component)
            }
            for removal in queuedRemovals {
                do {
                    try await api.remove(.pod, namespace: removal.namespace, name: removal.name, uid: removal.uid)
                } catch {
                    logger.warning("pod \(removal.namespace)/\(removal.name) not removed: \(error)")
                }
            }
        }
    }

    /// Creates or refreshes the agent's Node, with a new heartbeat.
    private func writeNode(_ agentID: AgentID) async {
        guard let agent = agents[agentID], !agent.failed else { return }
        let now = clock.now
        let status = NodeDocument.status(
            name: agent.name, attributes: agent.attributes, capacity: agent.capacity, heartbeat: now,
            readySince: agent.firstSeen)
        do {
            _ = try await api.modify(.node, namespace: "", name: agent.name, precondition: "", dryRun: false) {
                current throws(KubeError) in
                var next = NodeDocument.refreshed(
                    current, name: agent.name, attributes: agent.attributes, status: status)
                // Ready since it last became Ready (a node the lifecycle controller marked NotReady turns Ready now).
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
            agents[agentID]?.heartbeatWritten = now
        } catch let error where error.code == 404 {
            do {
                try await api.create(
                    .node, namespace: "",
                    NodeDocument.node(name: agent.name, attributes: agent.attributes, status: status))
                agents[agentID]?.heartbeatWritten = now
                logger.info("Node registered", metadata: ["node": "\(agent.name)"])
            } catch {
                logger.warning("node \(agent.name) not created: \(error)")
            }
        } catch {
            logger.warning("node \(agent.name) not updated: \(error)")
        }
    }

    private func writePod(_ key: String) async {
        if let run = runs[key] {
            await writeRun(run)
        } else if let entry = pending[key], let message = entry.message, message != entry.messageWritten {
            await writeUnschedulable(entry, message: message)
        }
    }

    /// The bind (`spec.nodeName`, the host-port annotation) with the status in one write, or the status alone.
    private func writeRun(_ run: PodRun) async {
        let status = PodStatus.status(run, now: clock.now)
        let bind = !run.bound
        let annotation = run.hostPortsAnnotation
        do {
            _ = try await api.modify(
                .pod, namespace: run.namespace, name: run.name, precondition: "", dryRun: false, statusOnly: !bind
            ) { current throws(KubeError) in
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
            if bind {
                runs[run.key]?.bound = true
                await api.recordEvent(
                    about: run.pod, reason: "Scheduled",
                    message: "Successfully assigned \(run.namespace)/\(run.name) to \(run.nodeName)",
                    component: Self.schedulerName)
            }
        } catch let error where error.code == 404 || error.code == 409 {
            // Gone or replaced: its watch event stops the tasks.
            if error.code == 404, runs[run.key]?.uid == run.uid, var gone = runs[run.key] {
                gone.removed = true
                runs[run.key] = gone
                startDeletion(run.key)
            }
        } catch {
            logger.warning("pod \(run.key) status not written: \(error)")
            dirtyPods.insert(run.key)
        }
    }

    /// `PodScheduled False, Unschedulable` and a `FailedScheduling` event, when the message changed.
    private func writeUnschedulable(_ entry: PendingPod, message: String) async {
        let key = "\(entry.pod.namespace)/\(entry.pod.name)"
        let now = KubeTime.format(clock.now)
        do {
            _ = try await api.modify(
                .pod, namespace: entry.pod.namespace, name: entry.pod.name, precondition: "", dryRun: false,
                statusOnly: true
            ) { current throws(KubeError) in
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
            pending[key]?.messageWritten = message
            await api.recordEvent(
                about: entry.pod, reason: "FailedScheduling", message: message, type: "Warning",
                component: Self.schedulerName)
        } catch {
            logger.debug("pod \(key) unschedulable status not written: \(error)")
        }
    }
}
