import BoxCore

/// One reconcile of one Deployment: its ReplicaSets and their pods as the cache holds them, and the writes that
/// move them one step.
struct DeploymentSync {
    var deployment: JSONValue
    let context: ControllerContext
    /// The ReplicaSets it controls, oldest first.
    var sets: [JSONValue] = []
    /// The ReplicaSet of the current template.
    var newSet: JSONValue?
    /// A Progressing condition to record this round (`NewReplicaSetCreated`, `FoundNewReplicaSet`).
    var progressNote: (reason: String, message: String)?

    init(deployment: JSONValue, context: ControllerContext) {
        self.deployment = deployment
        self.context = context
    }

    var namespace: String { deployment.namespace }
    var replicas: Int { deployment[path: ["spec", "replicas"]]?.intValue ?? 1 }
    var minReadySeconds: Int { deployment[path: ["spec", "minReadySeconds"]]?.intValue ?? 0 }
    var isRecreate: Bool { deployment[path: ["spec", "strategy", "type"]]?.stringValue == "Recreate" }
    var fenceposts: (surge: Int, unavailable: Int) {
        isRecreate
            ? (0, 0)
            : RolloutMath.fenceposts(
                deployment[path: ["spec", "strategy", "rollingUpdate"]], replicas: replicas)
    }
    var oldSets: [JSONValue] { sets.filter { $0.uid != newSet?.uid } }

    /// Adopts matching orphan ReplicaSets, releases owned ones that stopped matching, and finds the new one (the
    /// oldest whose template equals the Deployment's, ignoring `pod-template-hash`).
    mutating func claimReplicaSets(selector: LabelSelector) async throws(KubeError) {
        var claimed: [JSONValue] = []
        let candidates =
            context.cache.owned(.replicaSet, by: deployment.uid, namespace: namespace)
            + context.cache.uncontrolled(.replicaSet, namespace: namespace)
        for rs in candidates.sorted(by: { $0.name < $1.name }) {
            let matches = selector.matches(rs.labels)
            if let owner = rs.controllerReference {
                guard owner.uid == deployment.uid else { continue }
                if matches {
                    claimed.append(rs)
                } else {
                    var released = rs
                    released.ownerReferences.removeAll { $0.uid == deployment.uid }
                    try await context.update(.replicaSet, released)
                }
            } else if matches && rs.deletionTimestamp == nil {
                var adopted = rs
                adopted.ownerReferences.append(OwnerReference(controllerOf: deployment, type: .deployment))
                claimed.append(try await context.update(.replicaSet, adopted))
            }
        }
        sets = claimed.sorted { ($0.creationTime, $0.name) < ($1.creationTime, $1.name) }
        let template = deployment[path: ["spec", "template"]] ?? .object([:])
        newSet = sets.first { Self.templateWithoutHash($0) == template }
    }

    static func templateWithoutHash(_ rs: JSONValue) -> JSONValue {
        var template = rs[path: ["spec", "template"]] ?? .object([:])
        var labels = template[path: ["metadata", "labels"]]?.stringMap ?? [:]
        labels[DeploymentController.hashKey] = nil
        template.set(["metadata", "labels"], labels.isEmpty ? nil : JSONValue(stringMap: labels))
        if template["metadata"]?.objectValue?.isEmpty == true { template.set(["metadata"], nil) }
        return template
    }

    static func revision(_ object: JSONValue) -> Int {
        Int(object.annotations[DeploymentController.revisionKey] ?? "") ?? 0
    }

    /// The pods of a ReplicaSet (active ones only).
    func pods(of rs: JSONValue) -> [JSONValue] {
        context.cache.owned(.pod, by: rs.uid, namespace: namespace).filter(\.isActivePod)
    }

    func view(_ rs: JSONValue) -> RolloutMath.Set {
        let pods = pods(of: rs)
        let now = context.now
        return RolloutMath.Set(
            replicas: rs[path: ["spec", "replicas"]]?.intValue ?? 0, pods: pods.count,
            available: pods.filter { $0.isAvailablePod(minReadySeconds: minReadySeconds, now: now) }.count)
    }
}
