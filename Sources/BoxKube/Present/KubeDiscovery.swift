public import BoxCore

/// Discovery documents, all derived from `ResourceType.all`: the aggregated form kubectl asks for first (one
/// round trip per `/api`, `/apis`), and the legacy shapes it falls back to.
public enum KubeDiscovery {
    /// `GET /api` or `GET /apis` in the aggregated form (`APIGroupDiscoveryList`): the core group alone, or one
    /// item per named group, in discovery order.
    public static func aggregated(core: Bool) -> JSONValue {
        let items: [JSONValue] =
            core
            ? [groupItem(group: "", metadata: ["creationTimestamp": .null])]
            : ResourceType.groups.map { groupItem(group: $0, metadata: ["name": .string($0)]) }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
            "items": .array(items),
        ]
    }

    /// The group-versions served, in discovery order: `("", "v1")`, `("apps", "v1")`…
    static var groupVersions: [(group: String, version: String)] {
        var seen: [(group: String, version: String)] = []
        for type in ResourceType.all where !seen.contains(where: { $0 == (type.group, type.version) }) {
            seen.append((type.group, type.version))
        }
        return seen
    }

    /// The versions of a group, preferred first.
    static func versions(of group: String) -> [String] {
        groupVersions.filter { $0.group == group }.map(\.version)
    }

    private static func groupItem(group: String, metadata: JSONValue) -> JSONValue {
        let versions: [JSONValue] = versions(of: group).map { version in
            let resources = ResourceType.all.filter { $0.group == group && $0.version == version }
            return [
                "version": .string(version), "freshness": "Current",
                "resources": .array(resources.map(aggregatedResource)),
            ]
        }
        return ["metadata": metadata, "versions": .array(versions)]
    }

    /// An `APIResourceDiscovery`; empty `shortNames`, `categories` and `subresources` are left out, as upstream's
    /// `omitempty` does.
    static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        var resource: [String: JSONValue] = [
            "resource": .string(type.plural), "singularResource": .string(type.singular),
            "scope": .string(type.scope), "responseKind": type.responseKind, "verbs": jsonStrings(type.verbs),
        ]
        if !type.shortNames.isEmpty { resource["shortNames"] = jsonStrings(type.shortNames) }
        if !type.categories.isEmpty { resource["categories"] = jsonStrings(type.categories) }
        if !type.subresources.isEmpty {
            resource["subresources"] = .array(
                type.subresourceInfos.map { info in
                    [
                        "subresource": .string(info.name), "responseKind": info.responseKind,
                        "verbs": jsonStrings(info.verbs),
                    ]
                })
        }
        return .object(resource)
    }
}
