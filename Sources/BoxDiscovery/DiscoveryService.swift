import BoxCore
public import Logging
public import NIOCore
import Synchronization

/// Owns service discovery at run time: the registry, the DNS server that answers from it and the load balancer
/// that follows it. Changes arrive through `submit` from any thread, in order, and are never dropped; the service
/// applies whatever has arrived as one batch, then publishes new zones to the DNS server (visible to the next query)
/// and new backend sets to the load balancer.
public actor DiscoveryService {
    public nonisolated let configuration: DiscoveryConfiguration
    private var registry: ServiceRegistry
    public private(set) var virtualServices: [VirtualServiceEntry] = []
    /// Listeners the load balancer could not open (a VIP port below 1024 without root, a port in use).
    public private(set) var listenerFailures: [String] = []
    public nonisolated let zones: DNSZoneSource
    public nonisolated let balancer: LoadBalancer
    private let group: any EventLoopGroup
    private let logger: Logger
    private var dns: DNSServer?
    /// Changes not yet applied; `wake` carries at most one pending signal, so a burst is one batch.
    private nonisolated let inbox = Mutex<[RegistryChange]>([])
    private nonisolated let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private nonisolated let environmentBox = Mutex<[String: String]>([:])
    /// Kubernetes Service variables by namespace.
    private nonisolated let kubeEnvironmentBox = Mutex<[String: [String: String]]>([:])
    /// Batches applied, for tests and `/metrics`.
    public private(set) var batchesApplied = 0

    public init(configuration: DiscoveryConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        registry = ServiceRegistry(configuration: configuration.registry)
        zones = DNSZoneSource(DNSZoneAnswerer(zones: []))
        balancer = LoadBalancer(group: group, logger: logger)
        self.group = group
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a change; it takes effect within the next batch (microseconds when the service is idle).
    public nonisolated func submit(_ change: RegistryChange) {
        inbox.withLock { $0.append(change) }
        wake.yield()
    }

    /// What a task about to start gets: Kubernetes-style `NAME_SERVICE_HOST`/`NAME_SERVICE_PORT` for the Marathon
    /// virtual services that exist now and for the Kubernetes Services of `namespace` (a pod's namespace; Mesos
    /// tasks get `default`'s), the latter winning a clash, and `CLUSTERBOX_DNS_ADDRESS`/`CLUSTERBOX_DNS_PORT` (a
    /// process task shares the host's `/etc/resolv.conf`, so it asks the cluster DNS by name).
    public nonisolated func serviceEnvironment(namespace: String = "default") -> [String: String] {
        var environment = environmentBox.withLock { $0 }
        let kube = kubeEnvironmentBox.withLock { $0[namespace] ?? [:] }
        environment.merge(kube) { _, kube in kube }
        environment["CLUSTERBOX_DNS_ADDRESS"] = configuration.dns.host
        environment["CLUSTERBOX_DNS_PORT"] = "\(dnsPort)"
        return environment
    }

    /// Binds the DNS server (UDP and TCP) and publishes the first zones; throws when the address cannot be bound.
    public func start() async throws {
        _ = rebuild()
        let server = try await DNSServer.start(configuration.dns, zones: zones, group: group, logger: logger)
        dns = server
        boundPort.withLock { $0 = server.port }
        logger.info("DNS server listening", metadata: ["dns.address": "\(configuration.dns.host):\(dnsPort)"])
    }

    /// The DNS server's bound port (the configured one, or the one the system chose for port 0).
    public nonisolated var dnsPort: Int { boundPort.withLock { $0 } ?? configuration.dns.port }
    private nonisolated let boundPort = Mutex<Int?>(nil)

    public var dnsStatistics: DNSServerStatistics { dns?.statistics ?? DNSServerStatistics() }

    /// Applies changes in batches until cancelled, then closes the DNS server and the load balancer.
    public func run() async {
        for await _ in wakes {
            let batch = inbox.withLock { changes in
                defer { changes.removeAll(keepingCapacity: true) }
                return changes
            }
            guard !batch.isEmpty else { continue }
            for change in batch { registry.apply(change) }
            await publish()
            batchesApplied += 1
        }
        await shutdown()
    }

    /// Stops listening: DNS first, then the load balancer's listeners.
    public func shutdown() async {
        wake.finish()
        await dns?.shutdown()
        dns = nil
        await balancer.shutdown()
    }

    /// New zones and environment from the registry; answers whether the virtual services changed.
    private func rebuild() -> Bool {
        let services = registry.virtualServices()
        zones.update(
            DNSZoneAnswerer(
                zones: registry.zones(virtualServices: services),
                outsideZones: configuration.dns.forwarders.isEmpty ? .refuse : .forward))
        environmentBox.withLock { $0 = ServiceRegistry.environment(for: services) }
        let kube = registry.kubeEnvironments()
        kubeEnvironmentBox.withLock { $0 = kube }
        defer { virtualServices = services }
        return services != virtualServices
    }

    private func publish() async {
        guard rebuild() else { return }
        let failures = await balancer.apply(virtualServices.map(VirtualService.init))
        listenerFailures = failures.map(\.description)
        for failure in failures { logger.warning("Virtual service not served: \(failure)") }
    }

    /// The registry as it stands, for `/discovery/v1/services`: each task with its readiness, its A name and the
    /// SRV names of each port.
    public func tasks() -> [(task: RegisteredTask, ready: Bool, name: DNSName?, srv: [UInt16: [DNSName]])] {
        registry.sortedTasks.map { task in
            let names = registry.dnsNames(of: task)
            return (task, registry.isReady(task), names.name, names.srv)
        }
    }
}

/// Where the DNS server listens and what the registry serves.
public struct DiscoveryConfiguration: Sendable {
    public var registry: RegistryConfiguration
    public var dns: DNSServerConfiguration

    public init(registry: RegistryConfiguration, dns: DNSServerConfiguration) {
        self.registry = registry
        self.dns = dns
    }
}

extension VirtualService {
    /// The load balancer's view of a registry entry.
    public init(_ entry: VirtualServiceEntry) {
        self.init(
            name: entry.name, address: "\(entry.address)", port: Int(entry.port),
            backends: entry.backends.map {
                Backend(id: TaskID($0.task.taskID), host: "\($0.address)", port: Int($0.port))
            })
    }
}
