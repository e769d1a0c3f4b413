import BoxCore
import BoxMaster
import Foundation

/// `/master/state` in the shape Mesos serves it (agents are still `slaves` on the wire), built from a snapshot of
/// the master core. Tools of the Mesos ecosystem (Mesos-DNS, marathon-lb, UIs) read these field names.
struct MesosState: Encodable {
    struct ResourcesJSON: Encodable {
        var cpus: Double
        var mem: Double
        var disk: Double
        var gpus: Double
        var ports: String?

        init(_ r: Resources) {
            cpus = r.cpus
            mem = Double(r.memoryMiB)
            disk = Double(r.diskMiB)
            gpus = Double(r.gpus)
            ports = r.ports.isEmpty ? nil : r.ports.description
        }
    }

    struct Agent: Encodable {
        var id: String
        var pid: String
        var hostname: String
        var registered_time: Double
        var resources: ResourcesJSON
        var used_resources: ResourcesJSON
        var offered_resources: ResourcesJSON
        var unreserved_resources: ResourcesJSON
        var reserved_resources: [String: ResourcesJSON] = [:]
        var attributes: [String: String]
        var active: Bool
        var version = MesosVersion.version
        var capabilities = ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"]
        var clusterbox_kind: String
    }

    struct Status: Encodable {
        var state: String
        var timestamp: Double
        var message: String?
    }

    struct Task: Encodable {
        var id: String
        var name: String
        var framework_id: String
        var executor_id = ""
        var slave_id: String
        var state: String
        var resources: ResourcesJSON
        var role: String
        var statuses: [Status]
        var labels: [String: [[String: String]]]?

