import BoxDiscovery

extension MetricsText {
    /// DNS queries and replies, and the load balancer's counters per virtual service and backend.
    static func discovery(dns: DNSServerStatistics, services: [ServiceStatistics]) -> String {
        var lines: [String] = []
        func header(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        header("clusterbox_dns_queries_total", "counter", "DNS queries by transport.")
        lines.append("clusterbox_dns_queries_total{transport=\"udp\"} \(dns.udpQueries)")
        lines.append("clusterbox_dns_queries_total{transport=\"tcp\"} \(dns.tcpQueries)")
        header("clusterbox_dns_replies_total", "counter", "DNS replies by response code.")
        for (rcode, count) in dns.replies.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            lines.append("clusterbox_dns_replies_total{rcode=\"\(rcode)\"} \(count)")
        }
        header("clusterbox_dns_forwarded_total", "counter", "Queries for names outside the cluster sent upstream.")
        lines.append("clusterbox_dns_forwarded_total \(dns.forwarded)")
        header(
            "clusterbox_dns_truncated_total", "counter", "UDP replies cut short with TC (the client retries on TCP).")
        lines.append("clusterbox_dns_truncated_total \(dns.truncated)")

        let backends = services.flatMap { service in service.backends.map { (service, $0) } }
        func perBackend(_ name: String, _ type: String, _ help: String, _ value: (BackendStatistics) -> Int) {
            header(name, type, help)
            for (service, backend) in backends {
                let labels =
                    "service=\"\(service.name)\",vip=\"\(service.endpoint)\",backend=\"\(backend.backend.host):\(backend.backend.port)\",task=\"\(backend.backend.id.value)\""
                lines.append("\(name){\(labels)} \(value(backend))")
            }
        }
        perBackend("clusterbox_lb_connections_total", "counter", "Connections proxied to a backend.") {
            $0.connectionsTotal
        }
        perBackend("clusterbox_lb_connections_active", "gauge", "Open proxied connections.") { $0.connectionsActive }
        perBackend("clusterbox_lb_bytes_in_total", "counter", "Bytes from clients to the backend.") { $0.bytesIn }
        perBackend("clusterbox_lb_bytes_out_total", "counter", "Bytes from the backend to clients.") { $0.bytesOut }
        perBackend("clusterbox_lb_connect_errors_total", "counter", "Connections the backend refused or timed out.") {
            $0.connectErrors
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
