public import BoxCore

/// Changes to apps: each becomes a deployment with steps. A step starts by applying its apps' targets to
/// `running`; it is done when reconciliation has brought them there.
extension MarathonScheduler {
    /// Creates, changes or deletes apps in one deployment. `targets` holds the new definitions (id → nil
    /// deletes). Without `force`, apps in another deployment make this a 409; with it, that deployment is cancelled.
    public mutating func deploy(
        _ targets: [PathID: App?], force: Bool, restarting: Set<PathID> = [], now: Instant
    ) throws(MarathonError) -> (Deployment, [Call]) {
        let locking = deployments.values.filter { !Set($0.affectedApps).isDisjoint(with: targets.keys) }
        if !locking.isEmpty && !force {
            throw .conflict(
                message: "App is locked by one or more deployments. Override with the option '?force=true'. "
                    + "View details at '/v2/deployments/\(locking[0].id)'.",
                deployments: locking.map(\.id))
        }
        for deployment in locking { cancel(deployment.id, reason: "cancelled by a newer deployment", now: now) }

        var original: [App] = []
        var target: [App] = []
        var actions: [PathID: [Deployment.Action]] = [:]
        for (id, wanted) in targets {
            let before = apps[id]
            if let before { original.append(before) }
            guard var app = wanted else {
                if before != nil { actions[id] = [.stop] }
                continue
            }
            app.version = now
            assignServicePorts(&app, before: before)
            if let before, before.sameConfig(as: app), !restarting.contains(id) {
                app.lastConfigChangeAt = before.lastConfigChangeAt
                app.lastScalingAt = before.instances == app.instances ? before.lastScalingAt : now
                actions[id] = [.scale]
            } else {
                app.lastConfigChangeAt = now
                app.lastScalingAt = now
                actions[id] = before == nil ? [.start, .scale] : [.restart]
                // A new version starts without the old one's launch delay.
                backoff[id] = nil
            }
            target.append(app)
        }
        let deployment = Deployment(
            id: uuid(), version: now, steps: steps(for: actions, targets: target), original: original, target: target)
        for app in target {
            apps[app.id] = app
            changes.apps.append(app.id)
            storeVersion(app)
            emit(.apiPost(app), now)
        }
        for (id, wanted) in targets where wanted == nil && apps[id] != nil {
            apps.removeValue(forKey: id)
            changes.apps.remove(id)
            changes.removedApps.append(id)
            // A deleted app's history goes with it, as in Marathon: an app created again under the id starts anew.
            for version in versions.removeValue(forKey: id)?.keys ?? [] { changes.removedVersions.append((id, version)) }
            lastTaskFailure[id] = nil
            backoff[id] = nil
        }
        emit(.groupChangeSuccess(version: now), now)
        guard !deployment.steps.isEmpty else { return (deployment, []) }
        deployments[deployment.id] = deployment
        changes.deployments.append(deployment.id)
        let calls = startStep(of: deployment.id, now: now)
        return (deployment, calls + reconcileAll(now: now))
    }

    /// `/restart`: the same definition with a new config version, so every task is replaced, rolling.
    public mutating func restart(_ id: PathID, force: Bool, now: Instant) throws(MarathonError) -> (Deployment, [Call])
    {
        guard let app = apps[id] else { throw .notFound("App '\(id)' does not exist") }
        return try deploy([id: app], force: force, restarting: [id], now: now)
    }

    /// Kills tasks; with `scale` the apps' instances go down by as many (a deployment), else they are replaced.
    public mutating func kill(_ taskIDs: [TaskID], scale: Bool, force: Bool, now: Instant) throws(MarathonError)
        -> (deployment: Deployment?, calls: [Call])
    {
        let found = taskIDs.compactMap { task($0) }
        if found.count != taskIDs.count, let missing = taskIDs.first(where: { task($0) == nil }) {
            throw .notFound("Task '\(missing)' does not exist")
        }
        guard scale else { return (nil, found.filter { !$0.killing }.map { kill($0) } + reconcileAll(now: now)) }
        var targets: [PathID: App?] = [:]
        for (appID, killed) in Dictionary(grouping: found, by: \.appID) {
            guard var app = apps[appID] else { continue }
            app.instances = max(0, app.instances - killed.count)
            targets[appID] = app
        }
        var calls = found.filter { !$0.killing }.map { kill($0) }
        let (deployment, more) = try deploy(targets, force: force, now: now)
        calls += more
        return (deployment, calls)
    }

    /// Cancels a deployment. With `rollback`, a new deployment brings its apps back to how they were before.
    public mutating func cancelDeployment(_ id: String, rollback: Bool, now: Instant) throws(MarathonError)
        -> (Deployment?, [Call])
    {
        guard let deployment = deployments[id] else { throw .notFound("DeploymentPlan \(id) does not exist") }
        cancel(id, reason: "cancelled", now: now)
        guard rollback else { return (nil, reconcileAll(now: now)) }
        var targets: [PathID: App?] = [:]
        for app in deployment.affectedApps { targets[app] = .some(nil) }
        for app in deployment.original { targets[app.id] = app }
        let (rolledBack, calls) = try deploy(targets, force: true, now: now)
        return (rolledBack, calls)
    }

    public mutating func resetDelay(_ id: PathID, now: Instant) -> [Call] {
        backoff[id] = nil
        return reconcileAll(now: now)
    }

