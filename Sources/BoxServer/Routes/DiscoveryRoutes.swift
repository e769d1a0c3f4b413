import BoxDiscovery
import Hummingbird

/// `/discovery/v1/services`: the registry, the virtual services with their load-balancer counters, and where the
/// DNS server listens.
struct DiscoveryRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        router.get("/discovery/v1/services") { _, _ in
            JSON.response(await DiscoveryView.current(cluster))
        }
    }
}

/// The JSON of `/discovery/v1/services` (snake_case, as the rest of clusterbox's own API).
public struct DiscoveryView: Codable, Sendable {
    public struct DNS: Codable, Sendable {
        public var address: String
        public var port: Int
        public var zones: [String]
        public var forwarders: [String]
        public var queries: Int
        public var replies: [String: Int]
    }
    public struct Service: Codable, Sendable {
        /// `/web` for a Marathon VIP, `namespace/name` for a Kubernetes Service.
        public var name: String
        /// `kubernetes` for a Kubernetes Service.
        public var framework: String
        /// A Kubernetes Service's namespace; absent for Marathon VIPs.
        public var namespace: String?
        public var dns: String
        public var vip: String
        public var port: Int
        public var `protocol`: String
        public var listening: Bool
        public var connections_total: Int
        public var connections_active: Int
        public var backends: [Backend]
    }
    public struct Backend: Codable, Sendable {
        public var task_id: String
        public var address: String
        public var port: Int
        /// False for a backend that left the service and still drains open connections.
        public var current: Bool
        public var connections_total: Int
        public var connections_active: Int
        public var bytes_in: Int
        public var bytes_out: Int
        public var connect_errors: Int
    }
    public struct Port: Codable, Sendable {
        public var number: Int
        public var name: String?
        public var `protocol`: String
        public var srv: [String]
    }
    public struct Task: Codable, Sendable {
        public var task_id: String
        public var framework: String
        public var name: String
        public var dns: String?
        public var agent: String
        public var address: String
        public var ready: Bool
        public var ports: [Port]
    }

    public var dns: DNS
    public var virtual_ip_range: String
    public var services: [Service]
    public var tasks: [Task]
    public var listener_errors: [String]

    static func current(_ cluster: Cluster) async -> DiscoveryView {
        let discovery = cluster.discovery
        let statistics = await discovery.dnsStatistics
        let answerer = discovery.zones.current
        let counters = Dictionary(
            discovery.balancer.statistics().map { ("\($0.endpoint)", $0) }, uniquingKeysWith: { first, _ in first })
        let services = await discovery.virtualServices.map { entry in
            let counted = counters["\(VirtualService(entry).endpoint)"]
            return Service(
                name: entry.name, framework: entry.framework, namespace: entry.namespace, dns: "\(entry.dnsName)",
                vip: "\(entry.address)",
                port: Int(entry.port), protocol: entry.protocol, listening: counted?.isListening ?? false,
                connections_total: counted?.connectionsTotal ?? 0, connections_active: counted?.connectionsActive ?? 0,
                backends: (counted?.backends ?? []).map {
                    Backend(
                        task_id: $0.backend.id.value, address: $0.backend.host, port: $0.backend.port,
                        current: $0.isCurrent, connections_total: $0.connectionsTotal,
                        connections_active: $0.connectionsActive, bytes_in: $0.bytesIn, bytes_out: $0.bytesOut,
                        connect_errors: $0.connectErrors)
                })
        }
        let tasks = await discovery.tasks().map { task, ready, name, srv in
            Task(
                task_id: task.key.taskID, framework: task.framework, name: task.name, dns: name.map { "\($0)" },
                agent: task.agent, address: "\(task.address)", ready: ready,
                ports: task.ports.map { port in
                    Port(
                        number: Int(port.number), name: port.name, protocol: port.protocol,
                        srv: (srv[port.number] ?? []).map { "\($0)" })
                })
        }
        return DiscoveryView(
            dns: DNS(
                address: discovery.configuration.dns.host, port: discovery.dnsPort,
                zones: answerer.zones.map { "\($0.apex)" }, forwarders: discovery.configuration.dns.forwarders,
                queries: statistics.udpQueries + statistics.tcpQueries,
                replies: Dictionary(
                    statistics.replies.map { ("\($0.key)", $0.value) }, uniquingKeysWith: { first, _ in first })),
            virtual_ip_range: discovery.configuration.registry.virtualIPRange, services: services, tasks: tasks,
            listener_errors: await discovery.listenerFailures)
    }
}
