import BoxCore

extension KubeNodes {
    /// Runs a scheduling cycle whenever one is asked for, a few milliseconds later so that a burst of new pods
    /// (a ReplicaSet scaling up) is placed in one cycle.
    func schedulerLoop() async {
        for await _ in scheduleSignal {
            do { try await clock.sleep(for: .milliseconds(5)) } catch { return }
            await scheduleCycle()
        }
    }

    /// The nodes as the scheduler sees them now: every live agent, with the offers held of it.
    func candidates() -> (nodes: [NodeCandidate], offersByAgent: [AgentID: [Offer]]) {
        var offersByAgent: [AgentID: [Offer]] = [:]
        for held in offers.values { offersByAgent[held.offer.agentID, default: []].append(held.offer) }
        var nodes: [NodeCandidate] = []
        for agent in agents.values where !agent.failed && agentByName[agent.name] == agent.agentID {
            let spec = nodeSpecs[agent.name]
            let held = offersByAgent[agent.agentID]
            nodes.append(
                NodeCandidate(
                    name: agent.name, agentID: agent.agentID,
                    labels: spec?.labels ?? NodeDocument.labels(name: agent.name, attributes: agent.attributes),
                    taints: spec?.taints ?? [], unschedulable: spec?.unschedulable ?? false,
                    free: held.map { $0.reduce(Resources.zero) { $0 + $1.resources } } ?? agent.available,
                    capacity: agent.capacity, ownerCounts: agent.ownerCounts, offered: held != nil))
        }
        nodes.sort { $0.name < $1.name }
        return (nodes, offersByAgent)
    }

    /// One cycle: relaunch due pods on their agents' offers, place pending pods (oldest first), then launch
    /// every placed pod with one ACCEPT per agent.
    func scheduleCycle() async {
        guard frameworkID != nil, !cycling else { return }
        cycling = true
        defer { cycling = false }
        let now = clock.now
        var (nodes, offersByAgent) = candidates()
        var index: [AgentID: Int] = [:]
        for (position, node) in nodes.enumerated() { index[node.agentID] = position }
        var planned: [AgentID: [String]] = [:]
        var waiting = false

        // Relaunches first: they may only go to their own node.
        for key in awaitingLaunch.sorted() {
            guard let held = runs[key], let after = held.launchAfter, !held.deleting else {
                awaitingLaunch.remove(key)
                continue
            }
            guard after <= now else { continue }
            let run = moveToCurrentAgent(key) ?? held
            guard let position = index[run.agentID], nodes[position].offered else {
                waiting = true
                continue
            }
            let want = run.requirements.resources
            let ports = run.containers.flatMap { $0.hostPorts.map(\.host) }
            let portRanges = PortRanges(ports: ports)
            guard nodes[position].free.contains(want + Resources(ports: portRanges)) else {
                waiting = true
                continue
            }
            nodes[position].free -= want + Resources(ports: portRanges)
            runs[key]?.launchAfter = nil
            awaitingLaunch.remove(key)
            planned[run.agentID, default: []].append(key)
        }

        // Then pending pods, oldest first; those already found unschedulable with these offers wait for new ones.
        let order = pending.values.sorted { $0.sequence < $1.sequence }
        for entry in order {
            let key = "\(entry.pod.namespace)/\(entry.pod.name)"
            if entry.failedGeneration == offerGeneration { continue }
            switch NodeFit.place(entry.requirements, among: nodes) {
            case .node(let position):
                guard let ports = NodeFit.ports(for: entry.requirements, from: nodes[position].free.ports) else {
                    continue
                }
                let taken = PortRanges(ports: ports.flatMap { $0 })
                nodes[position].free -= entry.requirements.resources + Resources(ports: taken)
                if let owner = entry.requirements.ownerUID { nodes[position].ownerCounts[owner, default: 0] += 1 }
                bind(entry, to: nodes[position], ports: ports, now: now)
                planned[nodes[position].agentID, default: []].append(key)
            case .wait:
                waiting = true
            case .unschedulable(let message):
                pending[key]?.failedGeneration = offerGeneration
                if pending[key]?.message != message {
                    pending[key]?.message = message
                    dirtyPods.insert(key)
                }
            }
        }
        if waiting || (!pending.isEmpty && offers.isEmpty) { revive(now: now) }
        guard !planned.isEmpty else {
            wakeWriter()
            return
        }
        for (agentID, keys) in planned.sorted(by: { $0.key < $1.key }) {
            guard let held = offersByAgent[agentID] else { continue }
            for offer in held { offers.removeValue(forKey: offer.id) }
            offerGeneration += 1
            await launch(keys, on: agentID, offers: held.map(\.id), now: now)
        }
        wakeWriter()
    }

    /// A pod to relaunch whose agent is gone while its node has come back under a fresh agent (same name, new id:
    /// the agent crashed and started again, its tasks lost) moves to that agent, so it starts again on its node,
    /// as a rebooted node's kubelet starts the pods bound to it. Without this it waited for offers of the old id
    /// forever, not ready, and the node being Ready, nothing evicted it. Answers the moved run, or nil.
    func moveToCurrentAgent(_ key: String) -> PodRun? {
        guard var run = runs[key], run.liveTasks.isEmpty, let current = agentByName[run.nodeName],
            current != run.agentID, agents[run.agentID]?.failed ?? true, agents[current]?.failed == false
        else { return nil }
        if let owner = run.requirements.ownerUID {
            agents[run.agentID]?.ownerCounts[owner, default: 1] -= 1
            agents[current]?.ownerCounts[owner, default: 0] += 1
        }
        run.agentID = current
        runs[key] = run
        return run
    }

    /// Records the placement: the pod now runs here (its bind is written by the writer).
    private func bind(_ entry: PendingPod, to node: NodeCandidate, ports: [[UInt16]], now: Instant) {
        let pod = entry.pod
        let key = "\(pod.namespace)/\(pod.name)"
        pending.removeValue(forKey: key)
        let specs = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        var containers: [ContainerRun] = []
        for (position, container) in specs.enumerated() {
            var run = ContainerRun(
                name: container["name"]?.stringValue ?? "", image: container["image"]?.stringValue ?? "")
            let declared =
                position < entry.requirements.containers.count ? entry.requirements.containers[position].ports : []
            let hosts = position < ports.count ? ports[position] : []
            run.hostPorts = zip(declared, hosts).map { ($0.name, $0.containerPort, $1) }
            containers.append(run)
        }
        let address = NodeDocument.address(agents[node.agentID]?.attributes ?? [:])
        runs[key] = PodRun(
            namespace: pod.namespace, name: pod.name, uid: pod.uid, pod: pod, agentID: node.agentID,
            nodeName: node.name, hostIP: address, requirements: entry.requirements, containers: containers,
            scheduledAt: now)
        if let owner = entry.requirements.ownerUID { agents[node.agentID]?.ownerCounts[owner, default: 0] += 1 }
        dirtyPods.insert(key)
    }

    /// REVIVE: pods wait for offers the framework does not hold. At once when offers came since the last REVIVE
    /// (a ReplicaSet's next batch of pods after the last one used the offers: the master answers at its next
    /// tick), else at most once a second (a pod that fits only what another framework holds would otherwise
    /// revive every cycle for nothing).
    func revive(now: Instant) {
        if let last = lastRevive, now - last < .seconds(1), !offersSinceRevive { return }
        lastRevive = now
        offersSinceRevive = false
        send([.revive])
    }
}
