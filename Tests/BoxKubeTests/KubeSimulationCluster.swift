import BoxAgent
import BoxCore
import BoxMaster
import BoxStore
import Foundation
import Logging
import Synchronization

@testable import BoxKube

/// The whole Kubernetes-on-clusterbox in process, on the real clock with short timeouts, for the simulation: a
/// master, `agentCount` simulated agents each of which can be lost (its `run` cancelled: it stops heartbeating and
/// its tasks are gone, as in a crash) and brought back (a fresh agent of the same name), the API with the real
/// admission over an in-memory store, the controllers the rollout needs and the scheduler/kubelet (`KubeNodes`).
///
/// Timings (all shortened from the defaults so that a lost agent is handled within seconds): agents heartbeat
/// every second; the master marks an agent unreachable after 5 s of silence and removes it 10 s later; the node
/// lifecycle controller marks a Node NotReady 20 s after its last heartbeat (KubeNodes writes one every 10 s) and
/// evicts its pods 1 s after that.
final class KubeSimulationCluster: Sendable {
    static let masterConfig: MasterConfig = {
        var config = MasterConfig(masterID: "ksim")
        config.agentHeartbeatTimeout = .seconds(5)
        config.agentRemovalTimeout = .seconds(10)
        return config
    }()
    static let nodeGracePeriod: Duration = .seconds(20)
    static let evictionTimeout: Duration = .seconds(1)

    let clock = SystemClock()
    let store: InMemoryStore
    let master: MasterService
    let api: KubeAPI
    let nodes: KubeNodes
    let manager: ControllerManager
    let agents: SimulatedAgentPool
    private let running: Mutex<Task<Void, Never>?> = Mutex(nil)

    init(agentCount: Int) {
        var logger = Logger(label: "kube-sim")
        // KUBE_SIM_LOG=warning|info|debug shows the cluster's own log, for a failing seed.
        logger.logLevel =
            ProcessInfo.processInfo.environment["KUBE_SIM_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        // Room for the checker's watch of every change: it must never be compacted away under it.
        store = InMemoryStore(historyLimit: 200_000, watchBufferLimit: 200_000)
        master = MasterService(config: Self.masterConfig, clock: clock, logger: logger)
        api = KubeAPI(
            store: store, clock: clock, admission: DefaultAdmission(serviceIPs: { _, _ in nil }), logger: logger)
        nodes = KubeNodes(
            api: api, transport: InProcessSchedulerTransport(master: master), clock: clock, logger: logger)
        manager = ControllerManager(
            api: api,
            controllers: [
                ReplicaSetController(type: .replicaSet), DeploymentController(),
                NodeLifecycleController(gracePeriod: Self.nodeGracePeriod, evictionTimeout: Self.evictionTimeout),
                GarbageCollector(),
            ], clock: clock, logger: logger)
        agents = SimulatedAgentPool(count: agentCount, master: master, clock: clock, logger: logger)
    }

    /// Starts the master, every agent, the controllers and KubeNodes.
    func start() async throws {
        try await api.bootstrap()
        let master = master
        let nodes = nodes
        let manager = manager
        running.withLock {
            $0 = Task {
                await withDiscardingTaskGroup { group in
                    group.addTask { await master.run() }
                    group.addTask { await nodes.run() }
                    group.addTask { await manager.run() }
                }
            }
        }
        await agents.startAll()
    }

    /// Stops the agents, then the control plane; returns once everything has ended.
    func stop() async {
        await agents.stopAll()
        let task = running.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    /// Agents the master counts as active, with the tasks it has on them.
    func liveAgentTasks() async -> [(hostname: String, tasks: Int)] {
        let core = await master.snapshot()
        return core.agents.values.filter(\.isActive).map { ($0.hostname, $0.tasks.count) }
    }
}

/// The simulated agents, each running in its own task so that one can be lost (cancelled) and brought back.
actor SimulatedAgentPool {
    private let count: Int
    private let master: MasterService
    private let clock: SystemClock
    private let logger: Logger
    private var runs: [Int: Task<Void, Never>] = [:]
    /// Incarnations started per agent, so that a returning agent's executor gets a seed of its own.
    private var starts: [Int: Int] = [:]

    init(count: Int, master: MasterService, clock: SystemClock, logger: Logger) {
        self.count = count
        self.master = master
        self.clock = clock
        self.logger = logger
    }

    static func name(_ index: Int) -> String { "sim-\(index + 1)" }

    func startAll() { for index in 0..<count { start(index) } }

    /// Starts agent `index` (afresh: a new agent of the same name, without tasks) unless it runs.
    func start(_ index: Int) {
        guard runs[index] == nil else { return }
        starts[index, default: 0] += 1
        var resources = Resources(cpus: 4, memoryMiB: 8192)
        resources.ports = PortRanges([31000...32000])
        let agent = AgentService(
            name: Self.name(index), resources: resources, attributes: ["kind": "simulated"],
            executor: SimulatedExecutor(seed: UInt64(index * 1000 + starts[index, default: 1]), clock: clock),
            uplink: InProcessAgentUplink(master: master), clock: clock, logger: logger,
            heartbeatInterval: .seconds(1))
        runs[index] = Task { await agent.run() }
    }

    /// Loses agent `index` like a crash: its run is cancelled, so it stops heartbeating and its tasks are gone
    /// (their ends are never reported). Returns once it has stopped.
    func lose(_ index: Int) async {
        guard let run = runs.removeValue(forKey: index) else { return }
        run.cancel()
        await run.value
    }

    /// The agents not running now (lost and not back).
    var down: [Int] { (0..<count).filter { runs[$0] == nil } }

    func stopAll() async {
        let all = runs
        runs = [:]
        for run in all.values { run.cancel() }
        for run in all.values { await run.value }
    }
}
