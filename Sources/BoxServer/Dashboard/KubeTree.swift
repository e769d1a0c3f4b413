public import BoxCore
import BoxKube

/// Kubernetes objects as the dashboard draws them: ownership trees (Deployment → ReplicaSets → Pods,
/// ReplicationController → Pods, Job → Pods) and Services with their Endpoints, each node with its labels (and its
/// selector) so the page can filter by a selector.
///
/// Pure: built from the objects as listed, children found through `metadata.ownerReferences` (by uid) and
/// Endpoints by the Service's name. Sorted by namespace, kind and name so the same objects give the same tree.
public enum KubeTree {
    public struct Node: Codable, Sendable, Equatable {
        public var kind: String
        public var namespace: String
        public var name: String
        public var labels: [String: String]
        /// The selector of a workload or Service (`matchLabels`, or the map of an RC or Service).
        public var selector: [String: String]
        /// In a few words: "2/3 ready", "Running", "10.0.0.1:80, 10.0.0.2:80".
        public var status: String
        public var children: [Node]
    }

    /// The objects of each kind, as the API lists them.
    public struct Objects: Sendable {
        public var deployments: [JSONValue] = []
        public var replicaSets: [JSONValue] = []
        public var replicationControllers: [JSONValue] = []
        public var jobs: [JSONValue] = []
        public var pods: [JSONValue] = []
        public var services: [JSONValue] = []
        public var endpoints: [JSONValue] = []

        public init() {}
    }

    /// The forest: owners at the top with their children under them; objects whose owner is not listed (or that
    /// have none) are roots.
    public static func build(_ objects: Objects) -> [Node] {
        var childrenByOwner: [String: [(kind: String, object: JSONValue)]] = [:]
        var uids: Set<String> = []
        for object in objects.deployments + objects.replicaSets + objects.replicationControllers + objects.jobs {
            uids.insert(object.uid)
        }
        for (kind, list) in [("ReplicaSet", objects.replicaSets), ("Pod", objects.pods)] {
            for object in list {
                for owner in ownerUIDs(object) where uids.contains(owner) {
                    childrenByOwner[owner, default: []].append((kind, object))
                }
            }
        }
        func node(_ object: JSONValue, kind: String) -> Node {
            let children = (childrenByOwner[object.uid] ?? []).map { node($0.object, kind: $0.kind) }
            return Node(
                kind: kind, namespace: object.namespace, name: object.name, labels: labels(object),
                selector: selector(object), status: status(object, kind: kind), children: sorted(children))
        }
        var roots: [Node] = []
        for (kind, list) in [
            ("Deployment", objects.deployments), ("ReplicaSet", objects.replicaSets),
            ("ReplicationController", objects.replicationControllers), ("Job", objects.jobs), ("Pod", objects.pods),
        ] {
            for object in list where !ownerUIDs(object).contains(where: { uids.contains($0) }) {
                roots.append(node(object, kind: kind))
            }
        }
        let endpointsByKey = Dictionary(
            objects.endpoints.map { ($0.namespace + "/" + $0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for service in objects.services {
            var root = node(service, kind: "Service")
            if let endpoints = endpointsByKey[service.namespace + "/" + service.name] {
                root.children = [
                    Node(
                        kind: "Endpoints", namespace: endpoints.namespace, name: endpoints.name,
                        labels: labels(endpoints), selector: [:], status: addresses(endpoints), children: [])
                ]
            }
            roots.append(root)
        }
        return sorted(roots)
    }

    // MARK: - Fields

    static func sorted(_ nodes: [Node]) -> [Node] {
        nodes.sorted { ($0.namespace, order($0.kind), $0.name) < ($1.namespace, order($1.kind), $1.name) }
    }

    private static func order(_ kind: String) -> Int {
        ["Deployment", "ReplicaSet", "ReplicationController", "Job", "Pod", "Service", "Endpoints"].firstIndex(of: kind)
            ?? 99
    }

    static func ownerUIDs(_ object: JSONValue) -> [String] {
        (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    static func labels(_ object: JSONValue) -> [String: String] {
        object[path: ["metadata", "labels"]]?.stringMap ?? [:]
    }

    /// `spec.selector.matchLabels` (Deployments, ReplicaSets, Jobs), else `spec.selector` as a map (RCs, Services).
    static func selector(_ object: JSONValue) -> [String: String] {
        if let match = object[path: ["spec", "selector", "matchLabels"]] { return match.stringMap }
        return object[path: ["spec", "selector"]]?.stringMap ?? [:]
    }

    /// A few words on the object's state.
    static func status(_ object: JSONValue, kind: String) -> String {
        func int(_ path: [String]) -> Int { object[path: path]?.intValue ?? 0 }
        switch kind {
        case "Deployment", "ReplicaSet", "ReplicationController":
            let wanted = object[path: ["spec", "replicas"]]?.intValue ?? 1
            var text = "\(int(["status", "readyReplicas"]))/\(wanted) ready"
            if kind == "Deployment" { text += ", \(int(["status", "updatedReplicas"])) up to date" }
            return text
        case "Job":
            return "\(int(["status", "succeeded"])) succeeded, \(int(["status", "active"])) active"
        case "Pod":
            let phase = object[path: ["status", "phase"]]?.stringValue ?? "Pending"
            let node = object[path: ["spec", "nodeName"]]?.stringValue
            return node.map { "\(phase) on \($0)" } ?? phase
        case "Service":
            let ip = object[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
            return ([ip] + ports.map { String($0) }).filter { !$0.isEmpty }.joined(separator: " ")
        default:
            return ""
        }
    }

    /// `ip:port` of each ready address of an Endpoints object, or "no endpoints".
    static func addresses(_ endpoints: JSONValue) -> String {
        var out: [String] = []
        for subset in endpoints["subsets"]?.arrayValue ?? [] {
            let ports = (subset["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
            for address in subset["addresses"]?.arrayValue ?? [] {
                let ip = address["ip"]?.stringValue ?? "?"
                out += ports.isEmpty ? [ip] : ports.map { "\(ip):\($0)" }
            }
        }
        return out.isEmpty ? "no endpoints" : out.sorted().joined(separator: ", ")
    }
}
