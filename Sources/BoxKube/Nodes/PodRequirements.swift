import BoxCore

/// What the scheduler reads from a pod: the resources it asks for, where it may run, the host ports it needs.
///
/// Requests: the sum over containers of `resources.requests` (cpu, memory), each taken from `resources.limits`
/// when the request is absent (Kubernetes defaults a missing request to the limit). A container naming neither
/// counts as 0.1 CPU and 32 MiB (`defaultRequest`), because the master launches no task without resources.
struct PodRequirements: Hashable, Sendable {
    /// The default request of a container that names none: 100m CPU, 32 MiB.
    static let defaultRequest = Resources(milliCPUs: 100, memoryMiB: 32)

    /// Per container, in `spec.containers` order.
    var containers: [ContainerRequest]
    var nodeSelector: [String: String]
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`: any term may hold.
    var requiredTerms: [NodeSelectorTerm]
    var tolerations: [Toleration]
    /// The controller owner's uid, for spreading replicas across nodes.
    var ownerUID: String?

    /// The pod as a whole (ports excluded: those are chosen from the offer).
    var resources: Resources { containers.reduce(Resources.zero) { $0 + $1.resources } }
    var hostPorts: [UInt16] { containers.flatMap { $0.ports.compactMap(\.hostPort) } }
    var portCount: Int { containers.reduce(0) { $0 + $1.ports.count } }

    init(pod: JSONValue) {
        let spec = pod["spec"] ?? .object([:])
        containers = (spec["containers"]?.arrayValue ?? []).map(ContainerRequest.init)
        nodeSelector = spec["nodeSelector"]?.stringMap ?? [:]
        let terms =
            spec[path: [
                "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
            ]]?.arrayValue ?? []
        requiredTerms = terms.map(NodeSelectorTerm.init)
        tolerations = (spec["tolerations"]?.arrayValue ?? []).map(Toleration.init)
        ownerUID = pod.controllerReference?.uid
    }
}

/// One container's share of the pod's request and the ports it declares.
struct ContainerRequest: Hashable, Sendable {
    struct Port: Hashable, Sendable {
        var name: String?
        var containerPort: Int
        var hostPort: UInt16?
    }

    var name: String
    var resources: Resources
    var ports: [Port]

    init(_ container: JSONValue) {
        name = container["name"]?.stringValue ?? ""
        func quantity(_ resource: String) -> String? {
            NodeQuantity.text(container[path: ["resources", "requests", resource]])
                ?? NodeQuantity.text(container[path: ["resources", "limits", resource]])
        }
        let cpu = quantity("cpu").flatMap(NodeQuantity.milliCPUs)
        let memory = quantity("memory").flatMap(NodeQuantity.memoryMiB)
        if cpu == nil && memory == nil {
            resources = PodRequirements.defaultRequest
        } else {
            resources = Resources(milliCPUs: cpu ?? 0, memoryMiB: memory ?? 0)
        }
        ports = (container["ports"]?.arrayValue ?? []).compactMap { port in
            guard let number = port["containerPort"]?.intValue else { return nil }
            let host = port["hostPort"]?.intValue.flatMap { (1...65535).contains($0) ? UInt16($0) : nil }
            return Port(name: port["name"]?.stringValue, containerPort: number, hostPort: host)
        }
    }
}

/// A node selector term: every expression must hold (`matchExpressions` on labels; `matchFields` on
/// `metadata.name`).
struct NodeSelectorTerm: Hashable, Sendable {
    struct Expression: Hashable, Sendable {
        var key: String
        var op: String
        var values: [String]

        /// Whether `value` (the label's value, nil when absent) satisfies the expression. Unknown operators and
        /// `Gt`/`Lt` with non-integer operands do not match, as upstream.
        func matches(_ value: String?) -> Bool {
            switch op {
            case "In": value.map(values.contains) ?? false
            case "NotIn": value.map { !values.contains($0) } ?? true
            case "Exists": value != nil
            case "DoesNotExist": value == nil
            case "Gt", "Lt":
                if let value, let have = Int(value), values.count == 1, let want = Int(values[0]) {
                    op == "Gt" ? have > want : have < want
                } else {
                    false
                }
            default: false
            }
        }
    }

    var expressions: [Expression]
    var fields: [Expression]

    init(_ json: JSONValue) {
        func read(_ key: String) -> [Expression] {
            (json[key]?.arrayValue ?? []).map { item in
                Expression(
                    key: item["key"]?.stringValue ?? "", op: item["operator"]?.stringValue ?? "",
                    values: (item["values"]?.arrayValue ?? []).compactMap(\.stringValue))
            }
        }
        expressions = read("matchExpressions")
        fields = read("matchFields")
    }

    /// An empty term matches nothing (upstream); otherwise every expression must hold.
    func matches(labels: [String: String], name: String) -> Bool {
        if expressions.isEmpty && fields.isEmpty { return false }
        return expressions.allSatisfy { $0.matches(labels[$0.key]) }
            && fields.allSatisfy { $0.key == "metadata.name" && $0.matches(name) }
    }
}

/// A node taint (`spec.taints[]`).
struct Taint: Hashable, Sendable {
    var key: String
    var value: String
    var effect: String

    init(key: String, value: String = "", effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    init(_ json: JSONValue) {
        self.init(
            key: json["key"]?.stringValue ?? "", value: json["value"]?.stringValue ?? "",
            effect: json["effect"]?.stringValue ?? "")
    }
}

/// A pod toleration (`spec.tolerations[]`).
struct Toleration: Hashable, Sendable {
    var key: String
    var op: String
    var value: String
    var effect: String

    init(_ json: JSONValue) {
        key = json["key"]?.stringValue ?? ""
        op = json["operator"]?.stringValue ?? "Equal"
        value = json["value"]?.stringValue ?? ""
        effect = json["effect"]?.stringValue ?? ""
    }

    /// Upstream's `ToleratesTaint`: an empty effect tolerates every effect; an empty key with `Exists` tolerates
    /// every taint.
    func tolerates(_ taint: Taint) -> Bool {
        if !effect.isEmpty && effect != taint.effect { return false }
        if key.isEmpty { return op == "Exists" }
        guard key == taint.key else { return false }
        return op == "Exists" || value == taint.value
    }
}
