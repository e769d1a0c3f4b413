public import BoxCore

/// Rolls Deployments out through ReplicaSets named `<deployment>-<pod-template-hash>`: finds or creates the
/// ReplicaSet of the current template, moves replicas to it (RollingUpdate within maxSurge/maxUnavailable, or
/// Recreate), keeps `revisionHistoryLimit` old ones for `rollout undo`, and writes the status `kubectl rollout
/// status` reads.
public struct DeploymentController: Controller {
    public init() {}

    public var name: String { "deployment" }
    static let component = "deployment-controller"
    public var watches: [ResourceType] { [.deployment, .replicaSet, .pod] }

    static let revisionKey = "deployment.kubernetes.io/revision"
    static let desiredKey = "deployment.kubernetes.io/desired-replicas"
    static let maxKey = "deployment.kubernetes.io/max-replicas"
    static let hashKey = "pod-template-hash"

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        switch type {
        case .deployment: return [ObjectName(of: object)]
        case .replicaSet:
            if let owner = object.controllerReference {
                return owner.kind == "Deployment" ? [ObjectName(namespace: object.namespace, name: owner.name)] : []
            }
            return cache.list(.deployment, namespace: object.namespace).filter {
                WorkloadSelector.parse($0[path: ["spec", "selector"]])?.matches(object.labels) ?? false
            }.map { ObjectName(of: $0) }
        default:
            guard let rsRef = object.controllerReference, rsRef.kind == "ReplicaSet",
                let rs = cache.get(.replicaSet, ObjectName(namespace: object.namespace, name: rsRef.name)),
                let owner = rs.controllerReference, owner.kind == "Deployment"
            else { return [] }
            return [ObjectName(namespace: object.namespace, name: owner.name)]
        }
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let deployment = context.cache.get(.deployment, key), deployment.deletionTimestamp == nil,
            let selector = WorkloadSelector.parse(deployment[path: ["spec", "selector"]])
        else { return .done }
        var sync = DeploymentSync(deployment: deployment, context: context)
        do {
            try await sync.claimReplicaSets(selector: selector)
            if deployment[path: ["spec", "paused"]]?.boolValue == true {
                try await sync.scalePaused()
            } else if deployment[path: ["spec", "strategy", "type"]]?.stringValue == "Recreate" {
                try await sync.recreate()
            } else {
                try await sync.rollingUpdate()
            }
            return try await sync.writeStatus()
        } catch {
            return .requeue(after: .milliseconds(250))
        }
    }
}
