public import BoxAgent
public import BoxBatch
public import BoxCore
public import BoxDiscovery
import BoxImages
public import BoxKube
public import BoxMarathon
public import BoxMaster
public import BoxRuntime
public import BoxStore
import Foundation
import Hummingbird
public import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// One cluster in one process: the store, the master, the agents, the batch framework and the HTTP API, run as
/// services of one `ServiceGroup` in dependency order and stopped in reverse (the API first, the master last), so
/// that every task is killed before the process exits.
public final class Cluster: Sendable {
    public let config: ClusterConfig
    public let store: SQLiteStore
    public let master: MasterService
    public let agents: [AgentService]
    public let batch: BatchService
    public let marathon: MarathonService
    public let discovery: DiscoveryService
    public let clock: any ClusterClock
    /// The Kubernetes API over the store, its HTTP side and its credentials (`Cluster+Kube.swift`).
    public let kube: KubeAPI
    public let kubeHandler: KubeHandler
    public let kubePKI: KubePKI
    public let kubeControllers: ControllerManager
    public let kubeNodes: KubeNodes
    let serviceIPs: ServiceIPAllocator
    let logger: Logger
    /// Lines for whoever started the cluster: each component as it comes up (also systemd's `STATUS=`).
    let progress: @Sendable (String) -> Void
    /// systemd's notify socket when run as a `Type=notify` service, else a no-op (`Cluster+Systemd.swift`).
    public let notifier: ServiceNotifier
    /// Set when graceful shutdown begins, so that services whose inputs close early wait for their turn.
    let shutdown = ShutdownLatch()

    public init(
        config: ClusterConfig, logger: Logger, notifier: ServiceNotifier = .fromEnvironment(),
        progress: @escaping @Sendable (String) -> Void
    ) throws(ClusterError) {
        self.config = config
        self.logger = logger
        self.notifier = notifier
        if let problem = notifier.settings.problem { logger.warning("systemd notify settings ignored: \(problem)") }
        self.progress = { line in
            progress(line)
            Self.notify(notifier, logger: logger) { notifier throws(NotifyError) in try notifier.status(line) }
        }
        let clock = SystemClock()
        self.clock = clock
        try Self.prepare(config.dataDirectory)
        try Self.checkPortFree(config.host, config.masterPort)
        try Self.checkPortFree(config.host, config.marathonPort)
        try Self.checkPortFree(config.host, config.kubePort)
        do {
            store = try SQLiteStore(path: config.databasePath)
        } catch {
            throw .store("\(error)")
        }
        var masterConfig = MasterConfig(masterID: Self.masterID())
        if let timeout = config.agentTimeout { masterConfig.agentHeartbeatTimeout = timeout }
        master = MasterService(config: masterConfig, clock: clock, logger: Self.logger(logger, "master"))
        let discovery = DiscoveryService(
            configuration: try Self.discoveryConfiguration(config), group: MultiThreadedEventLoopGroup.singleton,
            logger: Self.logger(logger, "discovery"))
        self.discovery = discovery
        (kube, kubeHandler, kubePKI, serviceIPs) = try Self.kubernetes(
            config, store: store, clock: clock, registry: discovery.configuration.registry, logger: logger)
        kubeControllers = Self.kubeControllers(config, api: kube, clock: clock, logger: logger)
        kubeNodes = KubeNodes(
            api: kube, transport: InProcessSchedulerTransport(master: master), clock: clock,
            logger: Self.logger(logger, "kube-nodes"), nodeStatusInterval: config.nodeStatusInterval)
        let uplink = InProcessAgentUplink(master: master)
        var containment =
            config.processAgents > 0 ? try Self.containment(config, logger: logger, progress: progress) : nil
        if containment != nil {
            let mounts = PreparedRootfs.unmountLeftovers(under: config.sandboxRoot)
            if mounts > 0 { progress("cleanup    unmounted \(mounts) task root filesystems left by a previous run") }
            containment?.images = try Self.imageStore(config, logger: logger)
            // resolv.conf cannot name a port: image tasks get the cluster DNS only when it listens on 53.
            if config.dnsPort == 53 {
                containment?.resolvConf = ServiceRegistry(configuration: discovery.configuration.registry).resolvConf()
            }
        }
        var agents: [AgentService] = []
        for index in 0..<config.processAgents {
            let name = "agent-\(index + 1)"
            let executor = ProcessExecutor(
                sandboxRoot: config.sandboxRoot, hostname: config.host, clock: clock,
                logger: Self.logger(logger, "agent"), containment: containment)
            var resources = config.processAgentResources
            resources.ports = config.ports(forAgent: index)
            agents.append(
                AgentService(
                    name: name, resources: resources, attributes: ["kind": "process", "address": config.host],
                    executor: executor, uplink: uplink, clock: clock, logger: Self.logger(logger, "agent", name),
                    heartbeatInterval: config.agentHeartbeatInterval, environment: { discovery.serviceEnvironment() }))
        }
        for index in 0..<config.simulatedAgents {
            let name = "sim-\(index + 1)"
            var resources = config.simulatedAgentResources
            resources.ports = PortRanges([31000...32000])
            let executor = SimulatedExecutor(
                seed: config.seed &+ UInt64(index), failureRate: config.simulatedFailureRate, clock: clock)
            agents.append(
                AgentService(
                    name: name, resources: resources, attributes: ["kind": "simulated"], executor: executor,
                    uplink: uplink, clock: clock, logger: Self.logger(logger, "agent", name),
                    heartbeatInterval: config.agentHeartbeatInterval))
        }
        self.agents = agents
        batch = BatchService(
            transport: InProcessSchedulerTransport(master: master), store: store, clock: clock,
            logger: Self.logger(logger, "batch"))
        marathon = MarathonService(
            transport: InProcessSchedulerTransport(master: master), store: store, clock: clock,
            logger: Self.logger(logger, "marathon"))
    }

