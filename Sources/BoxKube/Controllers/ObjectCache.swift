public import BoxCore
import Synchronization

/// Namespace and name of one object; the key of controllers' work queues.
public struct ObjectName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public init(of object: JSONValue) { self.init(namespace: object.namespace, name: object.name) }

    public static func < (a: ObjectName, b: ObjectName) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// The controller manager's picture of the cluster: the latest version of every object of the watched types, fed
/// by watches and by the manager's own writes (so a controller reads what it just wrote, before the watch brings
/// it back). A version older than the one held is ignored, whichever path brings it.
///
/// Objects are indexed by the uids their owner references name, and those without a controller are kept apart,
/// so that a controller finds its own pods without scanning the namespace: at 50 Deployments × 20 pods, scanning
/// every pod at every sync took the controller manager 84% of the CPU and left pods unbound for minutes.
public final class ObjectCache: Sendable {
    private struct Entry {
        var object: JSONValue
        var version: Int64
    }

    /// The objects of one type, with their indexes.
    private struct Bucket {
        var entries: [ObjectName: Entry] = [:]
        /// The objects with an owner reference to each uid.
        var byOwner: [String: Set<ObjectName>] = [:]
        /// The objects without a controller reference.
        var uncontrolled: Set<ObjectName> = []

        mutating func set(_ name: ObjectName, _ entry: Entry?) {
            if let held = entries[name] {
                for reference in held.object.ownerReferences {
                    byOwner[reference.uid]?.remove(name)
                    if byOwner[reference.uid]?.isEmpty == true { byOwner[reference.uid] = nil }
                }
                uncontrolled.remove(name)
            }
            entries[name] = entry
            guard let entry else { return }
            let references = entry.object.ownerReferences
            for reference in references { byOwner[reference.uid, default: []].insert(name) }
            if !references.contains(where: \.controller) { uncontrolled.insert(name) }
        }

        /// The named objects in `namespace`, sorted by name.
        func objects(_ names: Set<ObjectName>?, namespace: String) -> [JSONValue] {
            (names ?? []).filter { $0.namespace == namespace }.sorted().compactMap { entries[$0]?.object }
        }
    }

    private let state = Mutex<[ResourceType: Bucket]>([:])
    /// Versions of deletions seen, so a late event of an older version does not bring an object back.
    private let tombstones = Mutex<[ResourceType: [ObjectName: Int64]]>([:])

    public init() {}

    public func get(_ type: ResourceType, _ name: ObjectName) -> JSONValue? {
        state.withLock { $0[type]?.entries[name]?.object }
    }

    /// Objects of `type` in `namespace` (all when nil) whose labels match `selector`, sorted by namespace and name.
    public func list(_ type: ResourceType, namespace: String? = nil, selector: LabelSelector = .everything)
        -> [JSONValue]
    {
        let entries = state.withLock { $0[type]?.entries ?? [:] }
        return entries.keys.sorted().compactMap { name in
            guard namespace == nil || name.namespace == namespace, let object = entries[name]?.object,
                selector.matches(object.labels)
            else { return nil }
            return object
        }
    }

    /// Objects of `type` whose controller owner reference has `uid`, sorted by name.
    public func owned(_ type: ResourceType, by uid: String, namespace: String) -> [JSONValue] {
        dependents(type, of: uid, namespace: namespace).filter { $0.controllerReference?.uid == uid }
    }

    /// Objects of `type` with any owner reference to `uid`, sorted by name.
    public func dependents(_ type: ResourceType, of uid: String, namespace: String) -> [JSONValue] {
        state.withLock { $0[type]?.objects($0[type]?.byOwner[uid], namespace: namespace) ?? [] }
    }

    /// Objects of `type` in `namespace` without a controller owner reference (candidates for adoption), sorted.
    public func uncontrolled(_ type: ResourceType, namespace: String) -> [JSONValue] {
        state.withLock { $0[type]?.objects($0[type]?.uncontrolled, namespace: namespace) ?? [] }
    }

    /// Stores `object` unless a newer version of it (or of its deletion) is already held. Returns whether it changed
    /// the cache.
    @discardableResult
    public func put(_ type: ResourceType, _ object: JSONValue) -> Bool {
        let name = ObjectName(of: object)
        let version = Int64(object.resourceVersion) ?? 0
        if let deleted = tombstones.withLock({ $0[type]?[name] }), deleted >= version { return false }
        return state.withLock { state in
            if let held = state[type]?.entries[name], held.version >= version { return false }
            state[type, default: Bucket()].set(name, Entry(object: object, version: version))
            return true
        }
    }

    /// Forgets the object (deleted at `version`).
    @discardableResult
    public func remove(_ type: ResourceType, _ object: JSONValue) -> Bool {
        let name = ObjectName(of: object)
        let version = Int64(object.resourceVersion) ?? .max
        tombstones.withLock { $0[type, default: [:]][name] = max($0[type]?[name] ?? 0, version) }
        return state.withLock { state in
            guard let held = state[type]?.entries[name], held.version <= version else { return false }
            state[type]?.set(name, nil)
            return true
        }
    }

    /// Replaces everything held for `type` (after a relist).
    public func replace(_ type: ResourceType, with objects: [JSONValue]) {
        var bucket = Bucket()
        for object in objects {
            bucket.set(ObjectName(of: object), Entry(object: object, version: Int64(object.resourceVersion) ?? 0))
        }
        state.withLock { $0[type] = bucket }
        tombstones.withLock { $0[type] = [:] }
    }
}
