public import BoxCore
import BoxMaster
import Foundation

/// `/master/state` in the shape Mesos serves it (agents are still `slaves` on the wire), built from a snapshot of
/// the master core. Tools of the Mesos ecosystem (Mesos-DNS, marathon-lb, UIs) read these field names.
public struct MesosState: Codable, Sendable {
    public struct ResourcesJSON: Codable, Sendable {
        public var cpus: Double
        public var mem: Double
        public var disk: Double
        public var gpus: Double
        public var ports: String?

        public var summary: String {
            var text = "cpus:\(Self.number(cpus)) mem:\(Int(mem))"
            if disk > 0 { text += " disk:\(Int(disk))" }
            if gpus > 0 { text += " gpus:\(Int(gpus))" }
            if let ports { text += " ports:\(ports)" }
            return text
        }

        public static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
        }

        init(_ r: Resources) {
            cpus = r.cpus
            mem = Double(r.memoryMiB)
            disk = Double(r.diskMiB)
            gpus = Double(r.gpus)
            ports = r.ports.isEmpty ? nil : r.ports.description
        }
    }

    public struct Agent: Codable, Sendable {
        public var id: String
        public var pid: String
        public var hostname: String
        /// Agents run inside the daemon and answer on the master's port.
        public var port: Int
        public var registered_time: Double
        public var resources: ResourcesJSON
        public var used_resources: ResourcesJSON
        public var offered_resources: ResourcesJSON
        public var unreserved_resources: ResourcesJSON
        public var reserved_resources: [String: ResourcesJSON] = [:]
        public var attributes: [String: String]
        public var active: Bool
        public var version = MesosVersion.version
        public var capabilities = ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT"]
        public var clusterbox_kind: String
    }

    public struct Status: Codable, Sendable {
        public var state: String
        public var timestamp: Double
        public var message: String?
    }

    public struct Task: Codable, Sendable {
        public var id: String
        public var name: String
        public var framework_id: String
        public var executor_id = ""
        public var slave_id: String
        public var state: String
        public var resources: ResourcesJSON
        public var role: String
        public var statuses: [Status]
        public var labels: [[String: String]]?
        public var discovery: Discovery?
        public var container: Container?
        /// What a running task has used, read when the state was asked for (absent for tasks nobody measures:
        /// simulated ones, ended ones).
        public var statistics: ResourceStatistics?

        /// Mesos' `ContainerInfo` as `/master/state` shows it: a `MESOS` container with a `DOCKER` image.
        public struct Container: Codable, Sendable {
            public struct Mesos: Codable, Sendable { public var image: Image }
            public struct Image: Codable, Sendable {
                public var type = "DOCKER"
                public var docker: [String: String]
            }
            public var type = "MESOS"
            public var mesos: Mesos

            init(_ info: ContainerInfo) { mesos = Mesos(image: Image(docker: ["name": info.image])) }
        }

        /// Mesos' `DiscoveryInfo` as `/master/state` shows it.
        public struct Discovery: Codable, Sendable {
            public struct Port: Codable, Sendable {
                public var number: Int
                public var name: String?
                public var `protocol`: String
                public var labels: [String: [[String: String]]]?
            }
            public var visibility = "FRAMEWORK"
            public var name: String?
            public var ports: [String: [Port]]

            init(_ info: DiscoveryInfo) {
                name = info.name
                ports = [
                    "ports": info.ports.map {
                        Port(
                            number: Int($0.number), name: $0.name, protocol: $0.protocol, labels: Task.labels($0.labels)
                        )
                    }
                ]
            }
        }

        static func labels(_ labels: Labels) -> [String: [[String: String]]]? {
            labels.isEmpty
                ? nil : ["labels": labels.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }]
        }

        init(_ entry: TaskEntry, role: String, statistics: ResourceStatistics? = nil) {
            self.statistics = statistics
            id = entry.info.taskID.value
            name = entry.info.name
            framework_id = entry.frameworkID.value
            slave_id = entry.info.agentID.value
            state = entry.state.rawValue
            resources = ResourcesJSON(entry.info.resources)
            self.role = role
            statuses = [
                Status(
                    state: entry.latest.state.rawValue, timestamp: entry.latest.timestamp.secondsSinceEpoch,
                    message: entry.latest.message)
            ]
            labels =
                entry.info.labels.isEmpty
                ? nil
                : entry.info.labels.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] }
            discovery = entry.info.discovery.map(Discovery.init)
            container = entry.info.container.map(Container.init)
        }
    }

    public struct OfferJSON: Codable, Sendable {
        public var id: String
        public var framework_id: String
        public var slave_id: String
        public var resources: ResourcesJSON
    }

    public struct Framework: Codable, Sendable {
        public var id: String
        public var name: String
        public var pid: String?
        public var hostname: String
        public var webui_url = ""
        public var user: String
        public var role: String
        public var roles: [String]
        public var weight: Double
        public var active: Bool
        public var connected: Bool
        public var recovered = false
        public var checkpoint = false
        public var failover_timeout: Double
        public var registered_time: Double
        public var unregistered_time: Double
        public var capabilities: [String]
        public var resources: ResourcesJSON
        public var used_resources: ResourcesJSON
        public var offered_resources: ResourcesJSON
        public var dominant_share: Double
        public var dominant_resource: String
        public var tasks: [Task]
        public var unreachable_tasks: [Task]
        public var completed_tasks: [Task]
        public var offers: [OfferJSON]
        public var executors: [String] = []
    }

    public var version = MesosVersion.version
    public var git_sha = MesosVersion.gitSHA
    public var build_date = MesosVersion.buildDate
    public var start_time: Double
    public var elected_time: Double
    public var id: String
    public var pid: String
    public var hostname: String
    public var leader: String
    public var leader_info: [String: AnyCodableScalar]
    public var activated_slaves: Int
    public var deactivated_slaves: Int
    public var unreachable_slaves: Int
    public var cluster = "clusterbox"
    public var slaves: [Agent]
    public var frameworks: [Framework]
    public var completed_frameworks: [Framework]
    public var orphan_tasks: [Task] = []
    public var unregistered_frameworks: [String] = []
    public var flags: [String: String]

    /// - Parameter usage: statistics of running tasks, shown on each as `statistics`.
    init(core: MasterCore, host: String, port: Int, usage: ClusterUsage = ClusterUsage()) {
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
                id: agent.id.value, pid: "slave(\(index + 1))@\(host):\(port)", hostname: agent.hostname, port: port,
                registered_time: agent.registeredAt.secondsSinceEpoch, resources: ResourcesJSON(agent.total),
                used_resources: ResourcesJSON(agent.used), offered_resources: ResourcesJSON(agent.offered),
                unreserved_resources: ResourcesJSON(agent.total), attributes: agent.attributes, active: agent.isActive,
                clusterbox_kind: agent.kind)
        }
        let total = core.clusterTotal
        func render(_ framework: FrameworkEntry, active: Bool) -> Framework {
            let live = framework.tasks.sorted().compactMap { core.tasks[TaskRef(framework.id, $0)] }
            let offers = framework.offers.sorted().compactMap { core.offers[$0]?.offer }
            let offered = offers.reduce(Resources.zero) { $0 + $1.resources }
            let (share, resource) = DRFSorter.dominantShare(of: framework.allocated, in: total)
            return Framework(
                id: framework.id.value, name: framework.info.name, pid: nil,
                hostname: framework.info.hostname ?? host, user: framework.info.user, role: framework.info.role,
                roles: [framework.info.role], weight: framework.info.weight, active: active && framework.connected,
                connected: active && framework.connected, failover_timeout: framework.info.failoverTimeoutSeconds,
                registered_time: framework.registeredAt.secondsSinceEpoch,
                unregistered_time: framework.unregisteredAt?.secondsSinceEpoch ?? 0,
                capabilities: framework.info.partitionAware ? ["PARTITION_AWARE"] : [],
                resources: ResourcesJSON(framework.allocated), used_resources: ResourcesJSON(framework.used),
                offered_resources: ResourcesJSON(offered), dominant_share: share, dominant_resource: resource,
                tasks: live.filter { $0.state != .unreachable }.map {
                    Task(
                        $0, role: framework.info.role,
                        statistics: usage.statistics(agent: $0.info.agentID, task: $0.info.taskID))
                },
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
public enum AnyCodableScalar: Codable, Sendable {
    case string(String)
    case int(Int)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
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