    /// Runs every component until SIGTERM or SIGINT, then stops them in reverse order.
    public func run() async throws {
        if let line = systemdProgressLine { progress(line) }
        let revision = try await store.currentRevision()
        progress("store      ready: \(config.databasePath) (revision \(revision))")
        await restoreRoles()
        await marathon.findSandboxes { [weak self] task in await self?.sandbox(of: task) }
        await feedDiscovery()
        do {
            try await discovery.start()
        } catch {
            throw ClusterError.discovery(
                "DNS cannot listen on \(config.dnsHost):\(config.dnsPort): \(error) (choose another with --dns-port)")
        }
        let forwarding = discovery.configuration.dns.forwarders
        progress(
            "dns        \(config.dnsHost):\(discovery.dnsPort) udp+tcp, zones mesos, l4lb.thisdcos.directory, "
                + "cluster.local; other names \(forwarding.isEmpty ? "refused" : "forwarded to " + forwarding.joined(separator: ", "))"
        )
        progress(
            "vips       \(config.virtualIPRange) (Marathon), \(config.serviceIPRange) (Kubernetes Services), round robin"
        )
        try await bootstrapKube()
        let watcher = ReadinessWatcher(cluster: self)
        let app = Application(
            router: APIRouter.build(cluster: self),
            configuration: .init(address: .hostname(config.host, port: config.masterPort), serverName: "clusterbox"),
            onServerRunning: { _ in await watcher.serverRunning() },
            logger: Self.logger(logger, "http"))
        let marathonAPI = Application(
            responder: MarathonRouter.build(cluster: self),
            configuration: .init(address: .hostname(config.host, port: config.marathonPort), serverName: "marathon"),
            onServerRunning: { _ in await watcher.marathonRunning() },
            logger: Self.logger(logger, "http"))
        let services: [any Service] =
            [
                watchdogService(),
                Runner("discovery", shutdown: shutdown) { await self.discovery.run() },
                Runner("master", shutdown: shutdown) { await self.master.run() },
                Runner("agents", shutdown: shutdown) {
                    await withTaskGroup(of: Void.self) { group in
                        for agent in self.agents { group.addTask { await agent.run() } }
                    }
                },
                Runner("batch", shutdown: shutdown) { await self.batch.run() },
                Runner("marathon", shutdown: shutdown) { await self.marathon.run() },
            ] + (await kubeRunners()) + [
                Runner("readiness", shutdown: shutdown) { await watcher.run() },
                app,
                marathonAPI,
                try kubeServer(),
                // Last to start, first to stop: ends the event streams (SSE listeners, HTTP schedulers' SUBSCRIBE
                // streams) so that the server's graceful shutdown need not wait on them.
                Runner("event-streams") {
                    try? await Task.sleep(for: .seconds(100 * 365 * 86400))
                    self.shutdown.begin()
                    await self.master.closeStreams()
                    self.marathon.events.finishAll()
                },
                stoppingService(),
            ]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try? store.close()
        progress("stopped")
    }

    // MARK: - Roles

    static let roleKind = "master.roles"

    /// Changes a role's weight and/or quota and keeps the result in the store, so that it outlives a restart.
    @discardableResult
    public func updateRole(_ name: String, weight: Double?, quota: Resources?) async -> RolePolicy {
        let policy = await master.updateRole(name, weight: weight, quota: quota)
        await persist(role: name)
        return policy
    }

    /// Writes the role's current policy (read again after the write queue, so the last change wins).
    private func persist(role name: String) async {
        let policy = await master.snapshot().policy(of: name)
        let key = ObjectKey(kind: Self.roleKind, name: name)
        guard let value = try? JSONEncoder().encode(policy) else { return }
        do {
            try await store.put(key, value: Array(value))
        } catch {
            logger.warning("Could not store role \(name): \(error)")
        }
    }

    /// Roles set before a restart.
    private func restoreRoles() async {
        guard
            let (objects, _) = try? await store.list(
                kind: Self.roleKind, namespace: "", namePrefix: "", selector: .everything)
        else { return }
        for object in objects {
            guard let policy = try? JSONDecoder().decode(RolePolicy.self, from: Data(object.value)) else { continue }
            await master.setRole(object.key.name, policy)
        }
        if !objects.isEmpty { progress("roles      \(objects.count) restored from the store") }
    }

    // MARK: - Helpers

