import BoxCore

/// Kubernetes Services as virtual services (kube-proxy's part) and as environment variables (the kubelet's part).
extension ServiceRegistry {
    /// The `framework` of virtual services that come from Kubernetes Services.
    public static let kubeFramework = "kubernetes"

    /// The listeners of Kubernetes Services, in (namespace, name, port) order: `clusterIP:port` for each TCP port of
    /// a Service with a cluster IP, and `nodePortAddress:nodePort` as well for NodePort and LoadBalancer Services.
    /// The backends are the ready endpoint addresses with the endpoint port of the same name. Headless and
    /// ExternalName Services have no listener; UDP and SCTP ports neither (the load balancer is TCP only).
    func kubeVirtualServices() -> [VirtualServiceEntry] {
        var entries: [VirtualServiceEntry] = []
        for service in sortedKubeServices where service.type != .externalName {
            guard let dnsName = kubeServiceName(service.key) else { continue }
            let endpoints = kubeEndpoints[service.key]
            for port in service.ports where port.protocol.uppercased() == "TCP" {
                let backends = (endpoints?.backends(portName: port.name) ?? []).map { address, endpointPort in
                    VirtualServiceBackend(
                        task: TaskKey(
                            frameworkID: Self.kubeFramework,
                            taskID: address.podName ?? "\(address.ip):\(endpointPort.port)"),
                        address: address.ip, port: endpointPort.port)
                }
                func entry(_ address: IPv4Octets, _ number: UInt16) -> VirtualServiceEntry {
                    VirtualServiceEntry(
                        name: "\(service.key)", framework: Self.kubeFramework, address: address, port: number,
                        protocol: "tcp", portName: port.name, backends: backends, dnsName: dnsName,
                        namespace: service.key.namespace)
                }
                if let clusterIP = service.clusterIP { entries.append(entry(clusterIP, port.port)) }
                if service.type.hasNodePorts, let nodePort = port.nodePort, nodePort > 0 {
                    entries.append(entry(configuration.nodePortAddress, nodePort))
                }
            }
        }
        return entries
    }

    /// Claims in the VIP pool the cluster IPs of Kubernetes Services that lie in the VIP range, under the name
    /// `namespace/name` (Marathon VIP names start with "/", so the two never meet). A Marathon VIP that already holds
    /// the address keeps it. Returns the names claimed, which the pool must keep.
    mutating func claimKubeClusterIPs() -> Set<String> {
        var claimed: Set<String> = []
        for service in sortedKubeServices {
            guard let clusterIP = service.clusterIP, pool.contains(clusterIP) else { continue }
            if pool.claim(clusterIP, for: "\(service.key)") { claimed.insert("\(service.key)") }
        }
        return claimed
    }

    /// The variables a pod of `namespace` gets for the Services of its namespace that have a cluster IP, as the
    /// kubelet sets them: `WEB_API_SERVICE_HOST=127.97.0.7`, `WEB_API_SERVICE_PORT=80` (the first port),
    /// `WEB_API_SERVICE_PORT_HTTP=80` per named port (name uppercased, `-` → `_`).
    public func kubeEnvironment(namespace: String) -> [String: String] {
        var environment: [String: String] = [:]
        for service in sortedKubeServices where service.key.namespace == namespace {
            guard let clusterIP = service.clusterIP, let first = service.ports.first else { continue }
            let prefix = Self.environmentName(service.key.name)
            environment[prefix + "_SERVICE_HOST"] = "\(clusterIP)"
            environment[prefix + "_SERVICE_PORT"] = "\(first.port)"
            for port in service.ports {
                guard let name = port.name else { continue }
                environment[prefix + "_SERVICE_PORT_" + Self.environmentName(name)] = "\(port.port)"
            }
        }
        return environment
    }

    /// Every namespace's `kubeEnvironment`, for the discovery service to publish at once.
    public func kubeEnvironments() -> [String: [String: String]] {
        var byNamespace: [String: [String: String]] = [:]
        for namespace in Set(kubeServices.keys.map(\.namespace)) {
            byNamespace[namespace] = kubeEnvironment(namespace: namespace)
        }
        return byNamespace
    }

    /// `web-api` → `WEB_API`: uppercase, and anything but letters and digits becomes `_`.
    static func environmentName(_ name: String) -> String {
        String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}
