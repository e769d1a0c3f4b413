import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox status [--json]`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Is the cluster running, and what does it hold?")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    struct Report: Encodable {
        struct Count: Encodable {
            var active: Int
            var unreachable: Int
        }
        struct Totals: Encodable {
            var cpus: Double
            var mem: Double
            var used_cpus: Double
            var used_mem: Double
        }

        var running: Bool
        var data_dir: String
        var pid: Int32?
        var master: String?
        var uptime_seconds: Double?
        var agents: Count?
        var frameworks: Int?
        var tasks: [String: Int]?
        var resources: Totals?
        var dns: DNS?
        var virtual_ip_range: String?
        var kubernetes: Kubernetes?

        struct Kubernetes: Encodable {
            var server: String
        }

        struct DNS: Encodable {
            var address: String
            var port: Int
        }
    }

    func run() throws {
        guard let (info, client) = cluster.running() else {
            if json {
                try emit(Report(running: false, data_dir: cluster.directory))
            } else {
                print("clusterbox is not running (data directory \(cluster.directory)). Start it with: clusterbox up")
            }
            throw ExitCode(1)
        }
        let state = try client.json(MesosState.self, "/master/state")
        var tasks: [String: Int] = [:]
        for framework in state.frameworks {
            for task in framework.tasks + framework.unreachable_tasks { tasks[task.state, default: 0] += 1 }
        }
        let active = state.slaves.filter(\.active)
        let report = Report(
            running: true, data_dir: cluster.directory, pid: info.pid, master: info.masterURL,
            uptime_seconds: Date().timeIntervalSince1970 - info.startedAt,
            agents: .init(active: active.count, unreachable: state.slaves.count - active.count),
            frameworks: state.frameworks.count, tasks: tasks,
            resources: .init(
                cpus: active.reduce(0) { $0 + $1.resources.cpus }, mem: active.reduce(0) { $0 + $1.resources.mem },
                used_cpus: active.reduce(0) { $0 + $1.used_resources.cpus },
                used_mem: active.reduce(0) { $0 + $1.used_resources.mem }),
            dns: info.dnsAddress.flatMap { address in info.dnsPort.map { .init(address: address, port: $0) } },
            virtual_ip_range: info.virtualIPRange,
            kubernetes: info.kubePort.map { .init(server: "https://\(info.host):\($0)") })
        if json { return try emit(report) }
        print("clusterbox is running (pid \(info.pid), up \(Int(report.uptime_seconds ?? 0)) s)")
        print("  master      \(info.masterURL)")
        print("  data        \(cluster.directory)")
        if let dns = report.dns { print("  dns         \(dns.address) port \(dns.port)") }
        if let range = report.virtual_ip_range { print("  vips        \(range)") }
        if let kube = report.kubernetes { print("  kubernetes  \(kube.server)") }
        print("  agents      \(active.count) active, \(state.slaves.count - active.count) unreachable")
        print("  frameworks  \(state.frameworks.map(\.name).joined(separator: ", "))")
        let taskText = tasks.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("  tasks       \(taskText.isEmpty ? "none running" : taskText)")
        if let r = report.resources {
            print(
                "  resources   cpus \(format(r.used_cpus))/\(format(r.cpus)) used, mem \(Int(r.used_mem))/\(Int(r.mem)) MiB used"
            )
        }
    }

    private func emit(_ report: Report) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
