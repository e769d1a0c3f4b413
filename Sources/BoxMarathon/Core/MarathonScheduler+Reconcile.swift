public import BoxCore

/// Level-triggered reconciliation of each app, and offers.
extension MarathonScheduler {
    /// Reconciles every app and moves deployments on.
    mutating func reconcileAll(now: Instant) -> [Call] {
        var calls: [Call] = []
        for id in Set(running.keys).union(tasks.keys).sorted() { calls += reconcile(id, now: now) }
        calls += advanceDeployments(now: now)
        return calls + reviveOrSuppress(now: now)
    }

    /// Works out, from the app's target and its live tasks, which tasks to kill and how many to launch.
    ///
    /// Tasks of the app's config version are *new*, others *old*. Without old tasks this keeps `instances` new
    /// tasks (launching the missing, killing the surplus by `killSelection`). With old tasks it is a rolling
    /// upgrade by `upgradeStrategy` (N instances): at least `ceil(N × minimumHealthCapacity)` tasks stay healthy
    /// and at most `floor(N × (1 + maximumOverCapacity))` run (one more when the two are equal, or nothing could
    /// move); an old task is killed only when enough new ones are healthy.
    mutating func reconcile(_ id: PathID, now: Instant) -> [Call] {
        let live = liveTasks(id)
        guard let app = running[id] else {
            // Stopped: kill everything.
            pending[id] = nil
            return live.filter { !$0.killing }.map { kill($0) }
        }
        let target = app.instances
        let new = live.filter { $0.version == app.lastConfigChangeAt && !$0.killing }
        let old = live.filter { $0.version != app.lastConfigChangeAt && !$0.killing }
        var calls: [Call] = []
        // Surplus new tasks (scaling down), by kill selection; ones not yet running go first.
        if new.count > target {
            // `live` is in launch order, so the position breaks ties between tasks staged at the same time.
            let ordered = new.enumerated().sorted { a, b in
                if a.element.isRunning != b.element.isRunning { return !a.element.isRunning }
                let younger = (a.element.stagedAt, a.offset) > (b.element.stagedAt, b.offset)
                return app.killSelection == .youngestFirst ? younger : !younger
            }
            calls += ordered.prefix(new.count - target).map { kill($0.element) }
        }
        let keptNew = min(new.count, target)
        var launches = target - keptNew
        if !old.isEmpty {
            let minHealthy = Int((Double(target) * app.upgradeStrategy.minimumHealthCapacity).rounded(.up))
            var maxCapacity = Int((Double(target) * (1 + app.upgradeStrategy.maximumOverCapacity)).rounded(.down))
            if maxCapacity <= minHealthy { maxCapacity = minHealthy + 1 }
            let healthyNew = new.filter(\.isHealthy).count
            let keepHealthyOld = max(0, minHealthy - healthyNew)
            // Old tasks that are not healthy never count towards the minimum: they go first.
            let ordered = old.sorted { a, b in
                if a.isHealthy != b.isHealthy { return !a.isHealthy }
                return a.stagedAt > b.stagedAt
            }
            let healthyOld = old.filter(\.isHealthy).count
            let killCount = old.count - min(keepHealthyOld, healthyOld)
            calls += ordered.prefix(killCount).map { kill($0) }
            let stillRunning = live.count - calls.count
            launches = max(0, min(launches, maxCapacity - stillRunning))
        }
        if let delay = backoff[id]?.delayUntil, delay > now, launches > 0 { launches = 0 }
        pending[id] = launches > 0 ? launches : nil
        return calls
    }

    mutating func kill(_ task: AppTask) -> Call {
        var task = task
        task.killing = true
        record(task)
        return .kill(taskID: task.id, agentID: task.agentID)
    }

    /// Apps wait in their backoff, or for an offer: REVIVE when something is to launch, SUPPRESS when nothing.
    mutating func reviveOrSuppress(now: Instant) -> [Call] {
        guard frameworkID != nil else { return [] }
        let wanted = pending.contains { id, count in count > 0 }
        if wanted && suppressed {
            suppressed = false
            return [.revive]
        }
        if !wanted && !suppressed {
            suppressed = true
            return [.suppress]
        }
        return []
    }

    // MARK: - Offers

