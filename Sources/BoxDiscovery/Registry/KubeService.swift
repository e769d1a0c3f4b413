/// A Kubernetes Service's identity: namespace and name (one Endpoints object shares it).
public struct KubeServiceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name) }

    /// `namespace/name`, as kubectl prints it.
    public var description: String { "\(namespace)/\(name)" }
}

/// `spec.type` of a Service.
public enum KubeServiceType: String, Hashable, Sendable {
    case clusterIP = "ClusterIP"
    case nodePort = "NodePort"
    case loadBalancer = "LoadBalancer"
    case externalName = "ExternalName"

    /// NodePort and LoadBalancer Services also listen on every node's address at their node ports.
    public var hasNodePorts: Bool { self == .nodePort || self == .loadBalancer }
}

/// A Kubernetes Service as discovery sees it: the fields of its spec that DNS names, virtual IPs and node ports
/// follow. Whoever feeds the registry reads them from the API object (`spec.type`, `spec.clusterIP`, `spec.ports`).
public struct KubeService: Hashable, Sendable {
    public var key: KubeServiceKey
    public var type: KubeServiceType
    /// `spec.clusterIP`; nil for a headless Service (`"None"`) and for ExternalName.
    public var clusterIP: IPv4Octets?
    public var ports: [KubeServicePort]
    /// `spec.externalName` of an ExternalName Service: its DNS name is a CNAME to it.
    public var externalName: String?

    public init(
        key: KubeServiceKey, type: KubeServiceType = .clusterIP, clusterIP: IPv4Octets?, ports: [KubeServicePort],
        externalName: String? = nil
    ) {
        self.key = key
        self.type = type
        self.clusterIP = clusterIP
        self.ports = ports
        self.externalName = externalName
    }

    /// No cluster IP: DNS answers with the ready endpoints' addresses, and no listener serves it.
    public var isHeadless: Bool { clusterIP == nil && type != .externalName }
}

/// One entry of `spec.ports`.
public struct KubeServicePort: Hashable, Sendable {
    /// Required by Kubernetes when a Service has several ports; SRV names and `_SERVICE_PORT_NAME` use it.
    public var name: String?
    public var port: UInt16
    /// "TCP", "UDP" or "SCTP"; only TCP ports get load-balancer listeners.
    public var `protocol`: String
    /// Set for NodePort and LoadBalancer Services.
    public var nodePort: UInt16?

    public init(name: String? = nil, port: UInt16, protocol: String = "TCP", nodePort: UInt16? = nil) {
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.port = port
        self.protocol = `protocol`
        self.nodePort = nodePort
    }
}

/// The Endpoints object of a Service, ready addresses only (`notReadyAddresses` get neither traffic nor DNS).
public struct KubeEndpoints: Hashable, Sendable {
    public var key: KubeServiceKey
    public var subsets: [KubeEndpointSubset]

    public init(key: KubeServiceKey, subsets: [KubeEndpointSubset]) {
        self.key = key
        self.subsets = subsets
    }

    /// Every (address, port) whose port has `portName` (nil and "" match each other, as Kubernetes pairs an
    /// unnamed Service port with an unnamed endpoint port), sorted by address, port and pod.
    public func backends(portName: String?) -> [(address: KubeEndpointAddress, port: KubeEndpointPort)] {
        var found: [(address: KubeEndpointAddress, port: KubeEndpointPort)] = []
        for subset in subsets {
            guard let port = subset.ports.first(where: { $0.name == portName }) else { continue }
            for address in subset.addresses { found.append((address, port)) }
        }
        return found.sorted {
            ($0.address.ip.numeric, $0.port.port, $0.address.hostLabel) < (
                $1.address.ip.numeric, $1.port.port, $1.address.hostLabel
            )
        }
    }

    /// Every ready address once per host label, sorted.
    public var addresses: [KubeEndpointAddress] {
        var seen: Set<String> = []
        return subsets.flatMap(\.addresses).sorted { ($0.ip.numeric, $0.hostLabel) < ($1.ip.numeric, $1.hostLabel) }
            .filter { seen.insert("\($0.ip)/\($0.hostLabel)").inserted }
    }
}

/// `subsets[i]`: addresses that all serve the same ports.
public struct KubeEndpointSubset: Hashable, Sendable {
    public var addresses: [KubeEndpointAddress]
    public var ports: [KubeEndpointPort]

    public init(addresses: [KubeEndpointAddress], ports: [KubeEndpointPort]) {
        self.addresses = addresses
        self.ports = ports
    }
}

/// `subsets[i].addresses[j]`.
public struct KubeEndpointAddress: Hashable, Sendable {
    public var ip: IPv4Octets
    /// `hostname`, if the pod set one.
    public var hostname: String?
    /// `targetRef.name`: the pod.
    public var podName: String?
    public var nodeName: String?

    public init(ip: IPv4Octets, hostname: String? = nil, podName: String? = nil, nodeName: String? = nil) {
        self.ip = ip
        self.hostname = hostname
        self.podName = podName
        self.nodeName = nodeName
    }

    /// The first label of the address's own name under a headless Service: the hostname, else the pod's name,
    /// else the address with dashes (`127-0-0-1`), as CoreDNS does.
    public var hostLabel: String {
        ServiceRegistry.label(hostname ?? podName ?? "\(ip)".replacingDots())
    }
}

/// `subsets[i].ports[j]`: the real host port in clusterbox (pods share the host's network).
public struct KubeEndpointPort: Hashable, Sendable {
    public var name: String?
    public var port: UInt16
    public var `protocol`: String

    public init(name: String? = nil, port: UInt16, protocol: String = "TCP") {
        self.name = name.flatMap { $0.isEmpty ? nil : $0 }
        self.port = port
        self.protocol = `protocol`
    }
}

extension String {
    fileprivate func replacingDots() -> String { String(map { $0 == "." ? "-" : $0 }) }
}
