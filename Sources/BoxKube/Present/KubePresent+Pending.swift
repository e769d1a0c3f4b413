public import BoxCore

// Signatures the HTTP routes call; replaced by the real Tables, discovery and OpenAPI documents.

/// `meta.k8s.io/v1` Tables for `kubectl get`.
public enum KubeTables {
    /// A Table of `objects` (one row each); `includeObject` is the query parameter (`None`, `Metadata` (default),
    /// `Object`); `now` computes the Age cells.
    public static func table(
        _ type: ResourceType, objects: [JSONValue], resourceVersion: String, continueToken: String?,
        includeObject: String?, now: Instant
    ) -> JSONValue {
        let rows: [JSONValue] = objects.map { object in
            ["cells": [.string(object.name)], "object": object]
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": ["resourceVersion": .string(resourceVersion), "continue": .string(continueToken ?? "")],
            "columnDefinitions": [["name": "Name", "type": "string", "format": "name", "description": "", "priority": 0]],
            "rows": .array(rows),
        ]
    }
}

/// Discovery documents.
public enum KubeDiscovery {
    /// `GET /api` or `GET /apis` in the aggregated form (`APIGroupDiscoveryList`).
    public static func aggregated(core: Bool) -> JSONValue { ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": []] }
    /// `GET /api` (`APIVersions`), legacy.
    public static func apiVersions(serverAddress: String) -> JSONValue { ["kind": "APIVersions", "versions": ["v1"]] }
    /// `GET /apis` (`APIGroupList`), legacy.
    public static func apiGroupList() -> JSONValue { ["kind": "APIGroupList", "apiVersion": "v1", "groups": []] }
    /// `GET /api/v1`, `GET /apis/GROUP/VERSION` (`APIResourceList`); nil for a group-version not served.
    public static func resourceList(group: String, version: String) -> JSONValue? { nil }
    /// `GET /apis/GROUP` (`APIGroup`); nil when not served.
    public static func apiGroup(_ group: String) -> JSONValue? { nil }
}

/// The OpenAPI v3 documents kubectl validates manifests with.
public enum KubeOpenAPI {
    /// `GET /openapi/v3`.
    public static func index() -> JSONValue { ["paths": [:]] }
    /// `GET /openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`…; nil when not served.
    public static func document(_ groupVersionPath: String) -> JSONValue? { nil }
}
