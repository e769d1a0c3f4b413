public import BoxCore

/// Keeps a `default` ServiceAccount in every active namespace (created with the namespace, recreated if deleted),
/// as pods without `serviceAccountName` run as it.
public struct ServiceAccountController: Controller {
    public init() {}

    public var name: String { "serviceaccount" }
    public var watches: [ResourceType] { [.namespace, .serviceAccount] }

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        if type == .namespace { return [ObjectName(namespace: "", name: object.name)] }
        return object.name == "default" ? [ObjectName(namespace: "", name: object.namespace)] : []
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let namespace = context.cache.get(.namespace, key), namespace.deletionTimestamp == nil else {
            return .done
        }
        if context.cache.get(.serviceAccount, ObjectName(namespace: key.name, name: "default")) != nil {
            return .done
        }
        let account: JSONValue = [
            "apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default"],
        ]
        do {
            try await context.create(.serviceAccount, namespace: key.name, account)
        } catch let error where error.reason == "AlreadyExists" || error.code == 403 || error.code == 404 {
        } catch {
            return .requeue(after: .milliseconds(500))
        }
        return .done
    }
}
