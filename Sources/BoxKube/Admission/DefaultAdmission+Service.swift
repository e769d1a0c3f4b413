import BoxCore

/// Service defaults: type, ports, IP families, node ports; the ClusterIP itself is allocated after validation.
extension DefaultAdmission {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let protocols = ["SCTP", "TCP", "UDP"]
    static let nodePortRange = 30000...32767

    static func defaultService(_ object: inout JSONValue, old: JSONValue?) {
        object.setDefault(["spec", "type"], "ClusterIP")
        object.setDefault(["spec", "sessionAffinity"], "None")
        let type = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        // An update that leaves out the allocated address keeps it (kubectl replace, apply of a manifest).
        if let old, object.isMissing(["spec", "clusterIP"]) || object[path: ["spec", "clusterIP"]] == "" {
            object.set(["spec", "clusterIP"], old[path: ["spec", "clusterIP"]])
            object.set(["spec", "clusterIPs"], old[path: ["spec", "clusterIPs"]])
        }
        if type != "ExternalName" {
            if let ip = object[path: ["spec", "clusterIP"]]?.stringValue, !ip.isEmpty {
                object.setDefault(["spec", "clusterIPs"], [.string(ip)])
            }
            object.setDefault(["spec", "ipFamilies"], ["IPv4"])
            object.setDefault(["spec", "ipFamilyPolicy"], "SingleStack")
            object.setDefault(["spec", "internalTrafficPolicy"], "Cluster")
        }
        if type == "NodePort" || type == "LoadBalancer" {
            object.setDefault(["spec", "externalTrafficPolicy"], "Cluster")
        }
        if type == "LoadBalancer" { object.setDefault(["spec", "allocateLoadBalancerNodePorts"], true) }
        let oldPorts = old?[path: ["spec", "ports"]]?.arrayValue ?? []
        var usedNodePorts = Set(
            (object[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue })
        let namespace = object.namespace
        let name = object.name
        object.updateEach(["spec", "ports"]) { port in
            port.setDefault(["protocol"], "TCP")
            if let number = port["port"] { port.setDefault(["targetPort"], number) }
            guard type == "NodePort" || type == "LoadBalancer", port.isMissing(["nodePort"]) else { return }
            let previous = oldPorts.first { $0["port"] == port["port"] && $0["protocol"] == port["protocol"] }
            if let kept = previous?["nodePort"]?.intValue {
                port.set(["nodePort"], .int(kept))
                usedNodePorts.insert(kept)
                return
            }
            let chosen = nodePort(
                namespace: namespace, name: name, port: port["port"]?.intValue ?? 0, used: usedNodePorts)
            usedNodePorts.insert(chosen)
            port.set(["nodePort"], .int(chosen))
        }
        if old == nil { object.setDefault(["status", "loadBalancer"], .object([:])) }
    }

    /// A node port from a stable hash of the service and port, moved on past ports this service already uses.
    /// Collisions with other services are not tracked (the node ports are informational in clusterbox).
    static func nodePort(namespace: String, name: String, port: Int, used: Set<Int>) -> Int {
        let span = UInt64(nodePortRange.count)
        var candidate = Int(StableHash.fnv1a("\(namespace)/\(name)/\(port)") % span)
        for _ in 0..<nodePortRange.count where used.contains(nodePortRange.lowerBound + candidate) {
            candidate = (candidate + 1) % Int(span)
        }
        return nodePortRange.lowerBound + candidate
    }

    /// Gives a Service that needs one (not headless, not ExternalName, no address yet) its ClusterIP.
    func allocateClusterIP(_ object: inout JSONValue, old: JSONValue?) throws(KubeError) {
        guard object[path: ["spec", "type"]]?.stringValue != "ExternalName" else { return }
        let current = object[path: ["spec", "clusterIP"]]?.stringValue ?? ""
        if current == "None" {
            object.setDefault(["spec", "clusterIPs"], ["None"])
            return
        }
        guard current.isEmpty else { return }
        guard let ip = serviceIPs(object.namespace, object.name) else {
            throw .internalError("failed to allocate a serviceIP: range is full")
        }
        object.set(["spec", "clusterIP"], .string(ip))
        object.set(["spec", "clusterIPs"], [.string(ip)])
    }
}
