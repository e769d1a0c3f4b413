public import BoxCore

/// The OpenAPI v3 documents kubectl validates manifests with: an index naming one document per served
/// group-version, each URL carrying a hash of the document's text so kubectl's HTTP cache (keyed by URL) refetches
/// a document exactly when it changed.
public enum KubeOpenAPI {
    /// The `info.version` of every document.
    static let apiVersion = "v1.37.0"

    /// `GET /openapi/v3`.
    public static func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for entry in documents {
            let hash = hashText(entry.document.text)
            paths[entry.key] = ["serverRelativeURL": .string("/openapi/v3/\(entry.key)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// `GET /openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`…; nil when not served. Accepts the key as in the
    /// index (`apis/apps/v1`), with a leading `/`, the `/openapi/v3/` prefix or a `?hash=` query.
    public static func document(_ groupVersionPath: String) -> JSONValue? {
        var key = Substring(groupVersionPath)
        if let query = key.firstIndex(of: "?") { key = key[..<query] }
        while key.hasPrefix("/") { key = key.dropFirst() }
        if key.hasPrefix("openapi/v3/") { key = key.dropFirst("openapi/v3/".count) }
        while key.hasSuffix("/") { key = key.dropLast() }
        return documents.first { $0.key == key }?.document
    }

    /// The hash in a `serverRelativeURL`: FNV-1a 64 of the document's canonical text (sorted keys), as 16
    /// upper-case hex digits.
    static func hashText(_ text: String) -> String {
        let hex = String(StableHash.fnv1a(text), radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Every served group-version's key (`api/v1`, `apis/apps/v1`) and document, built once: they depend only on
    /// `ResourceType.all` and the schemas, so the index and the documents always agree.
    static let documents: [(key: String, document: JSONValue)] = KubeDiscovery.groupVersions.map { groupVersion in
        let key =
            groupVersion.group.isEmpty
            ? "api/\(groupVersion.version)" : "apis/\(groupVersion.group)/\(groupVersion.version)"
        return (key, buildDocument(group: groupVersion.group, version: groupVersion.version))
    }

    static func buildDocument(group: String, version: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for type in ResourceType.all where type.group == group && type.version == version {
            for (path, item) in OpenAPIPaths(type: type).items { paths[path] = item }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(apiVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(KubeSchemas.componentSchemas(group: group, version: version))],
        ]
    }
}