    // MARK: - Steps

    /// Dependencies first: an app's actions go in a step after those of the apps it depends on.
    private func steps(for actions: [PathID: [Deployment.Action]], targets: [App]) -> [[Deployment.StepAction]] {
        var depth: [PathID: Int] = [:]
        func level(_ id: PathID, _ seen: Set<PathID>) -> Int {
            if let known = depth[id] { return known }
            let app = targets.first { $0.id == id } ?? apps[id]
            let deps = (app?.dependencies ?? []).filter { actions[$0] != nil && !seen.contains($0) }
            let value = deps.map { level($0, seen.union([id])) + 1 }.max() ?? 0
            depth[id] = value
            return value
        }
        var steps: [[Deployment.StepAction]] = []
        // Stopping goes the other way round (dependants first), in a step of its own at the start.
        let stops = actions.filter { $0.value == [.stop] }.keys.sorted()
        if !stops.isEmpty { steps.append(stops.map { Deployment.StepAction(.stop, $0) }) }
        let rest = actions.filter { $0.value != [.stop] }
        let levels = rest.keys.map { level($0, []) }.max() ?? -1
        for phase in 0..<2 {
            for depthLevel in 0...max(levels, 0) where levels >= 0 {
                let step = rest.keys.sorted().filter { depth[$0] == depthLevel }.compactMap {
                    id -> Deployment.StepAction? in
                    let list = rest[id]!
                    return phase < list.count ? Deployment.StepAction(list[phase], id) : nil
                }
                if !step.isEmpty { steps.append(step) }
            }
        }
        return steps
    }

    /// Applies the step's targets to what the scheduler runs.
    mutating func startStep(of id: String, now: Instant) -> [Call] {
        guard let deployment = deployments[id] else { return [] }
        for action in deployment.currentActions {
            let target = deployment.target.first { $0.id == action.app }
            switch action.action {
            case .start:
                var app = target
                app?.instances = 0
                running[action.app] = running[action.app] ?? app
            case .scale, .restart:
                running[action.app] = target
            case .stop:
                running[action.app] = nil
            }
        }
        emit(.deploymentInfo(deployment), now)
        return []
    }

    /// Moves each deployment past the steps whose apps have reached their targets.
    mutating func advanceDeployments(now: Instant) -> [Call] {
        var calls: [Call] = []
        for id in deployments.keys {
            while let deployment = deployments[id], deployment.currentActions.allSatisfy({ reached($0) }) {
                emit(.deploymentStepSuccess(deployment), now)
                var next = deployment
                next.currentStep += 1
                guard next.currentStep < next.steps.count else {
                    deployments.removeValue(forKey: id)
                    changes.deployments.remove(id)
                    changes.removedDeployments.append(id)
                    emit(.deploymentSuccess(next), now)
                    for action in next.steps.joined() where action.action == .stop {
                        emit(.appTerminated(action.app), now)
                    }
                    break
                }
                deployments[id] = next
                changes.deployments.append(id)
                calls += startStep(of: id, now: now)
                for action in next.currentActions { calls += reconcile(action.app, now: now) }
            }
        }
        return calls
    }

    private func reached(_ action: Deployment.StepAction) -> Bool {
        let live = liveTasks(action.app)
        switch action.action {
        case .start:
            return running[action.app] != nil
        case .stop:
            return live.isEmpty
        case .scale, .restart:
            guard let app = running[action.app] else { return false }
            let current = live.filter { $0.version == app.lastConfigChangeAt }
            let ready = current.filter { app.healthChecks.isEmpty ? $0.isRunning : $0.isHealthy }
            return live.count == app.instances && ready.count == app.instances
        }
    }

    private mutating func cancel(_ id: String, reason: String, now: Instant) {
        guard let deployment = deployments.removeValue(forKey: id) else { return }
        changes.deployments.remove(id)
        changes.removedDeployments.append(id)
        emit(.deploymentFailed(deployment, reason: reason), now)
        // What the cancelled deployment had not started yet is applied now, so the apps converge to what is
        // declared (Marathon leaves them as they were; a level-triggered scheduler goes on to the declaration).
        for action in deployment.steps.joined() {
            running[action.app] = apps[action.app]
        }
    }

    /// `port: 0` gets a free service port, kept across updates, as Marathon stores it in place of the 0.
    private func assignServicePorts(_ app: inout App, before: App?) {
        var used = Set(apps.values.filter { $0.id != app.id }.flatMap { $0.portDefinitions.map(\.port) })
        used.formUnion(app.portDefinitions.map(\.port))
        for index in app.portDefinitions.indices where app.portDefinitions[index].port == 0 {
            if let kept = before?.portDefinitions.dropFirst(index).first?.port, kept != 0, !used.contains(kept) {
                app.portDefinitions[index].port = kept
            } else if let free = Self.servicePortRange.first(where: { !used.contains($0) }) {
                app.portDefinitions[index].port = free
            }
            used.insert(app.portDefinitions[index].port)
        }
    }

    mutating func storeVersion(_ app: App) {
        versions[app.id, default: [:]][app.version] = app
        changes.versions.append((app.id, app.version))
        while let count = versions[app.id]?.count, count > Self.versionsPerApp,
            let oldest = versions[app.id]?.keys.first
        {
            versions[app.id]?.removeValue(forKey: oldest)
            changes.removedVersions.append((app.id, oldest))
        }
    }
}
