import BoxCore

/// A service that asked for a virtual IP (Marathon's `VIP_0: /web:80`), with the ready tasks behind it.
public struct VirtualServiceEntry: Hashable, Sendable {
    /// As the label gave it: `/web`.
    public var name: String
    public var framework: String
    public var address: IPv4Octets
    public var port: UInt16
    public var `protocol`: String
    /// The port's name in the tasks' discovery info, if any.
    public var portName: String?
    public var backends: [VirtualServiceBackend]
    /// `web.marathon.l4lb.thisdcos.directory.`; `web.default.svc.cluster.local.` for a Kubernetes Service.
    public var dnsName: DNSName
    /// The namespace of a Kubernetes Service (then `name` is `namespace/name` and `framework` is `kubernetes`);
    /// nil for a Marathon VIP.
    public var namespace: String? = nil
}

public struct VirtualServiceBackend: Hashable, Sendable {
    public var task: TaskKey
    public var address: IPv4Octets
    public var port: UInt16
}

extension ServiceRegistry {
    /// Every virtual service some running task asks for, with its ready tasks as backends, and every listener of
    /// a Kubernetes Service (`kubeVirtualServices`), sorted by address and port. Assigns VIPs to new names and frees
    /// those of names no task asks for any more; Kubernetes cluster IPs inside the VIP range are claimed first, so
    /// no Marathon name gets one.
    public mutating func virtualServices() -> [VirtualServiceEntry] {
        let kubeClaims = claimKubeClusterIPs()
        var entries: [String: VirtualServiceEntry] = [:]  // by "name:port"
        for task in sortedTasks {
            let ready = isReady(task)
            for (index, port) in task.ports.enumerated() {
                guard let vip = Self.vipLabel(of: port, index: index, taskLabels: task.labels) else { continue }
                guard let address = pool.address(for: vip.name),
                    let dnsName = DNSName(
                        labels: [Array(vip.dnsLabel.utf8), Array(Self.label(task.framework).utf8)]
                            + configuration.vipDomain.labels)
                else { continue }
                let key = "\(vip.name):\(vip.port)"
                var entry =
                    entries[key]
                    ?? VirtualServiceEntry(
                        name: vip.name, framework: task.framework, address: address, port: vip.port,
                        protocol: port.protocol, portName: port.name, backends: [], dnsName: dnsName)
                if ready {
                    entry.backends.append(
                        VirtualServiceBackend(task: task.key, address: task.address, port: port.number))
                }
                entries[key] = entry
            }
        }
        pool.keep(only: Set(entries.values.map(\.name)).union(kubeClaims))
        return (Array(entries.values) + kubeVirtualServices()).sorted {
            ($0.address.numeric, $0.port, $0.name) < ($1.address.numeric, $1.port, $1.name)
        }
    }

    /// Kubernetes-style variables for the Marathon virtual services that exist when a task starts:
    /// `WEB_SERVICE_HOST=127.96.0.7`, `WEB_SERVICE_PORT=80` (its lowest port), `WEB_SERVICE_PORT_HTTP=80` per
    /// named port.
    public static func environment(for services: [VirtualServiceEntry]) -> [String: String] {
        var environment: [String: String] = [:]
        for service in services.sorted(by: { ($0.name, $0.port) < ($1.name, $1.port) }) where service.namespace == nil {
            let prefix = String(
                service.name.drop { $0 == "/" }.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            if environment[prefix + "_SERVICE_HOST"] == nil {
                environment[prefix + "_SERVICE_HOST"] = "\(service.address)"
                environment[prefix + "_SERVICE_PORT"] = "\(service.port)"
            }
            if let portName = service.portName {
                let suffix = String(portName.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
                environment[prefix + "_SERVICE_PORT_" + suffix] = "\(service.port)"
            }
        }
        return environment
    }

    /// A `VIP_n` label: on the port itself (DC/OS puts it in `portDefinitions[n].labels`), or among the task's
    /// labels with n the port's index. `/web:80` and `web:80` name a VIP; other forms (an IP VIP) are not served.
    static func vipLabel(of port: DiscoveryPort, index: Int, taskLabels: Labels)
        -> (name: String, dnsLabel: String, port: UInt16)?
    {
        let value =
            port.labels.keys.sorted().first { $0.hasPrefix("VIP_") }.flatMap { port.labels[$0] }
            ?? taskLabels["VIP_\(index)"]
        guard let value, let colon = value.lastIndex(of: ":"), let number = UInt16(value[value.index(after: colon)...]),
            number > 0
        else { return nil }
        let name = String(value[..<colon])
        let bare = name.filter { $0 != "/" }
        guard !bare.isEmpty, IPv4Octets(bare) == nil else { return nil }
        let slashed = name.hasPrefix("/") ? name : "/" + name
        return (slashed, label(bare), number)
    }
}
