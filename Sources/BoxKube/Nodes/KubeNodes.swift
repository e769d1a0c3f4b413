public import BoxCore
public import Logging

/// The Kubernetes scheduler as a framework on the master, and the kubelet's part: every agent seen in offers is a
/// Node, unscheduled pods are placed on held offers (filter, score, bind) and each pod runs as one task group on
/// its agent, whose task updates become the pod's status.
///
/// Concurrency: the actor's state is the truth; event handlers change it synchronously and never wait on the API.
/// Writes to the API (binds, statuses, nodes, events, removals) are queued as dirty keys and carried out by one
/// writer task, which works out each object's status at the moment it writes it, so a burst of changes to a pod
/// costs one write. Scheduling runs in cycles (after offers arrive or pods become pending, batched over a few
/// milliseconds), so that one ACCEPT per agent launches every pod placed on it.
///
/// Offers: held while pods are pending; declined at once when nothing waits, and once held `idleHold` when the
/// pods that wait fit none of them (refused for `idleRefuse` either way). The framework does not suppress: offers are how it learns that an agent is alive (the node heartbeat).
public actor KubeNodes {
    public static let frameworkName = "kubernetes"
    public static let schedulerName = "default-scheduler"
    static let idleHold: Duration = .seconds(3)
    static let idleRefuse = 2.0
    /// The default of `nodeStatusInterval`, and half the time an agent stays alive after its last offer or update.
    static let heartbeatInterval: Duration = .seconds(10)
    static let maxBackoff: Duration = .seconds(300)
    static let backoffResetAfter: Duration = .seconds(600)

    let api: KubeAPI
    let transport: any SchedulerTransport
    let clock: any ClusterClock
    let logger: Logger
    /// How often each live agent's Node status (its heartbeat) is written; shorter than the node lifecycle
    /// controller's grace period, which it feeds.
    let nodeStatusInterval: Duration
    var sandbox: (@Sendable (TaskID) async -> String?)?

    var frameworkID: FrameworkID?
    var outbox: [Call] = []
    var draining = false

    // Agents and offers.
    var agents: [AgentID: AgentRecord] = [:]
    var agentByName: [String: AgentID] = [:]
    var offers: [OfferID: (offer: Offer, receivedAt: Instant)] = [:]
    /// Labels, taints and `unschedulable` of each Node as stored (users label and taint nodes).
    var nodeSpecs: [String: NodeSpec] = [:]
    /// Bumped whenever the offers change, so that pods found unschedulable are tried again.
    var offerGeneration = 0
    var lastRevive: Instant?
    /// Offers arrived since the last REVIVE, so another one may go at once.
    var offersSinceRevive = false

    // Pods.
    var pending: [String: PendingPod] = [:]
    var nextSequence = 0
    var runs: [String: PodRun] = [:]
    var taskIndex: [TaskID: (pod: String, container: Int)] = [:]
    /// Pods with a `launchAfter` (waiting to be relaunched), so that cycles and ticks need not scan every pod.
    var awaitingLaunch: Set<String> = []

    // The writer's queue.
    var dirtyPods: Set<String> = []
    var dirtyNodes: Set<AgentID> = []
    var removals: [(namespace: String, name: String, uid: String)] = []
    var events: [(object: JSONValue, reason: String, message: String, type: String, component: String)] = []
    let writerSignal: AsyncStream<Void>
    let writerWake: AsyncStream<Void>.Continuation
    let scheduleSignal: AsyncStream<Void>
    let scheduleWake: AsyncStream<Void>.Continuation
    var cycling = false

    public init(
        api: KubeAPI, transport: any SchedulerTransport, clock: any ClusterClock, logger: Logger,
        nodeStatusInterval: Duration = .seconds(10)
    ) {
        self.nodeStatusInterval = nodeStatusInterval
        self.api = api
        self.transport = transport
        self.clock = clock
        self.logger = logger
        (writerSignal, writerWake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (scheduleSignal, scheduleWake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Where a task's sandbox is (its `stdout` and `stderr`), as the cluster's agents know it; for logs.
    public func findSandboxes(with lookup: @escaping @Sendable (TaskID) async -> String?) { sandbox = lookup }

    /// Subscribes, then handles events, watches pods and nodes, writes, schedules and keeps time until cancelled.
    public func run() async {
        let stream = await transport.subscribe(
            FrameworkInfo(name: Self.frameworkName, role: "kubernetes", failoverTimeoutSeconds: 0))
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchLoop(.pod) }
            group.addTask { await self.watchLoop(.node) }
            group.addTask { await self.writerLoop() }
            group.addTask { await self.schedulerLoop() }
            group.addTask { await self.timerLoop() }
            for await event in stream { await handle(event) }
            group.cancelAll()
        }
        writerWake.finish()
        scheduleWake.finish()
    }

    // MARK: - Master events

    func handle(_ event: Event) async {
        let now = clock.now
        switch event {
        case .subscribed(let id, _):
            frameworkID = id
            logger.info("Kubernetes scheduler subscribed", metadata: ["framework.id": "\(id)"])
            send([.reconcile(tasks: [])])
        case .offers(let received):
            for offer in received { receive(offer, now: now) }
            offerGeneration += 1
            if !received.isEmpty { offersSinceRevive = true }
            if pending.isEmpty && awaitingLaunch.isEmpty && !cycling {
                // Nothing to place: give the resources back at once (other frameworks wait while we hold them),
                // refused briefly so that they return and keep the nodes' heartbeats. Not while a cycle runs: it
                // has taken its pods out of `pending` and may be about to accept these very offers (declined
                // under it, its ACCEPT failed with "offer no longer valid" and the pods went into back-off).
                // The tick declines them later if they stay idle.
                let idle = offers.keys.sorted()
                offers.removeAll()
                send([.decline(offerIDs: idle, filters: Filters(refuseSeconds: Self.idleRefuse))])
            } else {
                requestSchedule()
            }
        case .rescind(let offerID):
            if offers.removeValue(forKey: offerID) != nil { offerGeneration += 1 }
        case .update(let status):
            taskUpdate(status, now: now)
        case .failure(let agentID):
            agentLost(agentID)
        case .error(let message):
            logger.error("Master refused the Kubernetes scheduler: \(message)")
        case .message, .heartbeat:
            break
        }
    }

    /// The master says the agent is gone or unreachable: its Node gets no more heartbeats (so the node lifecycle
    /// controller marks it NotReady after its grace period) and its offers are dropped, until it offers again.
    func agentLost(_ agentID: AgentID) {
        guard let agent = agents[agentID], !agent.failed else { return }
        agents[agentID]?.failed = true
        for (id, held) in offers where held.offer.agentID == agentID { offers.removeValue(forKey: id) }
        dirtyNodes.remove(agentID)
        logger.info(
            "Agent lost; its node's heartbeat stops", metadata: ["agent.id": "\(agentID)", "node": "\(agent.name)"])
    }

    func receive(_ offer: Offer, now: Instant) {
        offers[offer.id] = (offer, now)
        let isNew = agents[offer.agentID] == nil
        var agent =
            agents[offer.agentID]
            ?? AgentRecord(agentID: offer.agentID, name: offer.hostname, attributes: offer.attributes, firstSeen: now)
        agent.failed = false
        agent.lastSeen = now
        agent.attributes = offer.attributes
        let offered = self.offers.values.filter { $0.offer.agentID == offer.agentID }
            .reduce(Resources.zero) { $0 + $1.offer.resources }
        agent.available = offered
        let total = (offered + agent.used).scalars
        if total.milliCPUs > agent.capacity.milliCPUs || total.memoryMiB > agent.capacity.memoryMiB
            || total.diskMiB > agent.capacity.diskMiB
        {
            agent.capacity = Resources(
                milliCPUs: max(total.milliCPUs, agent.capacity.milliCPUs),
                memoryMiB: max(total.memoryMiB, agent.capacity.memoryMiB),
                diskMiB: max(total.diskMiB, agent.capacity.diskMiB))
            dirtyNodes.insert(offer.agentID)
        }
        if let previous = agentByName[offer.hostname], previous != offer.agentID {
            agents[previous]?.failed = true  // the agent came back under a new id
        }
        agentByName[offer.hostname] = offer.agentID
        agents[offer.agentID] = agent
        if isNew || agent.heartbeatWritten == nil { dirtyNodes.insert(offer.agentID) }
        wakeWriter()
    }

    // MARK: - Calls

    /// Sends calls in order (one drain at a time, so reentrant sends do not overtake each other).
    func send(_ calls: [Call]) {
        outbox += calls
        guard !draining, frameworkID != nil else { return }
        draining = true
        Task { await self.drain() }
    }

    private func drain() async {
        while !outbox.isEmpty, let frameworkID {
            let call = outbox.removeFirst()
            await transport.send(call, from: frameworkID)
        }
        draining = false
    }

    func wakeWriter() { writerWake.yield() }
    func requestSchedule() { scheduleWake.yield() }
}

/// What the kubelet part knows of an agent.
struct AgentRecord: Sendable {
    var agentID: AgentID
    var name: String
    var attributes: Labels
    var firstSeen: Instant
    var lastSeen: Instant
    /// Largest total seen (offered + used by this framework): the node's capacity.
    var capacity = Resources.zero
    /// Free as last offered, less what was launched since.
    var available = Resources.zero
    /// Used by this framework's live tasks.
    var used = Resources.zero
    var failed = false
    var heartbeatWritten: Instant?
    /// Pods of each controller owner placed here, for spreading.
    var ownerCounts: [String: Int] = [:]

    init(agentID: AgentID, name: String, attributes: Labels, firstSeen: Instant) {
        self.agentID = agentID
        self.name = name
        self.attributes = attributes
        self.firstSeen = firstSeen
        self.lastSeen = firstSeen
    }
}

/// A Node's user-set scheduling fields.
struct NodeSpec: Sendable {
    var labels: [String: String]
    var taints: [Taint]
    var unschedulable: Bool
}

/// A pod waiting for a node.
struct PendingPod: Sendable {
    var pod: JSONValue
    var sequence: Int
    var requirements: PodRequirements
    /// The offer generation at which it was last found unschedulable, and the message then written.
    var failedGeneration: Int?
    var message: String?
    var messageWritten: String?
}
