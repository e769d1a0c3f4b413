import BoxCore

/// What a subresource answers with and which verbs it takes, for both discovery forms.
struct SubresourceInfo: Sendable, Equatable {
    var name: String
    var group: String
    var version: String
    var kind: String
    var verbs: [String]

    /// `status` → the object's own kind; `scale` → `autoscaling/v1` Scale; `log` → Pod (get); `eviction` →
    /// `policy/v1` Eviction (create); `binding` → Binding (create); `finalize` → Namespace (update).
    init(_ name: String, of type: ResourceType) {
        self.name = name
        let readWrite = ["get", "patch", "update"]
        switch name {
        case "scale": (group, version, kind, verbs) = ("autoscaling", "v1", "Scale", readWrite)
        case "log": (group, version, kind, verbs) = ("", "v1", "Pod", ["get"])
        case "eviction": (group, version, kind, verbs) = ("policy", "v1", "Eviction", ["create"])
        case "binding": (group, version, kind, verbs) = ("", "v1", "Binding", ["create"])
        case "finalize": (group, version, kind, verbs) = ("", "v1", "Namespace", ["update"])
        default: (group, version, kind, verbs) = (type.group, type.version, type.kind, readWrite)
        }
    }

    /// `{group, version, kind}` as discovery writes a `responseKind`.
    var responseKind: JSONValue { ["group": .string(group), "version": .string(version), "kind": .string(kind)] }
}

extension ResourceType {
    var subresourceInfos: [SubresourceInfo] { subresources.map { SubresourceInfo($0, of: self) } }
    /// `Namespaced` or `Cluster`.
    var scope: String { namespaced ? "Namespaced" : "Cluster" }
    var responseKind: JSONValue {
        ["group": .string(group), "version": .string(version), "kind": .string(kind)]
    }
}

/// Strings as a JSON array.
func jsonStrings(_ strings: [String]) -> JSONValue { .array(strings.map { .string($0) }) }
