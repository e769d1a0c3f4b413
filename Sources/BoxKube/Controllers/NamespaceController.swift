public import BoxCore

/// Finishes the deletion of a namespace (phase `Terminating`, reference §5.11): deletes everything in it, of every
/// namespaced type, and removes the namespace once nothing remains. Contents that take time to go (graceful pods,
/// finalizers) are looked at again shortly.
public struct NamespaceController: Controller {
    public init() {}

    public var name: String { "namespace" }
    public var watches: [ResourceType] { [.namespace] }

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        [ObjectName(namespace: "", name: object.name)]
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let namespace = context.cache.get(.namespace, key), namespace.deletionTimestamp != nil else {
            return .done
        }
        do {
            var remaining = 0
            for type in ResourceType.all where type.namespaced {
                let objects = try await context.api.list(type, namespace: namespace.name).items
                remaining += objects.count
                for object in objects where object.deletionTimestamp == nil {
                    do {
                        try await context.api.delete(
                            type, namespace: namespace.name, name: object.name,
                            options: DeleteOptions(preconditionUID: object.uid))
                    } catch let error where error.code == 404 || error.code == 409 {}
                }
            }
            if remaining > 0 { return .requeue(after: .milliseconds(200)) }
            try await context.api.remove(.namespace, namespace: "", name: namespace.name, uid: namespace.uid)
            context.cache.remove(.namespace, namespace)
            return .done
        } catch {
            return .requeue(after: .milliseconds(500))
        }
    }
}
