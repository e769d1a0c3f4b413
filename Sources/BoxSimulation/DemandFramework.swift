import BoxAgent
public import BoxCore

/// A framework for simulations: it wants `demand` tasks of one shape running at all times (like a Marathon app
/// with many instances), launches as many as fit in each offer, replaces tasks that end, and declines what it
/// cannot use for `refuseSeconds`. Pure: events in, calls out.
public struct DemandFramework: Sendable {
    public var name: String
    public var weight: Double
    /// Scalars of each task; it also takes `portsPerTask` ports from the offer.
    public var shape: Resources
    public var portsPerTask: Int
    public var demand: Int
    public var refuseSeconds: Double
    /// Seconds a task runs (its duration label); nil runs until killed.
    public var taskSeconds: Double?
    public private(set) var id: FrameworkID?
    /// Tasks launched and not yet seen in a terminal state.
    public private(set) var live: Set<TaskID> = []
    public private(set) var launchedCount = 0
    public private(set) var terminalCount = 0

    public init(
        name: String, weight: Double = 1, shape: Resources, portsPerTask: Int = 0, demand: Int,
        refuseSeconds: Double = 5, taskSeconds: Double? = nil
    ) {
        self.portsPerTask = portsPerTask
        self.name = name
        self.weight = weight
        self.shape = shape
        self.demand = demand
        self.refuseSeconds = refuseSeconds
        self.taskSeconds = taskSeconds
    }

    public var info: FrameworkInfo { FrameworkInfo(name: name, weight: weight, id: id) }

    public var unmetDemand: Int { max(0, demand - live.count) }

    /// Reacts to one event with the calls to make.
    public mutating func handle(_ event: Event) -> [Call] {
        switch event {
        case .subscribed(let frameworkID, _):
            id = frameworkID
            return []
        case .offers(let offers):
            return offers.flatMap { answer($0) }
        case .update(let status):
            if status.state.isTerminal, live.remove(status.taskID) != nil { terminalCount += 1 }
            guard let uuid = status.uuid, let agentID = status.agentID else { return [] }
            return [.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid)]
        case .rescind, .message, .failure, .error, .heartbeat:
            return []
        }
    }

    private mutating func answer(_ offer: Offer) -> [Call] {
        var left = offer.resources
        var tasks: [TaskInfo] = []
        while live.count < demand, left.contains(shape), let ports = left.ports.first(portsPerTask) {
            var resources = shape
            resources.ports = ports
            launchedCount += 1
            let taskID = TaskID("\(name)-\(launchedCount)")
            var labels: Labels = [:]
            if let seconds = taskSeconds { labels[SimulatedTasks.durationLabel] = String(seconds) }
            tasks.append(
                TaskInfo(
                    taskID: taskID, name: taskID.value, agentID: offer.agentID, resources: resources, labels: labels))
            live.insert(taskID)
            left -= resources
        }
        if tasks.isEmpty {
            return [.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: refuseSeconds))]
        }
        return [
            .accept(offerIDs: [offer.id], operations: [.launch(tasks)], filters: Filters(refuseSeconds: refuseSeconds))
        ]
    }
}
