import BoxCore
import BoxMaster
import Foundation

/// Everything the dashboard draws, in one JSON document: the first frame of `/dashboard/v1/events` and the body of
/// `GET /dashboard/v1/snapshot`. Later frames are `DashboardDelta`s against it.
///
/// Resources travel as `[milliCPUs, memoryMiB, diskMiB, ports]` arrays: 1,000 agents with a few frameworks each stay
/// a small document, and the page adds them up without parsing units.
public struct DashboardSnapshot: Codable, Sendable, Equatable {
    /// When it was taken (seconds since the epoch).
    public var time: Double
    /// What every reachable agent offers, summed.
    public var total: [Int]
    public var frameworks: [Framework]
    public var agents: [Agent]
    public var tasks: [Task]
    public var apps: [MarathonApp]
    public var kube: [KubeTree.Node]
    public var services: [Service]
    /// The latest sentences known when the snapshot was taken (the Kubernetes events in the store).
    public var timeline: [TimelineNarrator.Sentence]

    /// A framework, with its DRF standing.
    public struct Framework: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var role: String
        public var active: Bool
        public var weight: Double
        /// The role's quota in the Mesos text form, "" when none.
        public var quota: String
        public var allocated: [Int]
        public var dominant_share: Double
        public var dominant_resource: String
        public var weighted_share: Double
        public var tasks: Int
    }

    /// An agent: its total, and what each framework uses (tasks) and holds in offers. Free is the rest.
    public struct Agent: Codable, Sendable, Equatable {
        public var id: String
        public var hostname: String
        public var kind: String
        public var active: Bool
        public var total: [Int]
        /// Framework id → resources of its tasks here.
        public var used: [String: [Int]]
        /// Framework id → resources of its outstanding offers of this agent.
        public var offered: [String: [Int]]
        public var tasks: Int
    }

    /// A task the master tracks (not yet terminal and acknowledged).
    public struct Task: Codable, Sendable, Equatable {
        /// `framework/task`, unique in the cluster (task ids are unique per framework only).
        public var key: String
        public var id: String
        public var name: String
        public var framework: String
        public var agent: String
        public var state: String
    }

    /// A Marathon app with its rollout and health.
    public struct MarathonApp: Codable, Sendable, Equatable {
        public var id: String
        public var instances: Int
        public var staged: Int
        public var running: Int
        public var healthy: Int
        public var unhealthy: Int
        public var has_health_checks: Bool
        public var cpus: Double
        public var mem: Double
        public var deployments: [Deployment]
    }

    /// A deployment in progress: which step of how many, and what that step does.
    public struct Deployment: Codable, Sendable, Equatable {
        public var id: String
        public var step: Int
        public var steps: Int
        public var actions: [String]
    }

    /// A virtual service of the load balancer (a Marathon VIP or a Kubernetes Service).
    public struct Service: Codable, Sendable, Equatable {
        public var name: String
        public var framework: String
        public var dns: String
        public var vip: String
        public var port: Int
        public var listening: Bool
        public var connections_total: Int
        public var connections_active: Int
        /// `address:port` of each current backend.
        public var endpoints: [String]
    }
}

// MARK: - Resources

extension DashboardSnapshot {
    /// `[milliCPUs, memoryMiB, diskMiB, ports]`.
    static func vector(_ r: Resources) -> [Int] { [r.milliCPUs, r.memoryMiB, r.diskMiB, r.ports.count] }

    /// Frameworks, agents and tasks from a copy of the master core. Pure; sorted so the same core gives the same
    /// bytes. Per-agent use is summed from the tasks themselves (the agent entry only has the total).
    static func resources(of core: MasterCore) -> (frameworks: [Framework], agents: [Agent], tasks: [Task]) {
        var used: [AgentID: [FrameworkID: Resources]] = [:]
        var tasks: [Task] = []
        tasks.reserveCapacity(core.tasks.count)
        for (ref, entry) in core.tasks {
            used[entry.info.agentID, default: [:]][ref.frameworkID, default: .zero] += entry.info.resources
            tasks.append(task(ref, entry))
        }
        tasks.sort { $0.key < $1.key }
        let offered = offers(of: core)
        let agents = core.agents.values.map { agent(of: $0, used: used[$0.id] ?? [:], offered: offered[$0.id] ?? [:]) }
        return (frameworks(of: core), agents, tasks)
    }

    /// The rows of some agents and tasks only (those events named since the last frame), and every framework: what
    /// a frame between two full comparisons needs. Work in the number of rows asked for, not in the cluster's
    /// size. `gone` are the keys of asked-for tasks the master no longer tracks.
    static func rows(of core: MasterCore, agents ids: Set<AgentID>, tasks refs: Set<TaskRef>) -> (
        frameworks: [Framework], agents: [Agent], tasks: [Task], gone: [String]
    ) {
        let offered = ids.isEmpty ? [:] : offers(of: core)
        var agents: [Agent] = []
        for id in ids.sorted() {
            guard let entry = core.agents[id] else { continue }  // a removed agent: the next full pass drops it
            var used: [FrameworkID: Resources] = [:]
            for ref in entry.tasks {
                if let task = core.tasks[ref] { used[ref.frameworkID, default: .zero] += task.info.resources }
            }
            agents.append(agent(of: entry, used: used, offered: offered[id] ?? [:]))
        }
        var tasks: [Task] = []
        var gone: [String] = []
        for ref in refs.sorted() {
            if let entry = core.tasks[ref] {
                tasks.append(task(ref, entry))
            } else {
                gone.append(ref.frameworkID.value + "/" + ref.taskID.value)
            }
        }
        return (frameworks(of: core), agents, tasks, gone)
    }

    private static func task(_ ref: TaskRef, _ entry: TaskEntry) -> Task {
        Task(
            key: ref.frameworkID.value + "/" + ref.taskID.value, id: ref.taskID.value, name: entry.info.name,
            framework: ref.frameworkID.value, agent: entry.info.agentID.value, state: entry.state.rawValue)
    }

    /// Outstanding offers summed per agent and framework.
    private static func offers(of core: MasterCore) -> [AgentID: [FrameworkID: Resources]] {
        var offered: [AgentID: [FrameworkID: Resources]] = [:]
        for entry in core.offers.values {
            offered[entry.offer.agentID, default: [:]][entry.offer.frameworkID, default: .zero] += entry.offer.resources
        }
        return offered
    }

    private static func agent(
        of agent: AgentEntry, used: [FrameworkID: Resources], offered: [FrameworkID: Resources]
    ) -> Agent {
        Agent(
            id: agent.id.value, hostname: agent.hostname, kind: agent.kind, active: agent.isActive,
            total: vector(agent.total),
            used: Dictionary(uniqueKeysWithValues: used.map { ($0.key.value, vector($0.value)) }),
            offered: Dictionary(uniqueKeysWithValues: offered.map { ($0.key.value, vector($0.value)) }),
            tasks: agent.tasks.count)
    }

    private static func frameworks(of core: MasterCore) -> [Framework] {
        let total = core.clusterTotal
        return core.frameworks.values.map { framework in
            let (share, resource) = DRFSorter.dominantShare(of: framework.allocated, in: total)
            let weight = core.effectiveWeight(framework)
            let quota = core.policy(of: framework.info.role).quota
            return Framework(
                id: framework.id.value, name: framework.info.name, role: framework.info.role,
                active: framework.connected, weight: weight, quota: quota.isEmpty ? "" : quota.description,
                allocated: vector(framework.allocated), dominant_share: share, dominant_resource: resource,
                weighted_share: weight > 0 ? share / weight : share, tasks: framework.tasks.count)
        }
    }
}
