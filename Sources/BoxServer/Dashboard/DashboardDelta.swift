import BoxCore
import BoxMaster

/// One frame of `/dashboard/v1/events` after the first: what changed since the previous frame. A section that is
/// absent did not change; lists of agents and tasks hold only the changed rows, with the removed ones by id.
public struct DashboardDelta: Codable, Sendable, Equatable {
    public var time: Double
    /// The time of the earliest task event (launch, update) this frame reports, so the page can measure
    /// event-to-screen latency.
    public var first_event: Double?
    public var total: [Int]?
    public var frameworks: [DashboardSnapshot.Framework]?
    public var agents: [DashboardSnapshot.Agent] = []
    public var removed_agents: [String] = []
    public var tasks: [DashboardSnapshot.Task] = []
    public var removed_tasks: [String] = []
    public var apps: [DashboardSnapshot.MarathonApp]?
    public var kube: [KubeTree.Node]?
    public var services: [DashboardSnapshot.Service]?
    public var timeline: [TimelineNarrator.Sentence] = []
    public var offers: [OfferLine] = []

    public init(time: Double) { self.time = time }

    /// Nothing to send.
    public var isEmpty: Bool {
        total == nil && frameworks == nil && agents.isEmpty && removed_agents.isEmpty && tasks.isEmpty
            && removed_tasks.isEmpty && apps == nil && kube == nil && services == nil && timeline.isEmpty
            && offers.isEmpty
    }

    /// One line of the offers stream: an offer made, accepted (with the tasks launched), declined (and for how
    /// long), or rescinded.
    public struct OfferLine: Codable, Sendable, Equatable {
        public var time: Double
        /// `offer`, `accept`, `decline` or `rescind`.
        public var kind: String
        public var framework: String
        public var agent: String
        public var text: String

        /// The line of an offer event, nil for other events.
        static func of(_ event: ClusterEvent, names: TimelineNarrator.Names) -> OfferLine? {
            switch event.kind {
            case .offer, .accept, .decline, .rescind:
                return OfferLine(
                    time: event.time.secondsSinceEpoch, kind: event.kind.rawValue,
                    framework: names.framework(event.frameworkID), agent: names.agent(event.agentID),
                    text: TimelineNarrator.sentence(for: event, names: names).text)
            default:
                return nil
            }
        }
    }
}

/// What one page was last sent, so the next frame carries only the difference. Pure and per connection.
struct DashboardDiff: Sendable {
    private var total: [Int] = []
    private var frameworks: [DashboardSnapshot.Framework] = []
    private var agents: [String: DashboardSnapshot.Agent] = [:]
    private var tasks: [String: DashboardSnapshot.Task] = [:]
    private(set) var apps: [DashboardSnapshot.MarathonApp] = []
    private(set) var kube: [KubeTree.Node] = []
    private(set) var services: [DashboardSnapshot.Service] = []

    /// Starts from what a snapshot showed.
    init(_ snapshot: DashboardSnapshot) {
        total = snapshot.total
        frameworks = snapshot.frameworks
        agents = Dictionary(snapshot.agents.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        tasks = Dictionary(snapshot.tasks.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        apps = snapshot.apps
        kube = snapshot.kube
        services = snapshot.services
    }

    /// Writes into `delta` the master's rows that changed, and remembers them as sent.
    mutating func resources(
        total: [Int], frameworks: [DashboardSnapshot.Framework], agents: [DashboardSnapshot.Agent],
        tasks: [DashboardSnapshot.Task], into delta: inout DashboardDelta
    ) {
        if total != self.total {
            self.total = total
            delta.total = total
        }
        if frameworks != self.frameworks {
            self.frameworks = frameworks
            delta.frameworks = frameworks
        }
        var seenAgents: Set<String> = []
        for agent in agents {
            seenAgents.insert(agent.id)
            if self.agents[agent.id] != agent {
                self.agents[agent.id] = agent
                delta.agents.append(agent)
            }
        }
        for id in self.agents.keys where !seenAgents.contains(id) { delta.removed_agents.append(id) }
        for id in delta.removed_agents { self.agents[id] = nil }
        var seenTasks: Set<String> = []
        for task in tasks {
            seenTasks.insert(task.key)
            if self.tasks[task.key] != task {
                self.tasks[task.key] = task
                delta.tasks.append(task)
            }
        }
        for key in self.tasks.keys where !seenTasks.contains(key) { delta.removed_tasks.append(key) }
        for key in delta.removed_tasks { self.tasks[key] = nil }
        delta.removed_agents.sort()
        delta.removed_tasks.sort()
    }

    /// Like `resources`, for the rows events named only: upserts those that changed and removes `gone` tasks; rows
    /// not given are left as they were (the next full comparison catches what events missed).
    mutating func rows(
        total: [Int], frameworks: [DashboardSnapshot.Framework], agents: [DashboardSnapshot.Agent],
        tasks: [DashboardSnapshot.Task], gone: [String], into delta: inout DashboardDelta
    ) {
        if total != self.total {
            self.total = total
            delta.total = total
        }
        if frameworks != self.frameworks {
            self.frameworks = frameworks
            delta.frameworks = frameworks
        }
        for agent in agents where self.agents[agent.id] != agent {
            self.agents[agent.id] = agent
            delta.agents.append(agent)
        }
        for task in tasks where self.tasks[task.key] != task {
            self.tasks[task.key] = task
            delta.tasks.append(task)
        }
        for key in gone where self.tasks.removeValue(forKey: key) != nil { delta.removed_tasks.append(key) }
    }

    /// How the timeline names what this page knows.
    func names() -> TimelineNarrator.Names {
        TimelineNarrator.Names(
            frameworks: Dictionary(frameworks.map { ($0.id, $0.name) }, uniquingKeysWith: { _, last in last }),
            agents: agents.mapValues(\.hostname))
    }

    /// Writes the sections polled less often (Marathon, Kubernetes, services) into `delta` when they changed.
    mutating func sections(
        apps: [DashboardSnapshot.MarathonApp], kube: [KubeTree.Node], services: [DashboardSnapshot.Service],
        into delta: inout DashboardDelta
    ) {
        if apps != self.apps {
            self.apps = apps
            delta.apps = apps
        }
        if kube != self.kube {
            self.kube = kube
            delta.kube = kube
        }
        if services != self.services {
            self.services = services
            delta.services = services
        }
    }
}
