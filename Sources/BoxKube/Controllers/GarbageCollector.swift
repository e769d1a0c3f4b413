public import BoxCore

/// Deletes what nothing owns any more, and carries out Foreground and Orphan deletion (reference §5.11):
/// - an object whose owner references all name owners that no longer exist (by uid) is deleted; references to
///   missing owners next to live ones are dropped;
/// - an owner being deleted with the `foregroundDeletion` finalizer has its dependents deleted (Foreground too),
///   and loses the finalizer once none remain;
/// - an owner with the `orphan` finalizer has its references stripped from its dependents, then loses the
///   finalizer.
///
/// The controller manager's keys carry no type, so a key here is `namespace` and `PLURAL.GROUP/name`
/// (`replicasets.apps/web-6c9f8d7b5`); names cannot contain `/`.
public struct GarbageCollector: Controller {
    public init() {}

    public var name: String { "garbagecollector" }
    /// Every kind that can own or be owned, as upstream's collector watches them all. Services were missing once,
    /// and a Service deleted in the foreground kept its finalizer forever. Namespaces, Nodes and Events are left out:
    /// they own nothing here and nothing owns them.
    public var watches: [ResourceType] {
        [
            .pod, .replicaSet, .deployment, .replicationController, .job, .cronJob, .endpoints, .endpointSlice,
            .service, .configMap, .secret, .serviceAccount,
        ]
    }

    static func key(_ type: ResourceType, namespace: String, name: String) -> ObjectName {
        ObjectName(namespace: namespace, name: "\(type.qualifiedName)/\(name)")
    }

    func split(_ key: ObjectName) -> (ResourceType, ObjectName)? {
        guard let slash = key.name.firstIndex(of: "/") else { return nil }
        let typeName = key.name[..<slash]
        guard let type = watches.first(where: { $0.qualifiedName == typeName }) else { return nil }
        return (type, ObjectName(namespace: key.namespace, name: String(key.name[key.name.index(after: slash)...])))
    }

    /// The object itself, its owners (a dependent that changes or goes may unblock them), and when the object is
    /// gone, its dependents (they may be orphans now). Pods are not scanned as owners: nothing in clusterbox makes
    /// a pod own anything, and scanning on every pod deletion would cost a pass over the cache each time.
    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        var keys = [Self.key(type, namespace: object.namespace, name: object.name)]
        for owner in object.ownerReferences {
            guard let ownerType = ResourceType.find(apiVersion: owner.apiVersion, kind: owner.kind) else { continue }
            keys.append(Self.key(ownerType, namespace: object.namespace, name: owner.name))
        }
        if type != .pod && cache.get(type, ObjectName(of: object))?.uid != object.uid {
            for (dependentType, dependent) in dependents(of: object, cache: cache) {
                keys.append(Self.key(dependentType, namespace: dependent.namespace, name: dependent.name))
            }
        }
        return keys
    }

    /// Objects of the watched types in the owner's namespace with an owner reference to its uid.
    func dependents(of owner: JSONValue, cache: ObjectCache) -> [(ResourceType, JSONValue)] {
        var found: [(ResourceType, JSONValue)] = []
        for type in watches {
            for object in cache.dependents(type, of: owner.uid, namespace: owner.namespace) {
                found.append((type, object))
            }
        }
        return found
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let (type, name) = split(key), let object = context.cache.get(type, name) else { return .done }
        do {
            if object.deletionTimestamp != nil {
                if object.finalizers.contains("foregroundDeletion") {
                    return try await deleteDependents(of: object, type: type, context: context)
                }
                if object.finalizers.contains("orphan") {
                    return try await orphanDependents(of: object, type: type, context: context)
                }
                return .done
            }
            try await collectIfOrphaned(object, type: type, context: context)
            return .done
        } catch {
            return .requeue(after: .milliseconds(250))
        }
    }

    /// Whether the owner a reference names exists with that uid; a miss in the cache is confirmed with the API
    /// (the cache of that type may not have been listed yet). An unknown owner type counts as existing.
    func ownerExists(_ reference: OwnerReference, namespace: String, context: ControllerContext)
        async
        throws(KubeError) -> Bool
    {
        guard let type = ResourceType.find(apiVersion: reference.apiVersion, kind: reference.kind) else {
            return true
        }
        let ownerNamespace = type.namespaced ? namespace : ""
        if context.cache.get(type, ObjectName(namespace: ownerNamespace, name: reference.name))?.uid == reference.uid {
            return true
        }
        do {
            return try await context.api.get(type, namespace: ownerNamespace, name: reference.name).uid
                == reference.uid
        } catch let error where error.code == 404 {
            return false
        }
    }

    func collectIfOrphaned(_ object: JSONValue, type: ResourceType, context: ControllerContext)
        async throws(KubeError)
    {
        let references = object.ownerReferences
        guard !references.isEmpty else { return }
        var missing: [OwnerReference] = []
        for reference in references
        where !(try await ownerExists(reference, namespace: object.namespace, context: context)) {
            missing.append(reference)
        }
        if missing.isEmpty { return }
        if missing.count == references.count {
            do { try await context.delete(type, object) } catch let error where error.code == 404 {}
        } else {
            var next = object
            next.ownerReferences.removeAll { missing.contains($0) }
            try await context.update(type, next)
        }
    }

    func deleteDependents(of owner: JSONValue, type: ResourceType, context: ControllerContext)
        async throws(KubeError) -> ReconcileResult
    {
        let dependents = dependents(of: owner, cache: context.cache)
        for (dependentType, dependent) in dependents where dependent.deletionTimestamp == nil {
            do {
                try await context.delete(
                    dependentType, dependent, options: DeleteOptions(propagationPolicy: .foreground))
            } catch let error where error.code == 404 {}
        }
        if !dependents.isEmpty { return .requeue(after: .seconds(1)) }
        try await removeFinalizer("foregroundDeletion", from: owner, type: type, context: context)
        return .done
    }

    func orphanDependents(of owner: JSONValue, type: ResourceType, context: ControllerContext)
        async throws(KubeError) -> ReconcileResult
    {
        for (dependentType, dependent) in dependents(of: owner, cache: context.cache) {
            var next = dependent
            next.ownerReferences.removeAll { $0.uid == owner.uid }
            do { try await context.update(dependentType, next) } catch let error where error.code == 404 {}
        }
        try await removeFinalizer("orphan", from: owner, type: type, context: context)
        return .done
    }

    func removeFinalizer(_ finalizer: String, from owner: JSONValue, type: ResourceType, context: ControllerContext)
        async throws(KubeError)
    {
        var next = owner
        next.finalizers.removeAll { $0 == finalizer }
        let written = try await context.update(type, next)
        if written.deletionTimestamp != nil && written.finalizers.isEmpty && !written.isPendingPodDeletion {
            context.cache.remove(type, written)
        }
    }
}
