public import BoxCore

/// One reading of the cluster for `clusterbox top`, taken from `/master/state`: agents and their allocation,
/// frameworks and their dominant shares, and every running task with its counters. Rates need two samples (see
/// `TopFrame`).
public struct TopSample: Codable, Sendable {
    public struct Agent: Codable, Sendable, Equatable {
        public var id: String
        public var hostname: String
        public var kind: String
        public var active: Bool
        public var cpus: Double
        public var used_cpus: Double
        public var mem_mib: Double
        public var used_mem_mib: Double
    }

    public struct Framework: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: String
        public var tasks: Int
        public var dominant_share: Double
        public var dominant_resource: String
    }

    public struct Task: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var framework: String
        public var agent_id: String
        public var agent: String
        public var state: String
        /// The task's resources (what it asked for).
        public var cpus: Double
        public var mem_mib: Double
        public var statistics: ResourceStatistics?
    }

    public var agents: [Agent]
    public var frameworks: [Framework]
    public var tasks: [Task]

    public init(agents: [Agent], frameworks: [Framework], tasks: [Task]) {
        self.agents = agents
        self.frameworks = frameworks
        self.tasks = tasks
    }

    public init(state: MesosState) {
        let hostnames = Dictionary(state.slaves.map { ($0.id, $0.hostname) }, uniquingKeysWith: { first, _ in first })
        agents = state.slaves.sorted { $0.hostname < $1.hostname }.map {
            Agent(
                id: $0.id, hostname: $0.hostname, kind: $0.clusterbox_kind, active: $0.active, cpus: $0.resources.cpus,
                used_cpus: $0.used_resources.cpus, mem_mib: $0.resources.mem, used_mem_mib: $0.used_resources.mem)
        }
        frameworks = state.frameworks.sorted { ($0.dominant_share, $1.name) > ($1.dominant_share, $0.name) }.map {
            Framework(
                id: $0.id, name: $0.name, role: $0.role, tasks: $0.tasks.count, dominant_share: $0.dominant_share,
                dominant_resource: $0.dominant_resource)
        }
        tasks = state.frameworks.flatMap { framework in
            framework.tasks.map {
                Task(
                    id: $0.id, name: $0.name, framework: framework.name, agent_id: $0.slave_id,
                    agent: hostnames[$0.slave_id] ?? $0.slave_id, state: $0.state, cpus: $0.resources.cpus,
                    mem_mib: $0.resources.mem, statistics: $0.statistics)
            }
        }
    }
}
