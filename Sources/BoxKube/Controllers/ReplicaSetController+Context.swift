import BoxCore

/// Writes that the other controllers see. `ControllerContext`'s writes put the result into the shared cache, and
/// the `ControllerManager` wakes controllers only when a watch event changes the cache, so the watch event of a
/// context write wakes nobody: a ReplicaSet created or scaled by the Deployment controller would never wake the
/// ReplicaSet controller. These write through the API and cache the result one version early: this controller reads
/// what it wrote, and the watch event (one version newer) still changes the cache and wakes everyone.
extension ControllerContext {
    func cacheEarly(_ type: ResourceType, _ object: JSONValue) {
        var early = object
        if let version = Int64(object.resourceVersion), version > 1 {
            early.set(["metadata", "resourceVersion"], .string(String(version - 1)))
        }
        cache.put(type, early)
    }

    func sharedCreate(_ type: ResourceType, namespace: String, _ object: JSONValue) async throws(KubeError)
        -> JSONValue
    {
        let created = try await api.create(type, namespace: namespace, object)
        cacheEarly(type, created)
        return created
    }

    @discardableResult
    func sharedUpdate(_ type: ResourceType, _ object: JSONValue, subresource: Subresource = .main)
        async throws(KubeError) -> JSONValue
    {
        let updated = try await api.update(
            type, namespace: object.namespace, name: object.name, object, subresource: subresource)
        cacheEarly(type, updated)
        return updated
    }

    /// Writes the whole `status` with the object's version as precondition (nothing when unchanged).
    @discardableResult
    func sharedUpdateStatus(_ type: ResourceType, _ object: JSONValue, status: JSONValue) async throws(KubeError)
        -> JSONValue
    {
        var next = object
        next.set(["status"], status)
        if next == object { return object }
        return try await sharedUpdate(type, next, subresource: .status)
    }
}

extension ControllerContext {
    /// Deletes `object` (its uid as precondition); a deletion left pending (finalizers, graceful pods) is cached one
    /// version early too, so the object's controllers see the mark.
    @discardableResult
    func sharedDelete(_ type: ResourceType, _ object: JSONValue, options: DeleteOptions = DeleteOptions())
        async throws(KubeError) -> DeleteOutcome
    {
        var options = options
        if options.preconditionUID == nil { options.preconditionUID = object.uid }
        let outcome = try await api.delete(type, namespace: object.namespace, name: object.name, options: options)
        switch outcome {
        case .deleted(let gone): cache.remove(type, gone)
        case .pending(let marked): cacheEarly(type, marked)
        }
        return outcome
    }
}
