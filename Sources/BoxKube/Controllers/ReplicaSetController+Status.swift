import BoxCore

/// The counters of a ReplicaSet's (or ReplicationController's) status.
struct ReplicaCounts: Equatable, Sendable {
    var replicas = 0
    var fullyLabeledReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    /// When the next not-yet-available ready pod becomes available (nil: none waiting).
    var nextAvailable: Instant?

    /// Counts `pods` (the owner's) at `now`: active ones, those carrying all the template's labels, ready ones and
    /// those ready for `minReadySeconds`.
    init(pods: [JSONValue], templateLabels: [String: String], minReadySeconds: Int, now: Instant) {
        for pod in pods where pod.isActivePod {
            replicas += 1
            let labels = pod.labels
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value }) { fullyLabeledReplicas += 1 }
            guard let since = pod.podReadySince else { continue }
            readyReplicas += 1
            if pod.isAvailablePod(minReadySeconds: minReadySeconds, now: now) {
                availableReplicas += 1
            } else {
                let at = since + .seconds(minReadySeconds)
                nextAvailable = min(nextAvailable ?? at, at)
            }
        }
    }

    init() {}
}

extension ReplicaSetController {
    /// Writes `status` from the pods the owner controls now; asks to look again when a ready pod will become
    /// available after `minReadySeconds`.
    func writeStatus(_ owner: JSONValue, selector: LabelSelector, context: ControllerContext) async
        -> ReconcileResult
    {
        let current = context.cache.get(type, ObjectName(of: owner)) ?? owner
        let pods = context.cache.owned(.pod, by: owner.uid, namespace: owner.namespace)
        let counts = ReplicaCounts(
            pods: pods,
            templateLabels: owner[path: ["spec", "template", "metadata", "labels"]]?.stringMap ?? [:],
            minReadySeconds: owner[path: ["spec", "minReadySeconds"]]?.intValue ?? 0, now: context.now)
        var status = current["status"] ?? .object([:])
        status.set(["replicas"], .int(counts.replicas))
        status.set(["fullyLabeledReplicas"], counts.fullyLabeledReplicas == 0 ? nil : .int(counts.fullyLabeledReplicas))
        status.set(["readyReplicas"], counts.readyReplicas == 0 ? nil : .int(counts.readyReplicas))
        status.set(["availableReplicas"], counts.availableReplicas == 0 ? nil : .int(counts.availableReplicas))
        status.set(["observedGeneration"], .int(current.generation))
        do {
            try await context.updateStatus(type, current, status: status)
        } catch {
            return .requeue(after: .milliseconds(200))
        }
        if let next = counts.nextAvailable { return .requeue(after: max(next - context.now, .milliseconds(10))) }
        return .done
    }
}
