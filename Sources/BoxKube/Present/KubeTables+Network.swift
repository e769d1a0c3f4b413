import BoxCore

/// Services, Endpoints and EndpointSlices.
extension KubeTables {
    static let servicePrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "Type", type: "string",
                description:
                    "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
                    + "ExternalName, ClusterIP, NodePort, and LoadBalancer."),
            TableColumn(
                name: "Cluster-IP", type: "string",
                description: "clusterIP is the IP address of the service and is usually assigned randomly."),
            TableColumn(
                name: "External-IP", type: "string",
                description:
                    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic "
                    + "for this service."),
            TableColumn(
                name: "Port(s)", type: "string", description: "The list of ports that are exposed by this service."),
            .age,
            TableColumn(
                name: "Selector", type: "string",
                description:
                    "Route service traffic to pods with label keys and values matching this selector.",
                priority: 1),
        ]
    ) { service, now in
        let type = service[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        let clusterIP =
            service[path: ["spec", "clusterIPs"]]?.arrayValue?.first?.stringValue
            ?? service[path: ["spec", "clusterIP"]]?.stringValue ?? "<none>"
        let ports = servicePorts(service)
        return [
            .string(service.name), .string(type), .string(clusterIP.isEmpty ? "<none>" : clusterIP),
            .string(externalIP(service, type: type)), .string(ports.isEmpty ? "<none>" : ports),
            age(service, now: now), .string(formatLabels(service[path: ["spec", "selector"]])),
        ]
    }

    /// `80/TCP`, `80:31234/TCP` with a node port, joined by commas.
    static func servicePorts(_ service: JSONValue) -> String {
        (service[path: ["spec", "ports"]]?.arrayValue ?? []).map { port in
            let number = port["port"]?.intValue ?? 0
            let proto = port["protocol"]?.stringValue ?? "TCP"
            if let nodePort = port["nodePort"]?.intValue, nodePort > 0 { return "\(number):\(nodePort)/\(proto)" }
            return "\(number)/\(proto)"
        }.joined(separator: ",")
    }

    /// External IPs; a LoadBalancer without ingress yet is `<pending>`, ExternalName shows the name.
    static func externalIP(_ service: JSONValue, type: String) -> String {
        let externalIPs = (service[path: ["spec", "externalIPs"]]?.arrayValue ?? []).compactMap(\.stringValue)
        switch type {
        case "ClusterIP", "NodePort": return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let ingress = service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
            let addresses = Set(
                ingress.compactMap { entry -> String? in
                    if let ip = entry["ip"]?.stringValue, !ip.isEmpty { return ip }
                    if let host = entry["hostname"]?.stringValue, !host.isEmpty { return host }
                    return nil
                }
            ).sorted()
            let all = addresses + externalIPs
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName": return string(service, ["spec", "externalName"])
        default: return "<unknown>"
        }
    }

    static let endpointsPrinter = Printer(
        columns: [
            .name,
            TableColumn(name: "Endpoints", type: "string", description: "Endpoints of this service."),
            .age,
        ]
    ) { endpoints, now in
        [.string(endpoints.name), .string(formatEndpoints(endpoints)), age(endpoints, now: now)]
    }

    /// `ip:port` per address and port, the first three, then `+ N more...`; `<none>` without subsets.
    static func formatEndpoints(_ endpoints: JSONValue) -> String {
        let subsets = endpoints["subsets"]?.arrayValue ?? []
        if subsets.isEmpty { return "<none>" }
        let limit = 3
        var list: [String] = []
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = (subset["addresses"]?.arrayValue ?? []).map { $0["ip"]?.stringValue ?? "" }
            let ports = subset["ports"]?.arrayValue ?? []
            // A headless service may have no ports: addresses alone.
            let portNumbers: [Int?] = ports.isEmpty ? [nil] : ports.map { $0["port"]?.intValue ?? 0 }
            for port in portNumbers {
                count += addresses.count
                for address in addresses {
                    if list.count == limit {
                        more = true
                        break
                    }
                    guard let port else {
                        list.append(address)
                        continue
                    }
                    list.append(address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)")
                }
            }
        }
        let text = list.joined(separator: ",")
        return more ? "\(text) + \(count - limit) more..." : text
    }

    static let endpointSlicePrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "AddressType", type: "string",
                description:
                    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this "
                    + "slice must be the same type."),
            TableColumn(
                name: "Ports", type: "string",
                description: "ports specifies the list of network ports exposed by each endpoint in this slice."),
            TableColumn(
                name: "Endpoints", type: "string", description: "endpoints is a list of unique endpoints in this slice."
            ),
            .age,
        ]
    ) { slice, now in
        let ports = (slice["ports"]?.arrayValue ?? []).map { port -> String in
            if let number = port["port"]?.intValue { return String(number) }
            if let name = port["name"]?.stringValue { return name }
            return "*"
        }
        let addresses = (slice["endpoints"]?.arrayValue ?? []).flatMap {
            ($0["addresses"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        return [
            .string(slice.name), .string(string(slice, ["addressType"])), .string(listWithMore(ports)),
            .string(listWithMore(addresses)), age(slice, now: now),
        ]
    }

    /// The first three entries, then `+ N more...`; `<unset>` when empty.
    static func listWithMore(_ list: [String]) -> String {
        let limit = 3
        if list.count > limit {
            return list.prefix(limit).joined(separator: ",") + " + \(list.count - limit) more..."
        }
        return list.isEmpty ? "<unset>" : list.joined(separator: ",")
    }
}
