public import BoxCore

/// Reading and writing Kubernetes objects held as `JSONValue`: the API keeps objects as documents (unknown fields
/// survive a round trip, patches work on any field) and reads the few fields it acts on through these helpers.
extension JSONValue {
    /// The value at a path of object keys, nil when any step is missing or not an object.
    public subscript(path path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// Sets (or with nil removes) the value at a path of object keys, creating objects on the way; a step that is
    /// not an object is replaced by one.
    public mutating func set(_ path: [String], _ value: JSONValue?) {
        guard let first = path.first else {
            self = value ?? .null
            return
        }
        var members: [String: JSONValue]
        if case .object(let existing) = self { members = existing } else { members = [:] }
        if path.count == 1 {
            members[first] = value
        } else {
            var child = members[first] ?? .object([:])
            child.set(Array(path.dropFirst()), value)
            members[first] = child
        }
        self = .object(members)
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        switch self {
        case .int(let value): value
        case .double(let value) where value.rounded() == value && abs(value) < 9e15: Int(value)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A string map such as `metadata.labels`; entries that are not strings are skipped.
    public var stringMap: [String: String] {
        guard case .object(let members) = self else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in members { if case .string(let text) = value { map[key] = text } }
        return map
    }

    public init(stringMap: [String: String]) { self = .object(stringMap.mapValues { .string($0) }) }
}

/// The metadata every object carries.
extension JSONValue {
    public var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    public var namespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    public var uid: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
    public var resourceVersion: String { self[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }
    public var generation: Int { self[path: ["metadata", "generation"]]?.intValue ?? 0 }
    public var labels: [String: String] {
        get { self[path: ["metadata", "labels"]]?.stringMap ?? [:] }
        set { set(["metadata", "labels"], newValue.isEmpty ? nil : JSONValue(stringMap: newValue)) }
    }
    public var annotations: [String: String] {
        get { self[path: ["metadata", "annotations"]]?.stringMap ?? [:] }
        set { set(["metadata", "annotations"], newValue.isEmpty ? nil : JSONValue(stringMap: newValue)) }
    }
    public var finalizers: [String] {
        get { (self[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue) }
        set { set(["metadata", "finalizers"], newValue.isEmpty ? nil : .array(newValue.map { .string($0) })) }
    }
    public var deletionTimestamp: String? { self[path: ["metadata", "deletionTimestamp"]]?.stringValue }
    public var ownerReferences: [OwnerReference] {
        get { (self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap(OwnerReference.init) }
        set {
            set(["metadata", "ownerReferences"], newValue.isEmpty ? nil : .array(newValue.map(\.json)))
        }
    }
    /// The owner reference with `controller: true`.
    public var controllerReference: OwnerReference? { ownerReferences.first { $0.controller } }
}

/// `metadata.ownerReferences[]`.
public struct OwnerReference: Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool
    public var blockOwnerDeletion: Bool

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool = true,
        blockOwnerDeletion: Bool = true
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    /// The controller reference to `owner`, as controllers set it.
    public init(controllerOf owner: JSONValue, type: ResourceType) {
        self.init(apiVersion: type.apiVersion, kind: type.kind, name: owner.name, uid: owner.uid)
    }

    init?(_ json: JSONValue) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
            let name = json["name"]?.stringValue, let uid = json["uid"]?.stringValue
        else { return nil }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: uid,
            controller: json["controller"]?.boolValue ?? false,
            blockOwnerDeletion: json["blockOwnerDeletion"]?.boolValue ?? false)
    }

    public var json: JSONValue {
        .object([
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
            "controller": .bool(controller), "blockOwnerDeletion": .bool(blockOwnerDeletion),
        ])
    }
}