    /// Finds the agent that runs (or ran) a task, and the task's sandbox there.
    public func sandbox(of taskID: TaskID) async -> String? {
        for agent in agents {
            if let path = await agent.executor.sandbox(of: taskID) { return path }
        }
        return nil
    }

    static func logger(_ base: Logger, _ component: String, _ name: String? = nil) -> Logger {
        var logger = Logger(label: "clusterbox.\(component)", factory: { _ in base.handler })
        logger.logLevel = base.logLevel
        if let name { logger[metadataKey: "agent.name"] = "\(name)" }
        return logger
    }

    /// The name of a data directory's task cgroup subtree (`clusterbox-<this>`): one per data directory, so a
    /// restart after a crash finds its own leftovers and no one else's.
    static func cgroupCluster(_ dataDirectory: String) -> String {
        String(UInt32(truncatingIfNeeded: StableHash.fnv1a(dataDirectory)), radix: 16)
    }

    /// Stops the container tasks a daemon of `dataDirectory` left behind (killed, crashed, or stopped by `down`
    /// after its timeout): kills and removes its task cgroups, then the subtree. For `down`, once no daemon of the
    /// directory runs (the next `up` does the same). Answers how many task cgroups it removed; 0 where cgroups are
    /// not ours to write (not root).
    public static func removeLeftoverContainers(dataDirectory: String, logger: Logger) -> Int {
        guard getuid() == 0,
            let subtree = try? CgroupSubtree.detect(root: "clusterbox-" + cgroupCluster(dataDirectory), logger: logger)
        else { return 0 }
        let removed = subtree.removeLeftovers()
        do { try subtree.remove() } catch { logger.warning("cannot remove the task cgroup subtree: \(error)") }
        return removed
    }

    /// Containment for process agents as `config.executor` asks, saying which executor they use and why.
    static func containment(
        _ config: ClusterConfig, logger: Logger, progress: @Sendable (String) -> Void
    ) throws(ClusterError) -> Containment? {
        guard config.executor != .process else {
            progress("executor   process: each task a process group (--executor process)")
            return nil
        }
        switch Containment.detect(cluster: cgroupCluster(config.dataDirectory), logger: Self.logger(logger, "agent")) {
        case .success(let containment):
            let leftovers = containment.cgroups.removeLeftovers()
            if leftovers > 0 { progress("cleanup    removed \(leftovers) task cgroups left by a previous run") }
            progress(
                "executor   container: pid, mount, uts and ipc namespaces, seccomp, no new privileges, "
                    + "\(containment.cgroups.layout.description)")
            progress("cgroups    driver \(containment.cgroupDriver), tasks in \(containment.cgroups.root)")
            return containment
        case .failure(let unavailable) where config.executor == .auto:
            progress("executor   process: containers unavailable (\(unavailable))")
            return nil
        case .failure(let unavailable):
            throw .executor("containers are unavailable: \(unavailable)")
        }
    }

    /// The image store in `<data dir>/images`, where `clusterbox image` puts images and image tasks find them.
    static func imageStore(_ config: ClusterConfig, logger: Logger) throws(ClusterError) -> ImageStore {
        do {
            return try ImageStore(root: config.dataDirectory + "/images", logger: Self.logger(logger, "images"))
        } catch {
            throw .dataDirectory(config.dataDirectory + "/images", "\(error)")
        }
    }

    static func masterID() -> String { UUID().uuidString.lowercased() }

    static func prepare(_ directory: String) throws(ClusterError) {
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .dataDirectory(directory, (error as NSError).localizedDescription)
        }
        let probe = directory + "/.write-test-\(getpid())"
        guard manager.createFile(atPath: probe, contents: Data()) else {
            throw .dataDirectory(directory, "it is not writable")
        }
        try? manager.removeItem(atPath: probe)
    }

    /// Binds the port once to tell "in use" apart from every other failure before the server starts.
    public static func checkPortFree(_ host: String, _ port: Int) throws(ClusterError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 && errno == EADDRINUSE { throw .portInUse(host, port) }
    }
}

/// A long-lived component as a `Service`: cancelled on graceful shutdown.
struct Runner: Service {
    let name: String
    let shutdown: ShutdownLatch?
    let body: @Sendable () async -> Void

    init(_ name: String, shutdown: ShutdownLatch? = nil, body: @escaping @Sendable () async -> Void) {
        self.name = name
        self.shutdown = shutdown
        self.body = body
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await body() }
        // The frameworks' loops end as soon as the event streams close, which is the first step of the shutdown,
        // long before their own turn; returning then would fail the whole shutdown ("finished unexpectedly") and
        // make the process exit 1, which systemd's Restart=on-failure takes for a crash. Wait for the turn.
        if let shutdown, shutdown.hasBegun { try? await gracefulShutdown() }
    }
}

/// Set once graceful shutdown has begun (by the first service to stop), for `Runner`.
final class ShutdownLatch: Sendable {
    private let begun = Atomic<Bool>(false)

    var hasBegun: Bool { begun.load(ordering: .acquiring) }
    func begin() { begun.store(true, ordering: .releasing) }
}
