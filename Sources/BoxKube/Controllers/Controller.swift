public import BoxCore

/// What a reconcile asks for next.
public enum ReconcileResult: Sendable, Equatable {
    case done
    /// Look again after this long (a rollout's progress deadline, a back-off, a schedule).
    case requeue(after: Duration)
}

/// A level-triggered controller, as in sample-controller: changes to the watched types wake keys, and `reconcile`
/// makes the world match the declaration for one key from the current state, whatever happened before. A key is
/// never reconciled by two workers at once; a key woken while it is being reconciled runs again after.
public protocol Controller: Sendable {
    var name: String { get }
    /// The types whose changes wake this controller (their objects are kept in the cache).
    var watches: [ResourceType] { get }
    /// The keys a change to `object` wakes: usually the object itself for the primary type, its controller owner
    /// for the owned types (a pod wakes its ReplicaSet).
    func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName]
    /// Makes the world match the declaration for `key`.
    func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult
    /// Every key of this primary type is reconciled again at this interval (nil: never).
    var resync: (type: ResourceType, interval: Duration)? { get }
}

extension Controller {
    public var resync: (type: ResourceType, interval: Duration)? { nil }
}

/// What a reconcile works with: the cache to read, the API to write (writes also update the cache), the clock.
public struct ControllerContext: Sendable {
    public let api: KubeAPI
    public let cache: ObjectCache
    public let clock: any ClusterClock

    public init(api: KubeAPI, cache: ObjectCache, clock: any ClusterClock) {
        self.api = api
        self.cache = cache
        self.clock = clock
    }

    public var now: Instant { clock.now }

    @discardableResult
    public func create(_ type: ResourceType, namespace: String, _ object: JSONValue) async throws(KubeError)
        -> JSONValue
    {
        let created = try await api.create(type, namespace: namespace, object)
        cache.put(type, created)
        return created
    }

    @discardableResult
    public func update(_ type: ResourceType, _ object: JSONValue, subresource: Subresource = .main)
        async throws(KubeError) -> JSONValue
    {
        let updated = try await api.update(
            type, namespace: object.namespace, name: object.name, object, subresource: subresource)
        cache.put(type, updated)
        return updated
    }

    /// Writes `status` (the whole status) with the object's version as precondition.
    @discardableResult
    public func updateStatus(_ type: ResourceType, _ object: JSONValue, status: JSONValue) async throws(KubeError)
        -> JSONValue
    {
        var next = object
        next.set(["status"], status)
        if next == object { return object }
        return try await update(type, next, subresource: .status)
    }

    @discardableResult
    public func delete(_ type: ResourceType, _ object: JSONValue, options: DeleteOptions = DeleteOptions())
        async throws(KubeError) -> DeleteOutcome
    {
        var options = options
        if options.preconditionUID == nil { options.preconditionUID = object.uid }
        let outcome = try await api.delete(type, namespace: object.namespace, name: object.name, options: options)
        switch outcome {
        case .deleted(let gone): cache.remove(type, gone)
        case .pending(let marked): cache.put(type, marked)
        }
        return outcome
    }

    public func event(_ object: JSONValue, reason: String, message: String, warning: Bool = false, component: String)
        async
    {
        await api.recordEvent(
            about: object, reason: reason, message: message, type: warning ? "Warning" : "Normal",
            component: component)
    }
}
