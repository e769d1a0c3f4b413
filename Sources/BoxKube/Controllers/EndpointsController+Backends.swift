import BoxCore

/// One pod behind a Service, with the ports it serves the Service's ports on: what the Endpoints and EndpointSlice
/// controllers both publish.
///
/// Ports: a numeric `targetPort` is the container port itself; a named one is looked up in the pod's containers'
/// `ports[].name`; no `targetPort` means the Service `port`. clusterbox pods share the host's network and each
/// container port is given a host port; the kubelet records them in the pod's annotation `clusterbox.io/host-ports`
/// (a JSON object `{"<containerPort>": hostPort}`), and the published port is the host port when that annotation
/// maps the container port, else the container port.
struct ServiceBackend: Equatable {
    struct Port: Equatable {
        /// The Service port's name, "" when it has none.
        var name: String
        var port: Int
        var proto: String
    }

    var pod: JSONValue
    var ip: String
    var nodeName: String?
    var ready: Bool
    var terminating: Bool
    var ports: [Port]

    static let hostPortsAnnotation = "clusterbox.io/host-ports"

    /// The backends of `service` among `pods` (the pods of its namespace): pods matching its selector, with an IP,
    /// not Succeeded or Failed, sorted by name. Nil for a Service without a selector (its endpoints are managed by
    /// hand). With `publishNotReadyAddresses` every backend counts as ready.
    static func of(_ service: JSONValue, pods: [JSONValue]) -> [ServiceBackend]? {
        guard let selector = service[path: ["spec", "selector"]]?.stringMap, !selector.isEmpty else { return nil }
        let match = LabelSelector(matchLabels: selector)
        let publishNotReady = service[path: ["spec", "publishNotReadyAddresses"]]?.boolValue ?? false
        let servicePorts = service[path: ["spec", "ports"]]?.arrayValue ?? []
        return pods.sorted { $0.name < $1.name }.compactMap { pod -> ServiceBackend? in
            guard match.matches(pod.labels), pod.namespace == service.namespace,
                let ip = pod[path: ["status", "podIP"]]?.stringValue, !ip.isEmpty,
                !["Succeeded", "Failed"].contains(pod[path: ["status", "phase"]]?.stringValue ?? "")
            else { return nil }
            let ports = servicePorts.compactMap { resolve($0, in: pod) }
            // A pod that serves none of several declared ports is not a backend (named ports it lacks).
            if !servicePorts.isEmpty && ports.isEmpty { return nil }
            return ServiceBackend(
                pod: pod, ip: ip, nodeName: pod[path: ["spec", "nodeName"]]?.stringValue,
                ready: publishNotReady || PodReadiness.isReady(pod), terminating: pod.deletionTimestamp != nil,
                ports: ports)
        }
    }

    /// The port `servicePort` reaches on `pod`, nil when a named target port is not declared by the pod.
    static func resolve(_ servicePort: JSONValue, in pod: JSONValue) -> Port? {
        let proto = servicePort["protocol"]?.stringValue ?? "TCP"
        var containerPort: Int?
        switch servicePort["targetPort"] {
        case .string(let name)?:
            if let number = Int(name) {
                containerPort = number
            } else {
                let declared = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).flatMap {
                    $0["ports"]?.arrayValue ?? []
                }
                containerPort =
                    declared.first {
                        $0["name"]?.stringValue == name && ($0["protocol"]?.stringValue ?? "TCP") == proto
                    }?["containerPort"]?.intValue
            }
        case let value?:
            containerPort = value.intValue
        case nil:
            containerPort = servicePort["port"]?.intValue
        }
        guard let containerPort else { return nil }
        return Port(
            name: servicePort["name"]?.stringValue ?? "", port: hostPort(for: containerPort, of: pod), proto: proto)
    }

    /// The host port the kubelet gave `containerPort`, or `containerPort` when the pod does not say.
    static func hostPort(for containerPort: Int, of pod: JSONValue) -> Int {
        guard let text = pod.annotations[hostPortsAnnotation],
            let map = try? JSONParser.parse(Array(text.utf8)), let port = map[String(containerPort)]?.intValue,
            (1...65535).contains(port)
        else { return containerPort }
        return port
    }

    /// `targetRef`: the pod.
    var targetRef: JSONValue {
        [
            "kind": "Pod", "namespace": .string(pod.namespace), "name": .string(pod.name),
            "uid": .string(pod.uid),
        ]
    }
}

extension [ServiceBackend] {
    /// The backends grouped by identical port lists, in order of first appearance: Endpoints subsets and
    /// EndpointSlices each carry one port list.
    var groupedByPorts: [(ports: [ServiceBackend.Port], backends: [ServiceBackend])] {
        var groups: [(ports: [ServiceBackend.Port], backends: [ServiceBackend])] = []
        for backend in self {
            if let index = groups.firstIndex(where: { $0.ports == backend.ports }) {
                groups[index].backends.append(backend)
            } else {
                groups.append((backend.ports, [backend]))
            }
        }
        return groups
    }
}
