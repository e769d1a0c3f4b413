import BoxCore

/// A framework for the benchmarks, pure like `BoxSimulation.DemandFramework` (which this package cannot import):
/// it wants `demand` tasks of one shape, launches as many as fit in each offer, acknowledges every update, declines
/// offers it cannot use and suppresses once all its tasks are launched, as a well-behaved Mesos framework does.
/// Tasks carry no duration label, so simulated agents run them until killed.
struct DemandModel: Sendable {
    let name: String
    let weight: Double
    /// Scalars of each task; it also takes `portsPerTask` ports from the offer.
    let shape: Resources
    let portsPerTask: Int
    let demand: Int
    let refuseSeconds: Double
    private(set) var id: FrameworkID?
    private(set) var launched = 0
    private(set) var suppressed = false

    init(
        name: String, weight: Double = 1, shape: Resources, portsPerTask: Int = 0, demand: Int,
        refuseSeconds: Double = 5
    ) {
        self.name = name
        self.weight = weight
        self.shape = shape
        self.portsPerTask = portsPerTask
        self.demand = demand
        self.refuseSeconds = refuseSeconds
    }

    var info: FrameworkInfo { FrameworkInfo(name: name, weight: weight, id: id) }

    /// Reacts to one event with the calls to make, in order.
    mutating func handle(_ event: Event) -> [Call] {
        switch event {
        case .subscribed(let frameworkID, _):
            id = frameworkID
            return []
        case .offers(let offers):
            var calls = offers.map { answer($0) }
            if launched >= demand, !suppressed {
                suppressed = true
                calls.append(.suppress)
            }
            return calls
        case .update(let status):
            guard let uuid = status.uuid, let agentID = status.agentID else { return [] }
            return [.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid)]
        case .rescind, .message, .failure, .error, .heartbeat:
            return []
        }
    }

    private mutating func answer(_ offer: Offer) -> Call {
        var left = offer.resources
        var tasks: [TaskInfo] = []
        while launched < demand, left.contains(shape), let ports = left.ports.first(portsPerTask) {
            var resources = shape
            resources.ports = ports
            launched += 1
            let taskID = TaskID("\(name)-\(launched)")
            tasks.append(TaskInfo(taskID: taskID, name: taskID.value, agentID: offer.agentID, resources: resources))
            left -= resources
        }
        if tasks.isEmpty {
            return .decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: refuseSeconds))
        }
        return .accept(
            offerIDs: [offer.id], operations: [.launch(tasks)], filters: Filters(refuseSeconds: refuseSeconds))
    }
}

enum Workload {
    static let agentCount = 1_000
    /// Each agent: 8 CPUs, 16 GiB, 100 GB of disk, ports 31000-31999.
    static let agentResources = Resources(
        cpus: 8, memoryMiB: 16_384, diskMiB: 100_000, ports: PortRanges([31000...31999]))

    /// Eight frameworks wanting 1,250 tasks each, 10,000 in all, of small and mixed shapes (two of them take a
    /// port per task). They need about 690 of the 1,000 agents, so every task fits.
    static func offerPathFrameworks() -> [DemandModel] {
        [
            DemandModel(name: "web", shape: Resources(cpus: 0.5, memoryMiB: 512), portsPerTask: 1, demand: 1_250),
            DemandModel(name: "api", shape: Resources(cpus: 0.25, memoryMiB: 256), portsPerTask: 1, demand: 1_250),
            DemandModel(name: "batch", weight: 2, shape: Resources(cpus: 0.5, memoryMiB: 1_024), demand: 1_250),
            DemandModel(name: "etl", shape: Resources(cpus: 1, memoryMiB: 1_024), demand: 1_250),
            DemandModel(name: "cache", shape: Resources(cpus: 0.25, memoryMiB: 1_024), demand: 1_250),
            DemandModel(name: "ml", shape: Resources(cpus: 1, memoryMiB: 2_048), demand: 1_250),
            DemandModel(name: "cron", shape: Resources(cpus: 0.1, memoryMiB: 128), demand: 1_250),
            DemandModel(name: "stream", shape: Resources(cpus: 0.5, memoryMiB: 256), demand: 1_250),
        ]
    }

    static let offerPathTasks = 10_000

    /// Twenty frameworks with different shapes, weights and (small) numbers of tasks, so that their dominant
    /// shares differ when the allocation pass is measured. 2,100 tasks in all.
    static func allocationFrameworks() -> [DemandModel] {
        (0..<20).map { index in
            DemandModel(
                name: "fw\(index)", weight: index % 5 == 0 ? 2 : 1,
                shape: Resources(cpus: [0.25, 0.5, 1, 2][index % 4], memoryMiB: [256, 2_048, 512, 1_024][index % 4]),
                portsPerTask: index % 3 == 0 ? 1 : 0, demand: 10 * (index + 1))
        }
    }

    static let start = Instant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
}