    /// Fills each offer with the launches apps need, in app order, as far as resources, ports and constraints
    /// allow; declines the rest for 5 s (a REVIVE clears that when new launches are needed).
    public mutating func offers(_ offers: [Offer], now: Instant) -> [Call] {
        var calls: [Call] = []
        for offer in offers {
            var left = offer.resources
            var launches: [TaskInfo] = []
            for (id, count) in pending.sorted(by: { $0.key < $1.key }) where count > 0 {
                guard let app = running[id] else { continue }
                var remaining = count
                while remaining > 0, let info = place(app, on: offer, left: &left, now: now) {
                    launches.append(info)
                    remaining -= 1
                }
                pending[id] = remaining > 0 ? remaining : nil
            }
            let filters = Filters(refuseSeconds: 5)
            if launches.isEmpty {
                calls.append(.decline(offerIDs: [offer.id], filters: filters))
            } else {
                calls.append(.accept(offerIDs: [offer.id], operations: [.launch(launches)], filters: filters))
            }
        }
        return calls + reviveOrSuppress(now: now)
    }

    /// One task of `app` on the offer's agent, if it fits and the constraints allow it there.
    private mutating func place(_ app: App, on offer: Offer, left: inout Resources, now: Instant) -> TaskInfo? {
        var needed = app.resources
        guard left.scalars.contains(needed.scalars) else { return nil }
        let portCount = app.portDefinitions.count
        let servicePorts = app.portDefinitions.map(\.port)
        let hostPorts: [UInt16]
        if app.requirePorts {
            hostPorts = servicePorts.compactMap { UInt16(exactly: $0) }
            guard hostPorts.count == portCount, left.ports.contains(PortRanges(ports: hostPorts)) else { return nil }
        } else {
            guard let first = left.ports.first(portCount) else { return nil }
            hostPorts = first.ports
        }
        let placed = liveTasks(app.id).filter { !$0.killing }.map {
            (hostname: $0.hostname, attributes: $0.attributes)
        }
        guard app.allows(hostname: offer.hostname, attributes: offer.attributes, placed: placed) else { return nil }
        needed.ports = PortRanges(ports: hostPorts)
        left -= needed
        let id = TaskID("\(app.id.safeName).\(uuid())")
        let task = AppTask(
            id: id, appID: app.id, version: app.lastConfigChangeAt, agentID: offer.agentID,
            host: offer.attributes["address"] ?? offer.hostname, hostname: offer.hostname,
            attributes: offer.attributes, ports: hostPorts, servicePorts: servicePorts, stagedAt: now)
        record(task)
        emit(.statusUpdate(task, message: nil), now)
        return TaskInfo(
            taskID: id, name: app.id.mesosTaskName, agentID: offer.agentID, resources: needed,
            command: CommandInfo(
                value: app.container != nil && app.cmd == nil ? "" : app.commandLine,
                environment: environment(app, task), user: app.user),
            labels: app.labels, discovery: discovery(app, hostPorts),
            container: app.container.map { ContainerInfo(image: $0.image, arguments: app.cmd == nil ? app.args : nil) })
    }

    /// What Marathon tells Mesos (and so service discovery) about the task: its name and its ports, each with the
    /// name, protocol and labels (a `VIP_0` label asks for a virtual IP) of its port definition.
    func discovery(_ app: App, _ hostPorts: [UInt16]) -> DiscoveryInfo {
        let ports = zip(hostPorts, app.portDefinitions).map { number, definition in
            DiscoveryPort(
                number: number, name: definition.name, protocol: definition.protocol, labels: definition.labels)
        }
        return DiscoveryInfo(name: app.id.mesosTaskName, ports: ports, labels: app.labels)
    }

    /// What Marathon adds to a task's environment (§11), the app's `env` on top.
    func environment(_ app: App, _ task: AppTask) -> [String: String] {
        var env: [String: String] = [
            "MARATHON_APP_ID": app.id.description,
            "MARATHON_APP_VERSION": Timestamp.format(app.version),
            "MARATHON_APP_RESOURCE_CPUS": String(app.cpus),
            "MARATHON_APP_RESOURCE_MEM": String(app.mem),
            "MARATHON_APP_RESOURCE_DISK": String(app.disk),
            "MARATHON_APP_RESOURCE_GPUS": String(app.gpus),
            "MARATHON_APP_LABELS": app.labels.keys.sorted().joined(separator: " "),
            "HOST": task.host,
            "MESOS_TASK_ID": task.id.value,
        ]
        for (index, port) in task.ports.enumerated() {
            env["PORT\(index)"] = String(port)
            if let name = app.portDefinitions[index].name {
                env["PORT_" + name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }] = String(port)
            }
        }
        if let first = task.ports.first {
            env["PORT"] = String(first)
            env["PORTS"] = task.ports.map(String.init).joined(separator: ",")
        }
        for (name, value) in app.labels where value.count <= 512 {
            env["MARATHON_APP_LABEL_" + String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })] =
                value
        }
        return env.merging(app.env) { _, own in own }
    }
}
