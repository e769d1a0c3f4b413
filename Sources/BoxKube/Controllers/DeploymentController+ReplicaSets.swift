import BoxCore

extension DeploymentSync {
    /// Annotations of the Deployment that are not copied to its ReplicaSets.
    static let notCopied: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", DeploymentController.revisionKey,
        "deployment.kubernetes.io/revision-history", DeploymentController.desiredKey, DeploymentController.maxKey,
        "deprecated.deployment.rollback.to",
    ]

    /// Makes sure the new ReplicaSet exists (when `create`) and carries the highest revision (old maximum + 1, so a
    /// ReplicaSet reused by `rollout undo` moves to the top), and the Deployment carries that revision.
    mutating func ensureNewSet(create: Bool, initialReplicas: Int) async throws(KubeError) {
        let revision = oldSets.map(Self.revision).max().map { $0 + 1 } ?? 1
        if var rs = newSet {
            var annotations = rs.annotations
            if Self.revision(rs) < revision { annotations[DeploymentController.revisionKey] = String(revision) }
            annotations[DeploymentController.desiredKey] = String(replicas)
            annotations[DeploymentController.maxKey] = String(replicas + fenceposts.surge)
            if annotations != rs.annotations {
                let wanted = annotations
                rs = try await context.change(.replicaSet, rs) { $0.annotations.merge(wanted) { $1 } }
                replace(rs)
            }
            if deployment[path: ["status", "conditions"]]?.arrayValue?.contains(where: {
                $0["type"]?.stringValue == "Progressing"
            }) != true {
                progressNote = ("FoundNewReplicaSet", "Found new replica set \"\(rs.name)\"")
            }
        } else if create {
            let rs = try await createNewSet(revision: revision, replicas: initialReplicas)
            newSet = rs
            sets.append(rs)
            progressNote = ("NewReplicaSetCreated", "Created new replica set \"\(rs.name)\"")
        }
        if let rs = newSet, deployment.annotations[DeploymentController.revisionKey] != String(Self.revision(rs)) {
            let revision = String(Self.revision(rs))
            deployment = try await context.change(.deployment, deployment) {
                $0.annotations[DeploymentController.revisionKey] = revision
            }
        }
    }

    private mutating func createNewSet(revision: Int, replicas initial: Int) async throws(KubeError) -> JSONValue {
        let template = deployment[path: ["spec", "template"]] ?? .object([:])
        let collisions = deployment[path: ["status", "collisionCount"]]?.intValue
        let hash = PodTemplateHash.of(template, collisionCount: collisions)
        var rsTemplate = template
        var labels = template[path: ["metadata", "labels"]]?.stringMap ?? [:]
        labels[DeploymentController.hashKey] = hash
        rsTemplate.set(["metadata", "labels"], JSONValue(stringMap: labels))
        var selector = deployment[path: ["spec", "selector"]] ?? .object([:])
        selector.set(["matchLabels", DeploymentController.hashKey], .string(hash))
        var rs: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet"]
        rs.set(["metadata", "name"], .string("\(deployment.name)-\(hash)"))
        rs.set(["metadata", "namespace"], .string(namespace))
        rs.labels = labels
        var annotations = deployment.annotations.filter { !Self.notCopied.contains($0.key) }
        annotations[DeploymentController.revisionKey] = String(revision)
        annotations[DeploymentController.desiredKey] = String(replicas)
        annotations[DeploymentController.maxKey] = String(replicas + fenceposts.surge)
        rs.annotations = annotations
        rs.ownerReferences = [OwnerReference(controllerOf: deployment, type: .deployment)]
        rs.set(["spec", "replicas"], .int(initial))
        rs.set(["spec", "minReadySeconds"], .int(minReadySeconds))
        rs.set(["spec", "selector"], selector)
        rs.set(["spec", "template"], rsTemplate)
        do {
            let created = try await context.create(.replicaSet, namespace: namespace, rs)
            if initial > 0 {
                await context.event(
                    deployment, reason: "ScalingReplicaSet",
                    message: "Scaled up replica set \(created.name) from 0 to \(initial)",
                    component: DeploymentController.component)
            }
            return created
        } catch let error where error.reason == "AlreadyExists" {
            // Ours with this template: the cache had not seen it yet. Otherwise a hash collision: count it so the
            // next name differs.
            let existing = try await context.api.get(.replicaSet, namespace: namespace, name: rs.name)
            if existing.controllerReference?.uid == deployment.uid && Self.templateWithoutHash(existing) == template {
                context.cache.put(.replicaSet, existing)
                return existing
            }
            var status = deployment["status"] ?? .object([:])
            status.set(["collisionCount"], .int((collisions ?? 0) + 1))
            deployment = try await context.updateStatus(.deployment, deployment, status: status)
            throw error
        }
    }

    /// Sets a ReplicaSet's replicas (and its desired/max annotations), with a ScalingReplicaSet event.
    mutating func scale(_ rs: JSONValue, to count: Int) async throws(KubeError) {
        let from = rs[path: ["spec", "replicas"]]?.intValue ?? 0
        let desired = String(replicas)
        let maximum = String(replicas + fenceposts.surge)
        let written = try await context.change(.replicaSet, rs) { next in
            next.set(["spec", "replicas"], .int(count))
            var annotations = next.annotations
            annotations[DeploymentController.desiredKey] = desired
            annotations[DeploymentController.maxKey] = maximum
            next.annotations = annotations
        }
        replace(written)
        if from != count {
            await context.event(
                deployment, reason: "ScalingReplicaSet",
                message: "Scaled \(count > from ? "up" : "down") replica set \(rs.name) from \(from) to \(count)",
                component: DeploymentController.component)
        }
    }

    private mutating func replace(_ rs: JSONValue) {
        if let index = sets.firstIndex(where: { $0.uid == rs.uid }) { sets[index] = rs }
        if newSet?.uid == rs.uid { newSet = rs }
    }

    /// Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit` (default 10).
    func cleanUpHistory() async throws(KubeError) {
        let limit = deployment[path: ["spec", "revisionHistoryLimit"]]?.intValue ?? 10
        let idle = oldSets.filter {
            $0.deletionTimestamp == nil && ($0[path: ["spec", "replicas"]]?.intValue ?? 0) == 0 && pods(of: $0).isEmpty
        }.sorted { Self.revision($0) < Self.revision($1) }
        guard idle.count > limit else { return }
        for rs in idle.prefix(idle.count - limit) {
            do { try await context.delete(.replicaSet, rs) } catch let error where error.code == 404 {}
        }
    }
}

