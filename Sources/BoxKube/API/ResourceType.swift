/// One kind of object the API serves: where it lives (`/api/v1` or `/apis/GROUP/VERSION`), what it is called in
/// URLs and discovery, and how it is stored.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// The API group, `""` for the core group.
    public var group: String
    public var version: String
    public var kind: String
    /// The lower-case plural used in URLs (`deployments`).
    public var plural: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    /// Subresources served besides the object itself (`status`, `scale`, `log`, `eviction`, `binding`).
    public var subresources: [String]
    /// Verbs in discovery; every type here supports all of them.
    public var verbs: [String] { ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] }

    public init(
        group: String, version: String = "v1", kind: String, plural: String, namespaced: Bool = true,
        shortNames: [String] = [], categories: [String] = [], subresources: [String] = []
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
    }

    /// `v1` or `apps/v1`, as in an object's `apiVersion`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `PodList`.
    public var listKind: String { kind + "List" }
    /// `deployments.apps` or `pods`, as Kubernetes names the resource in error messages.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// The BoxStore kind: `kube.pods`, `kube.deployments.apps`.
    public var storeKind: String { "kube." + qualifiedName }
    /// Whether writes to the object itself ignore `status` (it is written through `/status` only).
    public var hasStatusSubresource: Bool { subresources.contains("status") }
    /// `/api/v1` or `/apis/apps/v1`.
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    public var description: String { qualifiedName }
}

extension ResourceType {
    public static let namespace = ResourceType(
        group: "", kind: "Namespace", plural: "namespaces", namespaced: false, shortNames: ["ns"],
        subresources: ["status", "finalize"])
    public static let pod = ResourceType(
        group: "", kind: "Pod", plural: "pods", shortNames: ["po"], categories: ["all"],
        subresources: ["status", "log", "eviction", "binding"])
    public static let service = ResourceType(
        group: "", kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"],
        subresources: ["status"])
    public static let replicationController = ResourceType(
        group: "", kind: "ReplicationController", plural: "replicationcontrollers", shortNames: ["rc"],
        categories: ["all"], subresources: ["status", "scale"])
    public static let endpoints = ResourceType(group: "", kind: "Endpoints", plural: "endpoints", shortNames: ["ep"])
    public static let node = ResourceType(
        group: "", kind: "Node", plural: "nodes", namespaced: false, shortNames: ["no"], subresources: ["status"])
    public static let event = ResourceType(group: "", kind: "Event", plural: "events", shortNames: ["ev"])
    public static let configMap = ResourceType(group: "", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"])
    public static let secret = ResourceType(group: "", kind: "Secret", plural: "secrets")
    public static let serviceAccount = ResourceType(
        group: "", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"])
    public static let deployment = ResourceType(
        group: "apps", kind: "Deployment", plural: "deployments", shortNames: ["deploy"], categories: ["all"],
        subresources: ["status", "scale"])
    public static let replicaSet = ResourceType(
        group: "apps", kind: "ReplicaSet", plural: "replicasets", shortNames: ["rs"], categories: ["all"],
        subresources: ["status", "scale"])
    public static let job = ResourceType(
        group: "batch", kind: "Job", plural: "jobs", categories: ["all"], subresources: ["status"])
    public static let cronJob = ResourceType(
        group: "batch", kind: "CronJob", plural: "cronjobs", shortNames: ["cj"], categories: ["all"],
        subresources: ["status"])
    public static let endpointSlice = ResourceType(
        group: "discovery.k8s.io", kind: "EndpointSlice", plural: "endpointslices")

    /// Every served type, in discovery order: core first (pods, services, replicationcontrollers lead `get all`, as
    /// upstream), then the named groups.
    public static let all: [ResourceType] = [
        .pod, .service, .replicationController, .namespace, .node, .endpoints, .event, .configMap, .secret,
        .serviceAccount, .deployment, .replicaSet, .job, .cronJob, .endpointSlice,
    ]

    private static let byPath: [String: ResourceType] = Dictionary(
        uniqueKeysWithValues: all.map { ("\($0.group)/\($0.version)/\($0.plural)", $0) })
    private static let byKind: [String: ResourceType] = Dictionary(
        uniqueKeysWithValues: all.map { ("\($0.apiVersion)/\($0.kind)", $0) })

    /// The type served at `/api/v1/PLURAL` (group `""`) or `/apis/GROUP/VERSION/PLURAL`.
    public static func find(group: String, version: String, plural: String) -> ResourceType? {
        byPath["\(group)/\(version)/\(plural)"]
    }

    /// The type of an object with this `apiVersion` and `kind`.
    public static func find(apiVersion: String, kind: String) -> ResourceType? { byKind["\(apiVersion)/\(kind)"] }

    /// The named groups, in discovery order.
    public static var groups: [String] {
        var seen: [String] = []
        for type in all where !type.group.isEmpty && !seen.contains(type.group) { seen.append(type.group) }
        return seen
    }
}
