import ArgumentParser
import BoxAgent
import BoxServer
import Foundation

/// `clusterbox agents`, `clusterbox frameworks`, `clusterbox shares`: tables from the master's state.
struct Agents: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List agents with their total, used and offered resources.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Print JSON: the \"slaves\" array of /master/state.")
    var json = false

    func run() throws {
        let (_, client) = try cluster.connect()
        if json { return try Terminal.printJSON(object: Terminal.part("slaves", of: client.body("/master/state"))) }
        let state = try client.json(MesosState.self, "/master/state")
        // Agents stopped with `clusterbox agent stop`: the master only learns of it when their heartbeats are late.
        let local = (try? client.json(AgentsView.self, "/clusterbox/v1/agents"))?.agents ?? []
        let stopped = Dictionary(
            local.filter { $0.state != "running" }.map { ($0.name, $0.state) }, uniquingKeysWith: { first, _ in first })
        var rows = state.slaves.map { agent in
            [
                agent.id, agent.hostname, agent.clusterbox_kind,
                (agent.active ? "active" : "unreachable") + (stopped[agent.hostname].map { " (\($0))" } ?? ""),
                agent.resources.summary,
                "cpus:\(format(agent.used_resources.cpus)) mem:\(Int(agent.used_resources.mem))",
                "cpus:\(format(agent.offered_resources.cpus)) mem:\(Int(agent.offered_resources.mem))",
            ]
        }
        // Stopped long enough for the master to have removed them.
        let known = Set(state.slaves.map(\.hostname))
        for agent in local where agent.state != "running" && !known.contains(agent.name) {
            rows.append([agent.agentID ?? "-", agent.name, "-", "removed (\(agent.state))", "-", "-", "-"])
        }
        printTable(["ID", "HOSTNAME", "KIND", "STATE", "RESOURCES", "USED", "OFFERED"], rows)
    }
}

struct Frameworks: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List frameworks, their tasks and resources.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Print JSON: the \"frameworks\" array of /master/state.")
    var json = false

    func run() throws {
        let (_, client) = try cluster.connect()
        if json { return try Terminal.printJSON(object: Terminal.part("frameworks", of: client.body("/master/state"))) }
        let state = try client.json(MesosState.self, "/master/state")
        let rows = state.frameworks.map { f in
            [
                f.id, f.name, f.role, format(f.weight), f.active ? "active" : "disconnected", "\(f.tasks.count)",
                "\(f.completed_tasks.count)", "cpus:\(format(f.used_resources.cpus)) mem:\(Int(f.used_resources.mem))",
                "\(f.offers.count)",
            ]
        }
        printTable(["ID", "NAME", "ROLE", "WEIGHT", "STATE", "TASKS", "COMPLETED", "USED", "OFFERS"], rows)
    }
}

struct Shares: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "DRF: each framework's share of every resource and its dominant share (offered resources count).",
        discussion: "WEIGHT is the role's weight times the framework's; WEIGHTED is the dominant share divided by it.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Print JSON: the document of /clusterbox/v1/shares.")
    var json = false

    func run() throws {
        let (_, client) = try cluster.connect()
        if json { return try Terminal.printJSON(body: client.body("/clusterbox/v1/shares")) }
        let view = try client.json(SharesView.self, "/clusterbox/v1/shares")
        print("cluster total: \(view.total)")
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        printTable(
            [
                "FRAMEWORK", "ROLE", "WEIGHT", "QUOTA", "CPUS", "MEM", "DISK", "GPUS", "DOMINANT", "WEIGHTED",
                "ALLOCATED",
            ],
            view.frameworks.map { f in
                [
                    f.name, f.role, format(f.weight), f.role_quota.isEmpty ? "-" : f.role_quota,
                    percent(f.shares["cpus"] ?? 0), percent(f.shares["mem"] ?? 0),
                    percent(f.shares["disk"] ?? 0), percent(f.shares["gpus"] ?? 0),
                    "\(percent(f.dominant_share)) \(f.dominant_resource)", percent(f.weighted_share), f.allocated,
                ]
            })
    }
}
