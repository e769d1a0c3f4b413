import BoxCore

/// The `cluster.local.` zone, as the Kubernetes DNS specification lays it out
/// (github.com/kubernetes/dns/blob/master/docs/specification.md):
/// - ClusterIP Service: `SVC.NS.svc.cluster.local` A → the cluster IP, and per named port
///   `_PORT._PROTO.SVC.NS.svc.cluster.local` SRV (0 100 port `SVC.NS.svc.cluster.local`);
/// - headless Service: `SVC.NS.svc.cluster.local` A → each ready endpoint address, `HOST.SVC.NS.svc.cluster.local`
///   A → the address of that endpoint (HOST: its hostname, else the pod's name), and per named port one SRV per
///   endpoint with the endpoint's port and `HOST.SVC…` as target;
/// - ExternalName Service: `SVC.NS.svc.cluster.local` CNAME → `spec.externalName`;
/// - PTR: each cluster IP → `SVC.NS.svc.cluster.local.` (in `reverseZones`).
extension ServiceRegistry {
    func clusterZone() -> DNSZone {
        var records: [DNSRecord] = []
        for service in sortedKubeServices {
            guard let name = kubeServiceName(service.key) else { continue }
            if service.type == .externalName {
                if let target = service.externalName.flatMap(DNSName.init), !target.isRoot {
                    records.append(record(name, .cname(target)))
                }
            } else if let clusterIP = service.clusterIP {
                records.append(record(name, .a(clusterIP)))
                for port in service.ports {
                    guard let srvName = kubeSRVName(port.name, port.protocol, under: name) else { continue }
                    records.append(record(srvName, .srv(priority: 0, weight: 100, port: port.port, target: name)))
                }
            } else {
                records += headlessRecords(service, name: name)
            }
        }
        return zone(configuration.clusterDomain, records)
    }

    /// A and SRV records of a headless Service from its ready endpoints; none while it has none.
    func headlessRecords(_ service: KubeService, name: DNSName) -> [DNSRecord] {
        guard let endpoints = kubeEndpoints[service.key] else { return [] }
        var records: [DNSRecord] = []
        for address in endpoints.addresses {
            records.append(record(name, .a(address.ip)))
            if let own = name.prepending(address.hostLabel) { records.append(record(own, .a(address.ip))) }
        }
        for port in service.ports {
            guard let srvName = kubeSRVName(port.name, port.protocol, under: name) else { continue }
            let backends = endpoints.backends(portName: port.name)
            // Equal shares, as CoreDNS gives them: 100 split over the endpoints.
            let weight = UInt16(max(1, 100 / max(1, backends.count)))
            for (address, endpointPort) in backends {
                guard let target = name.prepending(address.hostLabel) else { continue }
                records.append(
                    record(srvName, .srv(priority: 0, weight: weight, port: endpointPort.port, target: target)))
            }
        }
        return records
    }

    /// `SVC.NS.svc.<clusterDomain>`; nil when it would be too long.
    public func kubeServiceName(_ key: KubeServiceKey) -> DNSName? {
        configuration.clusterDomain.prepending("svc")?.prepending(Self.label(key.namespace))?
            .prepending(Self.label(key.name))
    }

    /// `_PORT._PROTO.<service name>`: only named ports have SRV records.
    func kubeSRVName(_ portName: String?, _ protocol: String, under name: DNSName) -> DNSName? {
        guard let portName else { return nil }
        return name.prepending("_" + Self.label(`protocol`))?.prepending("_" + Self.label(portName))
    }

    /// PTR records of the cluster IPs: each → its Service's name.
    func kubePTRRecords() -> [DNSRecord] {
        sortedKubeServices.compactMap { service in
            guard let clusterIP = service.clusterIP, let name = kubeServiceName(service.key) else { return nil }
            return record(Self.reverseName(clusterIP), .ptr(name))
        }
    }

    /// The pool of `serviceIPRange`, for its reverse zone; nil when the range is not one the pool accepts.
    var serviceIPPool: VirtualIPPool? { VirtualIPPool(cidr: configuration.serviceIPRange) }
}
