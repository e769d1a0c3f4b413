import BoxCore

/// The counters of a Deployment's status.
struct DeploymentCounts: Equatable {
    var replicas = 0
    var updatedReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0

    init(_ status: JSONValue?) {
        replicas = status?["replicas"]?.intValue ?? 0
        updatedReplicas = status?["updatedReplicas"]?.intValue ?? 0
        readyReplicas = status?["readyReplicas"]?.intValue ?? 0
        availableReplicas = status?["availableReplicas"]?.intValue ?? 0
    }
}

/// A status condition (`type`, `status`, `reason`, `message`, times) set as upstream's `SetDeploymentCondition`:
/// the same status and reason leave it as it is; the same status keeps `lastTransitionTime`.
enum Conditions {
    static func set(
        _ conditions: inout [JSONValue], type: String, status: String, reason: String, message: String, now: String,
        touch: Bool = false
    ) {
        let index = conditions.firstIndex { $0["type"]?.stringValue == type }
        let current = index.map { conditions[$0] }
        if let current, current["status"]?.stringValue == status, current["reason"]?.stringValue == reason,
            !touch
        {
            return
        }
        var transition = now
        if let current, current["status"]?.stringValue == status {
            transition = current["lastTransitionTime"]?.stringValue ?? now
        }
        let condition: JSONValue = [
            "type": .string(type), "status": .string(status), "reason": .string(reason),
            "message": .string(message), "lastUpdateTime": .string(now), "lastTransitionTime": .string(transition),
        ]
        if let index { conditions[index] = condition } else { conditions.append(condition) }
    }

    static func find(_ conditions: [JSONValue], _ type: String) -> JSONValue? {
        conditions.first { $0["type"]?.stringValue == type }
    }
}

extension DeploymentSync {
    /// Writes the status (§6 of the reference): counters from the pods of the ReplicaSets, `Available` and
    /// `Progressing` as upstream's `syncRolloutStatus`; asks to look again at the progress deadline.
    func writeStatus() async throws(KubeError) -> ReconcileResult {
        let now = context.now
        let nowText = KubeTime.format(now)
        var counts = DeploymentCounts(nil)
        for rs in sets {
            let pods = pods(of: rs)
            counts.replicas += pods.count
            if rs.uid == newSet?.uid { counts.updatedReplicas = pods.count }
            counts.readyReplicas += pods.filter(\.isReadyPod).count
            counts.availableReplicas +=
                pods.filter { $0.isAvailablePod(minReadySeconds: minReadySeconds, now: now) }
                .count
        }
        let previous = DeploymentCounts(deployment["status"])
        var conditions = deployment[path: ["status", "conditions"]]?.arrayValue ?? []
        if let note = progressNote {
            Conditions.set(
                &conditions, type: "Progressing", status: "True", reason: note.reason, message: note.message,
                now: nowText)
        }
        let generation = deployment.generation
        let deadline = deployment[path: ["spec", "progressDeadlineSeconds"]]?.intValue ?? 600
        let subject = newSet.map { "ReplicaSet \"\($0.name)\"" } ?? "Deployment \"\(deployment.name)\""
        var requeue: Duration?
        let progressing = Conditions.find(conditions, "Progressing")
        if deployment[path: ["spec", "paused"]]?.boolValue == true {
            if progressing?["reason"]?.stringValue != "DeploymentPaused" {
                Conditions.set(
                    &conditions, type: "Progressing", status: "Unknown", reason: "DeploymentPaused",
                    message: "Deployment is paused", now: nowText)
            }
        } else if progressing?["reason"]?.stringValue == "DeploymentPaused" {
            Conditions.set(
                &conditions, type: "Progressing", status: "Unknown", reason: "DeploymentResumed",
                message: "Deployment is resumed", now: nowText)
        } else if !(counts.replicas == counts.updatedReplicas
            && progressing?["reason"]?.stringValue == "NewReplicaSetAvailable")
        {
            let complete =
                counts.updatedReplicas == replicas && counts.replicas == replicas
                && counts.availableReplicas == replicas
            let progressed =
                counts.updatedReplicas > previous.updatedReplicas
                || counts.replicas - counts.updatedReplicas < previous.replicas - previous.updatedReplicas
                || counts.readyReplicas > previous.readyReplicas
                || counts.availableReplicas > previous.availableReplicas
            if complete {
                Conditions.set(
                    &conditions, type: "Progressing", status: "True", reason: "NewReplicaSetAvailable",
                    message: "\(subject) has successfully progressed.", now: nowText)
            } else if progressed {
                Conditions.set(
                    &conditions, type: "Progressing", status: "True", reason: "ReplicaSetUpdated",
                    message: "\(subject) is progressing.", now: nowText, touch: true)
                requeue = .seconds(deadline)
            } else if let current = Conditions.find(conditions, "Progressing"),
                current["reason"]?.stringValue != "NewReplicaSetAvailable"
            {
                let since = current["lastUpdateTime"]?.stringValue.flatMap(KubeTime.parse) ?? now
                let due = since + .seconds(deadline)
                if current["reason"]?.stringValue == "ProgressDeadlineExceeded" {
                } else if now >= due {
                    Conditions.set(
                        &conditions, type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
                        message: "\(subject) has timed out progressing.", now: nowText)
                } else {
                    requeue = due - now + .milliseconds(50)
                }
            }
        }
        if counts.availableReplicas >= replicas - fenceposts.unavailable {
            Conditions.set(
                &conditions, type: "Available", status: "True", reason: "MinimumReplicasAvailable",
                message: "Deployment has minimum availability.", now: nowText)
        } else {
            Conditions.set(
                &conditions, type: "Available", status: "False", reason: "MinimumReplicasUnavailable",
                message: "Deployment does not have minimum availability.", now: nowText)
        }
        var status: JSONValue = [
            "observedGeneration": .int(generation), "replicas": .int(counts.replicas),
            "updatedReplicas": .int(counts.updatedReplicas), "readyReplicas": .int(counts.readyReplicas),
            "availableReplicas": .int(counts.availableReplicas),
            "unavailableReplicas": .int(max(replicas - counts.availableReplicas, 0)),
            "conditions": .array(conditions),
        ]
        status.set(["collisionCount"], deployment[path: ["status", "collisionCount"]])
        try await context.updateStatus(.deployment, deployment, status: status)
        if let wait = nextAvailability(now: now) { requeue = min(requeue ?? wait, wait) }
        return requeue.map { .requeue(after: $0) } ?? .done
    }

    /// When a ready pod of this Deployment becomes available after `minReadySeconds`.
    func nextAvailability(now: Instant) -> Duration? {
        guard minReadySeconds > 0 else { return nil }
        var next: Instant?
        for rs in sets {
            for pod in pods(of: rs) {
                guard let since = pod.podReadySince, since + .seconds(minReadySeconds) > now else { continue }
                let at = since + .seconds(minReadySeconds)
                next = min(next ?? at, at)
            }
        }
        return next.map { $0 - now + .milliseconds(10) }
    }
}
