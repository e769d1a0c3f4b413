import BoxAgent
import BoxCore
import BoxKube
import BoxMaster
import BoxStore
import Foundation
import Logging
import Synchronization
import Testing

/// A whole Kubernetes-on-clusterbox in process, on the real clock: a master, simulated agents (and optionally a
/// process agent running real shell commands), the API over an in-memory store with every object admitted, and
/// the scheduler/kubelet under test.
struct KubeNodesCluster {
    let master: MasterService
    let api: KubeAPI
    let nodes: KubeNodes
    let agents: [AgentService]
    let running: Task<Void, Never>
    /// The process agents' sandbox roots, removed by `stop`.
    var sandboxes: [String] = []

    static func start(
        simulated: Int = 3, process: Int = 0, resources: Resources = Resources(cpus: 4, memoryMiB: 8192)
    ) async throws -> KubeNodesCluster {
        let clock = SystemClock()
        var logger = Logger(label: "kube-nodes-test")
        logger.logLevel = .warning
        let master = MasterService(config: MasterConfig(masterID: "test"), clock: clock, logger: logger)
        let uplink = InProcessAgentUplink(master: master)
        var agents: [AgentService] = []
        for index in 0..<simulated {
            var own = resources
            own.ports = PortRanges([31000...32000])
            agents.append(
                AgentService(
                    name: "sim-\(index + 1)", resources: own, attributes: ["kind": "simulated"],
                    executor: SimulatedExecutor(seed: UInt64(index + 1), clock: clock), uplink: uplink, clock: clock,
                    logger: logger, heartbeatInterval: .seconds(1)))
        }
        var sandboxes: [String] = []
        for index in 0..<process {
            let sandbox = FileManager.default.temporaryDirectory.path + "/kube-nodes-\(UUID().uuidString)"
            sandboxes.append(sandbox)
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
            var own = resources
            // Each cluster's process agents get ports of their own: suites run side by side.
            let base = Self.nextPortBase() + index * 100
            own.ports = PortRanges([UInt16(base)...UInt16(base + 99)])
            agents.append(
                AgentService(
                    name: "agent-\(index + 1)", resources: own,
                    attributes: ["kind": "process", "address": "127.0.0.1"],
                    executor: ProcessExecutor(
                        sandboxRoot: sandbox, hostname: "127.0.0.1", clock: clock, logger: logger),
                    uplink: uplink, clock: clock, logger: logger, heartbeatInterval: .seconds(1), killGrace: .seconds(1)
                ))
        }
        let api = KubeAPI(store: InMemoryStore(), clock: clock, admission: AdmitAll(), logger: logger)
        try await api.bootstrap()
        let nodes = KubeNodes(
            api: api, transport: InProcessSchedulerTransport(master: master), clock: clock, logger: logger)
        let started = agents
        let running = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await master.run() }
                for agent in started { group.addTask { await agent.run() } }
                group.addTask { await nodes.run() }
            }
        }
        return KubeNodesCluster(
            master: master, api: api, nodes: nodes, agents: started, running: running, sandboxes: sandboxes)
    }

    /// 41000, 41400, 41800, …: room for four process agents per cluster, wrapping before 47400. Above the CLI test
    /// clusters' task ports (10000 to 39999, 300 per cluster): a probe test's server once found its port taken.
    static func nextPortBase() -> Int {
        portBlock.withLock { block in
            defer { block = (block + 1) % 16 }
            return 41000 + block * 400
        }
    }

    func stop() async {
        running.cancel()
        await running.value
        for sandbox in sandboxes { try? FileManager.default.removeItem(atPath: sandbox) }
    }

    /// Polls `check` every `interval` until it answers non-nil; records an issue after `timeout`.
    @discardableResult
    func wait<T>(
        _ what: String, timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(20),
        sourceLocation: SourceLocation = #_sourceLocation,
        _ check: () async throws -> T?
    ) async throws -> T? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await check() { return value }
            try await Task.sleep(for: interval)
        }
        Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
        return nil
    }

    func pod(_ name: String) async -> JSONValue? { try? await api.get(.pod, namespace: "default", name: name) }

    /// A pod with one container.
    static func podJSON(
        _ name: String, image: String = "busybox", command: [String]? = nil, requests: [String: String] = [:],
        restartPolicy: String? = nil, extra: [String: JSONValue] = [:], annotations: [String: String] = [:],
        ports: [JSONValue] = []
    ) -> JSONValue {
        var container: JSONValue = ["name": "main", "image": .string(image)]
        if let command { container.set(["command"], .array(command.map { .string($0) })) }
        if !requests.isEmpty { container.set(["resources", "requests"], JSONValue(stringMap: requests)) }
        if !ports.isEmpty { container.set(["ports"], .array(ports)) }
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
            "spec": ["containers": [container]],
        ]
        if !annotations.isEmpty { pod.set(["metadata", "annotations"], JSONValue(stringMap: annotations)) }
        if let restartPolicy { pod.set(["spec", "restartPolicy"], .string(restartPolicy)) }
        for (key, value) in extra { pod.set(["spec", key], value) }
        return pod
    }

    static func phase(_ pod: JSONValue?) -> String? { pod?[path: ["status", "phase"]]?.stringValue }

    static func condition(_ pod: JSONValue?, _ type: String) -> JSONValue? {
        pod?[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}

/// The next block of process-agent ports for `KubeNodesCluster.nextPortBase`.
private let portBlock = Mutex(0)