extension DeploymentSync {
    /// One RollingUpdate step: scale the new ReplicaSet up within maxSurge, else the old ones down within
    /// maxUnavailable; once complete, trim the history.
    mutating func rollingUpdate() async throws(KubeError) {
        let (surge, unavailable) = fenceposts
        let oldViews = oldSets.map(view)
        let initial = RolloutMath.scaleUpNew(
            RolloutMath.Set(replicas: 0, pods: 0, available: 0), old: oldViews, replicas: replicas, surge: surge)
        try await ensureNewSet(create: true, initialReplicas: initial)
        guard let new = newSet else { return }
        let target = RolloutMath.scaleUpNew(view(new), old: oldViews, replicas: replicas, surge: surge)
        if target != view(new).replicas {
            try await scale(new, to: target)
            return
        }
        let old = oldSets
        let targets = RolloutMath.scaleDownOld(
            old.map(view), new: view(new), replicas: replicas, unavailable: unavailable)
        var scaled = false
        for (rs, count) in zip(old, targets) where count != view(rs).replicas {
            try await scale(rs, to: count)
            scaled = true
        }
        if !scaled && isComplete { try await cleanUpHistory() }
    }

    /// Recreate: old ReplicaSets to 0, wait until their pods are gone, then the new one to the full count.
    mutating func recreate() async throws(KubeError) {
        try await ensureNewSet(create: false, initialReplicas: 0)
        var scaled = false
        for rs in oldSets where view(rs).replicas > 0 {
            try await scale(rs, to: 0)
            scaled = true
        }
        if scaled { return }
        let running = oldSets.contains { rs in
            context.cache.owned(.pod, by: rs.uid, namespace: namespace).contains {
                !["Succeeded", "Failed"].contains($0[path: ["status", "phase"]]?.stringValue ?? "")
            }
        }
        if running { return }
        if newSet == nil { try await ensureNewSet(create: true, initialReplicas: replicas) }
        if let new = newSet, view(new).replicas != replicas { try await scale(new, to: replicas) }
        if isComplete { try await cleanUpHistory() }
    }

    /// Paused: no rollout, but a change of `replicas` is spread over the active ReplicaSets in proportion.
    mutating func scalePaused() async throws(KubeError) {
        try await ensureNewSet(create: false, initialReplicas: 0)
        var active = sets.filter { view($0).replicas > 0 }.reversed().map { $0 }
        if let new = newSet, !active.contains(where: { $0.uid == new.uid }) {
            active.insert(new, at: 0)
        } else if let new = newSet, let index = active.firstIndex(where: { $0.uid == new.uid }) {
            active.swapAt(0, index)
        }
        if active.isEmpty, let last = sets.last { active = [last] }
        let current = active.map { view($0).replicas }
        guard current.reduce(0, +) != replicas else { return }
        for (rs, count) in zip(active, RolloutMath.proportional(current, target: replicas))
        where count != view(rs).replicas {
            try await scale(rs, to: count)
        }
    }

    /// All pods updated and available, nothing old left.
    var isComplete: Bool {
        guard let new = newSet else { return false }
        let newView = view(new)
        return newView.replicas == replicas && newView.pods == replicas && newView.available == replicas
            && oldSets.allSatisfy { view($0).replicas == 0 && view($0).pods == 0 }
    }
}

extension ControllerContext {
    /// Applies `change` to `object` and writes it; on a conflict (the RS controller writes status often) reads the
    /// current version from the API and applies the change again, a few times.
    func change(_ type: ResourceType, _ object: JSONValue, _ change: (inout JSONValue) -> Void)
        async throws(KubeError) -> JSONValue
    {
        var base = object
        for attempt in 0..<5 {
            var next = base
            change(&next)
            if next == base { return base }
            do {
                return try await update(type, next)
            } catch let error where error.code == 409 && attempt < 4 {
                base = try await api.get(type, namespace: object.namespace, name: object.name)
                cache.put(type, base)
            }
        }
        return base
    }
}
