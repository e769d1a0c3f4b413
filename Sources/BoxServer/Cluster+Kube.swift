import BoxCore
import BoxDiscovery
import BoxKube
import BoxStore
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// The Kubernetes API of the cluster: `KubeAPI` over the cluster's store, served over HTTPS with a bearer token
/// on `config.host:config.kubePort` (reference §1).
extension Cluster {
    /// The API, its HTTP handler, its credentials (made at the first start, reused after) and the allocator of
    /// Services' cluster IPs (from the registry's Kubernetes range), which admission calls.
    static func kubernetes(
        _ config: ClusterConfig, store: SQLiteStore, clock: any ClusterClock, registry: RegistryConfiguration,
        logger: Logger
    ) throws(ClusterError) -> (KubeAPI, KubeHandler, KubePKI, ServiceIPAllocator) {
        let pki = try KubePKI.loadOrCreate(dataDirectory: config.dataDirectory, host: config.host)
        guard let allocator = ServiceIPAllocator(cidr: registry.serviceIPRange, reserved: ["\(registry.dnsAddress)"])
        else { throw .discovery("invalid Kubernetes service range \(registry.serviceIPRange)") }
        let api = KubeAPI(
            store: store, clock: clock, admission: DefaultAdmission(serviceIPs: allocator.assign),
            logger: Self.logger(logger, "kube"))
        let handler = KubeHandler(api: api, token: pki.token, serverAddress: "\(config.host):\(config.kubePort)")
        return (api, handler, pki, allocator)
    }

    /// The controller manager with every controller: workloads, batch, services, nodes, namespaces, garbage.
    /// The node lifecycle controller's timings come from `up --agent-timeout` and `--pod-eviction-timeout`.
    static func kubeControllers(
        _ config: ClusterConfig, api: KubeAPI, clock: any ClusterClock, logger: Logger
    ) -> ControllerManager {
        let nodeLifecycle = NodeLifecycleController(
            gracePeriod: config.nodeGracePeriod,
            evictionTimeout: config.podEvictionTimeout ?? ClusterConfig.defaultPodEvictionTimeout)
        let controllers: [any Controller] = [
            ReplicaSetController(type: .replicaSet), ReplicaSetController(type: .replicationController),
            DeploymentController(), JobController(), CronJobController(), EndpointsController(),
            EndpointSliceController(), nodeLifecycle, NamespaceController(), ServiceAccountController(),
            GarbageCollector(),
        ]
        return ControllerManager(
            api: api, controllers: controllers, clock: clock, logger: Self.logger(logger, "kube-controllers"))
    }

    /// The Kubernetes services of the cluster's group: the controller manager, the scheduler and kubelet framework,
    /// and the feed of Services and Endpoints into discovery.
    func kubeRunners() async -> [any Service] {
        await kubeNodes.findSandboxes { [weak self] task in await self?.sandbox(of: task) }
        let nodes = kubeNodes
        kubeHandler.logSource = { request throws(KubeError) in
            try await KubeLogs.stream(request, nodes: nodes)
        }
        return [
            Runner("kube-controllers", shutdown: shutdown) { await self.kubeControllers.run() },
            Runner("kube-nodes", shutdown: shutdown) { await self.kubeNodes.run() },
            Runner("kube-discovery", shutdown: shutdown) {
                await Self.feedKubeDiscovery(
                    api: self.kube, discovery: self.discovery, allocator: self.serviceIPs,
                    logger: Self.logger(self.logger, "kube-discovery"))
            },
        ]
    }

    /// The namespaces every cluster starts with.
    func bootstrapKube() async throws {
        do {
            try await kube.bootstrap()
        } catch {
            throw ClusterError.store("cannot create the Kubernetes namespaces: \(error)")
        }
    }

    /// The HTTPS server of the Kubernetes API, a service of the cluster's group (stopped before the master).
    func kubeServer() throws -> any Service {
        let tls: TLSConfiguration
        do {
            tls = try kubePKI.tlsConfiguration()
        } catch {
            throw ClusterError.dataDirectory(
                KubePKI.directory(config.dataDirectory), "cannot load the Kubernetes API's TLS certificate: \(error)")
        }
        let url = config.kubeURL
        return Application(
            responder: KubeRouter.build(handler: kubeHandler), server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(config.host, port: config.kubePort), serverName: "clusterbox"),
            onServerRunning: { [progress] _ in
                progress("kubernetes listening on \(url) (kubectl: clusterbox kubectl -- get ns)")
            },
            logger: Self.logger(logger, "http"))
    }
}