        init(_ entry: TaskEntry, role: String) {
            id = entry.info.taskID.value
            name = entry.info.name
            framework_id = entry.frameworkID.value
            slave_id = entry.info.agentID.value
            state = entry.state.rawValue
            resources = ResourcesJSON(entry.info.resources)
            self.role = role
            statuses = [
                Status(state: entry.latest.state.rawValue, timestamp: entry.latest.timestamp.secondsSinceEpoch, message: entry.latest.message)
            ]
            labels =
                entry.info.labels.isEmpty
                ? nil : ["labels": entry.info.labels.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }]
        }
    }

    struct OfferJSON: Encodable {
        var id: String
        var framework_id: String
        var slave_id: String
        var resources: ResourcesJSON
    }

    struct Framework: Encodable {
        var id: String
        var name: String
        var pid: String?
        var hostname: String
        var webui_url = ""
        var user: String
        var role: String
        var roles: [String]
        var weight: Double
        var active: Bool
        var connected: Bool
        var recovered = false
        var checkpoint = false
        var failover_timeout: Double
        var registered_time: Double
        var unregistered_time: Double
        var capabilities: [[String: String]]
        var resources: ResourcesJSON
        var used_resources: ResourcesJSON
        var offered_resources: ResourcesJSON
        var dominant_share: Double
        var dominant_resource: String
        var tasks: [Task]
        var unreachable_tasks: [Task]
        var completed_tasks: [Task]
        var offers: [OfferJSON]
        var executors: [String] = []
    }

    var version = MesosVersion.version
    var git_sha = MesosVersion.gitSHA
    var build_date = MesosVersion.buildDate
    var start_time: Double
    var elected_time: Double
    var id: String
    var pid: String
    var hostname: String
    var leader: String
    var leader_info: [String: AnyCodableScalar]
    var activated_slaves: Int
    var deactivated_slaves: Int
    var unreachable_slaves: Int
    var cluster = "clusterbox"
    var slaves: [Agent]
    var frameworks: [Framework]
    var completed_frameworks: [Framework]
    var orphan_tasks: [Task] = []
    var unregistered_frameworks: [String] = []
    var flags: [String: String]

    init(core: MasterCore, host: String, port: Int) {
        let pid = "master@\(host):\(port)"
        start_time = core.startedAt.secondsSinceEpoch
        elected_time = start_time
        id = core.config.masterID
        self.pid = pid
        hostname = host
        leader = pid
        leader_info = [
            "id": .string(core.config.masterID), "pid": .string(pid), "port": .int(port), "hostname": .string(host),
            "version": .string(MesosVersion.version),
        ]
        let agents = Array(core.agents.values)
        activated_slaves = agents.filter(\.isActive).count
        deactivated_slaves = 0
        unreachable_slaves = agents.count - activated_slaves
        slaves = agents.enumerated().map { index, agent in
            Agent(
                id: agent.id.value, pid: "slave(\(index + 1))@\(host):\(port)", hostname: agent.hostname,
                registered_time: agent.registeredAt.secondsSinceEpoch, resources: ResourcesJSON(agent.total),
                used_resources: ResourcesJSON(agent.used), offered_resources: ResourcesJSON(agent.offered),
                unreserved_resources: ResourcesJSON(agent.total), attributes: agent.attributes, active: agent.isActive,
                clusterbox_kind: agent.kind)
        }
        let total = core.clusterTotal
        func render(_ framework: FrameworkEntry, active: Bool) -> Framework {
            let live = framework.tasks.compactMap { core.tasks[TaskRef(framework.id, $0)] }
            let offers = framework.offers.compactMap { core.offers[$0]?.offer }
            let offered = offers.reduce(Resources.zero) { $0 + $1.resources }
            let (share, resource) = DRFSorter.dominantShare(of: framework.allocated, in: total)
            return Framework(
                id: framework.id.value, name: framework.info.name, pid: nil,
                hostname: framework.info.hostname ?? host, user: framework.info.user, role: framework.info.role,
                roles: [framework.info.role], weight: framework.info.weight, active: active && framework.connected,
                connected: active && framework.connected, failover_timeout: framework.info.failoverTimeoutSeconds,
                registered_time: framework.registeredAt.secondsSinceEpoch,
                unregistered_time: framework.unregisteredAt?.secondsSinceEpoch ?? 0,
                capabilities: framework.info.partitionAware ? [["type": "PARTITION_AWARE"]] : [],
                resources: ResourcesJSON(framework.allocated), used_resources: ResourcesJSON(framework.used),
                offered_resources: ResourcesJSON(offered), dominant_share: share, dominant_resource: resource,
                tasks: live.filter { $0.state != .unreachable }.map { Task($0, role: framework.info.role) },
                unreachable_tasks: live.filter { $0.state == .unreachable }.map { Task($0, role: framework.info.role) },
                completed_tasks: framework.completedTasks.reversed().map { Task($0, role: framework.info.role) },
                offers: offers.map {
                    OfferJSON(
                        id: $0.id.value, framework_id: $0.frameworkID.value, slave_id: $0.agentID.value,
                        resources: ResourcesJSON($0.resources))
                })
        }
        frameworks = core.frameworks.values.map { render($0, active: true) }
        completed_frameworks = core.completedFrameworks.reversed().map { render($0, active: false) }
        flags = [
            "allocation_interval": "\(core.config.allocationInterval.seconds)secs",
            "offer_timeout": "\(core.config.offerTimeout.seconds)secs",
            "agent_ping_timeout": "\(core.config.agentHeartbeatTimeout.seconds)secs",
            "agent_removal_timeout": "\(core.config.agentRemovalTimeout.seconds)secs",
            "port": "\(port)", "ip": host,
        ]
    }
}

/// A JSON scalar for the few loosely typed objects in Mesos' state.
enum AnyCodableScalar: Encodable {
    case string(String)
    case int(Int)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        }
    }
}

/// What `/version` says. Purely numeric: pymesos does `int()` on every part.
enum MesosVersion {
    static let version = "1.11.0"
    static let gitSHA = "clusterbox"
    static let buildDate = "2026-11-27"
}
