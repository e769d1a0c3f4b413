import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox services [--json]`: what service discovery knows — virtual services with their backends and
/// load-balancer counters, and every running task's DNS name.
struct Services: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Service discovery: DNS names, virtual IPs, backends and load-balancer counters.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Print the JSON of /discovery/v1/services.")
    var json = false

    func run() throws {
        let (_, client) = try cluster.connect()
        if json {
            return try Terminal.printJSON(body: client.body("/discovery/v1/services"))
        }
        let view = try client.json(DiscoveryView.self, "/discovery/v1/services")
        let port = view.dns.port == 53 ? "" : " -p \(view.dns.port)"
        print("DNS \(view.dns.address) port \(view.dns.port) (try: dig @\(view.dns.address)\(port) leader.mesos)")
        print("Virtual IPs \(view.virtual_ip_range)")
        print("")
        if view.services.isEmpty {
            print(
                "No virtual services. A Marathon app gets one with a port label VIP_0: /NAME:PORT, a Kubernetes"
                    + " Service one per port.")
        } else {
            printTable(
                ["SERVICE", "VIP", "DNS", "BACKENDS", "CONNECTIONS", "ACTIVE"],
                view.services.map { service in
                    let current = service.backends.filter(\.current).count
                    return [
                        service.name, "\(service.vip):\(service.port)", service.dns, "\(current)",
                        "\(service.connections_total)", "\(service.connections_active)",
                    ]
                })
            print("")
            printTable(
                ["SERVICE", "BACKEND", "TASK", "CONNECTIONS", "BYTES IN", "BYTES OUT", "ERRORS"],
                view.services.flatMap { service in
                    service.backends.map { backend in
                        [
                            service.name, "\(backend.address):\(backend.port)\(backend.current ? "" : " (draining)")",
                            backend.task_id, "\(backend.connections_total)", "\(backend.bytes_in)",
                            "\(backend.bytes_out)", "\(backend.connect_errors)",
                        ]
                    }
                })
        }
        for error in view.listener_errors { print("not served: \(error)") }
        print("")
        if view.tasks.isEmpty {
            print("No running tasks on agents with an address.")
            return
        }
        printTable(
            ["TASK", "DNS", "ADDRESS", "PORTS", "READY"],
            view.tasks.map { task in
                let ports = task.ports.map { port in
                    "\(port.number)\(port.name.map { "(\($0))" } ?? "")/\(port.protocol)"
                }
                return [
                    task.task_id, task.dns ?? "-", task.address, ports.isEmpty ? "-" : ports.joined(separator: ","),
                    task.ready ? "yes" : "no",
                ]
            })
    }
}
