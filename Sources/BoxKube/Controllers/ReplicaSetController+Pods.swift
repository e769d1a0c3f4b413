import BoxCore

/// What the workload controllers read from pods and selectors: activity, readiness, availability, the order in
/// which surplus pods go, and the label selector of a ReplicaSet, Deployment or ReplicationController.
extension JSONValue {
    /// Not terminated and not being deleted: the pods a ReplicaSet counts (upstream `FilterActivePods`).
    var isActivePod: Bool {
        let phase = self[path: ["status", "phase"]]?.stringValue ?? ""
        return deletionTimestamp == nil && phase != "Succeeded" && phase != "Failed"
    }

    /// The pod's `Ready` condition when it is `True`: when it became ready (nil when not ready).
    var podReadySince: Instant? {
        for condition in self[path: ["status", "conditions"]]?.arrayValue ?? [] {
            guard condition["type"]?.stringValue == "Ready" else { continue }
            guard condition["status"]?.stringValue == "True" else { return nil }
            return condition["lastTransitionTime"]?.stringValue.flatMap(KubeTime.parse) ?? .epoch
        }
        return nil
    }

    var isReadyPod: Bool { podReadySince != nil }

    /// Ready for at least `minReadySeconds` at `now`.
    func isAvailablePod(minReadySeconds: Int, now: Instant) -> Bool {
        guard let since = podReadySince else { return false }
        return minReadySeconds <= 0 || since + .seconds(minReadySeconds) <= now
    }

    var creationTime: Instant {
        self[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(KubeTime.parse) ?? .epoch
    }
}

/// The label selector of a workload's `spec.selector`.
enum WorkloadSelector {
    /// A `metav1.LabelSelector` (`matchLabels` and `matchExpressions`); nil when absent or malformed, which selects
    /// nothing (a controller never adopts everything by mistake).
    static func parse(_ json: JSONValue?) -> LabelSelector? {
        guard let json, case .object = json else { return nil }
        var requirements = LabelSelector(matchLabels: json["matchLabels"]?.stringMap ?? [:]).requirements
        for expression in json["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue, let op = expression["operator"]?.stringValue else {
                return nil
            }
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            switch op {
            case "In": requirements.append(.init(key: key, op: .in, values: values))
            case "NotIn": requirements.append(.init(key: key, op: .notIn, values: values))
            case "Exists": requirements.append(.init(key: key, op: .exists))
            case "DoesNotExist": requirements.append(.init(key: key, op: .doesNotExist))
            default: return nil
            }
        }
        return requirements.isEmpty ? nil : LabelSelector(requirements)
    }

    /// A ReplicationController's map selector (defaulting to its template's labels).
    static func parseMap(_ json: JSONValue?, template: JSONValue?) -> LabelSelector? {
        var labels = json?.stringMap ?? [:]
        if labels.isEmpty { labels = template?[path: ["metadata", "labels"]]?.stringMap ?? [:] }
        return labels.isEmpty ? nil : LabelSelector(matchLabels: labels)
    }
}

/// The order in which a ReplicaSet deletes surplus pods (upstream `controller.ActivePods`): first the ones that
/// cost least to lose.
enum PodDeletionOrder {
    /// Whether `a` should go before `b`: unscheduled before scheduled, Pending before Unknown before Running, not
    /// ready before ready, ready for less time before longer, more restarts before fewer, newer before older.
    static func goesFirst(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let nodeA = !(a[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
        let nodeB = !(b[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty
        if nodeA != nodeB { return !nodeA }
        let phaseA = phaseRank(a)
        let phaseB = phaseRank(b)
        if phaseA != phaseB { return phaseA < phaseB }
        let readyA = a.podReadySince
        let readyB = b.podReadySince
        if (readyA == nil) != (readyB == nil) { return readyA == nil }
        if let readyA, let readyB, readyA != readyB { return readyA > readyB }
        let restartsA = restarts(a)
        let restartsB = restarts(b)
        if restartsA != restartsB { return restartsA > restartsB }
        if a.creationTime != b.creationTime { return a.creationTime > b.creationTime }
        return a.name > b.name
    }

    private static func phaseRank(_ pod: JSONValue) -> Int {
        switch pod[path: ["status", "phase"]]?.stringValue ?? "Pending" {
        case "Pending": 0
        case "Unknown": 1
        case "Running": 2
        default: 3
        }
    }

    private static func restarts(_ pod: JSONValue) -> Int {
        (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reduce(0) {
            $0 + ($1["restartCount"]?.intValue ?? 0)
        }
    }
}
