public import BoxCore

/// The legacy discovery shapes (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`), read by clients
/// that do not ask for the aggregated form (the Python client, older kubectl).
extension KubeDiscovery {
    /// `GET /api` (`APIVersions`).
    public static func apiVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": jsonStrings(versions(of: "")),
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `GET /apis` (`APIGroupList`).
    public static func apiGroupList() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(ResourceType.groups.map(groupBody))]
    }

    /// `GET /apis/GROUP` (`APIGroup`); nil when not served.
    public static func apiGroup(_ group: String) -> JSONValue? {
        guard !group.isEmpty, ResourceType.groups.contains(group),
            case .object(var body) = groupBody(group)
        else { return nil }
        body["kind"] = "APIGroup"
        body["apiVersion"] = "v1"
        return .object(body)
    }

    /// `{name, versions, preferredVersion}` of a named group.
    private static func groupBody(_ group: String) -> JSONValue {
        let versions: [JSONValue] = versions(of: group).map {
            ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)]
        }
        return ["name": .string(group), "versions": .array(versions), "preferredVersion": versions.first ?? .null]
    }

    /// `GET /api/v1`, `GET /apis/GROUP/VERSION` (`APIResourceList`); nil for a group-version not served. Each
    /// subresource is its own `plural/sub` entry, with `group`/`version` only when they differ from the list's.
    public static func resourceList(group: String, version: String) -> JSONValue? {
        let types = ResourceType.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for type in types {
            var resource: [String: JSONValue] = [
                "name": .string(type.plural), "singularName": .string(type.singular),
                "namespaced": .bool(type.namespaced), "kind": .string(type.kind), "verbs": jsonStrings(type.verbs),
            ]
            if !type.shortNames.isEmpty { resource["shortNames"] = jsonStrings(type.shortNames) }
            if !type.categories.isEmpty { resource["categories"] = jsonStrings(type.categories) }
            resources.append(.object(resource))
            for info in type.subresourceInfos {
                var entry: [String: JSONValue] = [
                    "name": .string("\(type.plural)/\(info.name)"), "singularName": .string(type.singular),
                    "namespaced": .bool(type.namespaced), "kind": .string(info.kind), "verbs": jsonStrings(info.verbs),
                ]
                if info.group != group || info.version != version {
                    entry["group"] = .string(info.group)
                    entry["version"] = .string(info.version)
                }
                resources.append(.object(entry))
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(resources),
        ]
    }
}
