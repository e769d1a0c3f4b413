/// The live map of services to endpoints, as a pure value: changes go in (`apply`), and DNS zones, virtual
/// services and task environments come out. It never does IO; the discovery service that owns it applies changes in
/// batches and hands the results to the DNS server and the load balancer.
public struct ServiceRegistry: Sendable {
    public let configuration: RegistryConfiguration
    public private(set) var tasks: [TaskKey: RegisteredTask] = [:]
    /// What frameworks said about their tasks' readiness, by task id.
    private var readiness: [String: Bool] = [:]
    /// Agents with a network address, by agent id.
    public private(set) var agents: [String: (name: String, address: IPv4Octets)] = [:]
    public internal(set) var pool: VirtualIPPool
    /// Kubernetes Services and their Endpoints, by namespace/name.
    public private(set) var kubeServices: [KubeServiceKey: KubeService] = [:]
    public private(set) var kubeEndpoints: [KubeServiceKey: KubeEndpoints] = [:]
    /// Counts changes: the SOA serial, so a secondary (or a curious user) sees that answers moved.
    public private(set) var generation: UInt32 = 1

    public init(configuration: RegistryConfiguration) {
        self.configuration = configuration
        pool = configuration.virtualIPPool
    }

    public mutating func apply(_ change: RegistryChange) {
        switch change {
        case .running(let task): tasks[task.key] = task
        case .stopped(let key): tasks.removeValue(forKey: key)
        case .readiness(let taskID, let ready): readiness[taskID] = ready
        case .agent(let id, let name, let address): agents[id] = (name, address)
        case .agentLeft(let id): agents.removeValue(forKey: id)
        case .kubeService(let service): kubeServices[service.key] = service
        case .kubeEndpoints(let endpoints): kubeEndpoints[endpoints.key] = endpoints
        case .kubeServiceDeleted(let key):
            kubeServices.removeValue(forKey: key)
            kubeEndpoints.removeValue(forKey: key)
        case .kubeEndpointsDeleted(let key): kubeEndpoints.removeValue(forKey: key)
        }
        generation &+= 1
    }

    /// Running, and not called unready by its framework.
    public func isReady(_ task: RegisteredTask) -> Bool { readiness[task.key.taskID] ?? true }

    /// Running tasks in a stable order (framework, task id).
    public var sortedTasks: [RegisteredTask] { tasks.values.sorted { $0.key < $1.key } }

    /// Kubernetes Services in a stable order (namespace, name).
    public var sortedKubeServices: [KubeService] { kubeServices.values.sorted { $0.key < $1.key } }
}

/// Where discovery's names point and which names it serves.
public struct RegistryConfiguration: Sendable {
    /// Mesos-DNS's domain.
    public var mesosDomain: DNSName = "mesos."
    /// The zone of DC/OS-style named VIPs: `/web:80` is `web.marathon.l4lb.thisdcos.directory:80`.
    public var vipDomain: DNSName = "l4lb.thisdcos.directory."
    /// Kubernetes' cluster domain.
    public var clusterDomain: DNSName = "cluster.local."
    /// The DNS server's address: `ns1.<mesosDomain>`.
    public var dnsAddress: IPv4Octets
    public var masterAddress: IPv4Octets
    public var masterPort: UInt16
    /// The virtual IP range, whole octets: "127.96.0.0/16".
    public var virtualIPRange: String
    public var ttlSeconds: UInt32 = DNSRecord.defaultTTLSeconds
    /// Kubernetes' Service range, whole octets: the API hands cluster IPs out of it (`ServiceIPAllocator`), apart
    /// from the Marathon VIPs of `virtualIPRange`, so neither side can give away the other's address. The registry
    /// serves its reverse zone; a cluster IP that still lands in `virtualIPRange` is claimed there (see
    /// `VirtualIPPool.claim`).
    public var serviceIPRange: String = "127.97.0.0/16"
    /// Where NodePort and LoadBalancer Services listen on their node ports (the one "node" is this host).
    public var nodePortAddress: IPv4Octets = IPv4Octets(127, 0, 0, 1)

    public init(dnsAddress: IPv4Octets, masterAddress: IPv4Octets, masterPort: UInt16, virtualIPRange: String) {
        self.dnsAddress = dnsAddress
        self.masterAddress = masterAddress
        self.masterPort = masterPort
        self.virtualIPRange = virtualIPRange
    }

    /// The pool for `virtualIPRange`, with the DNS server's address reserved; a range the pool refuses is a
    /// programmer error (the CLI checks it first with `VirtualIPPool(cidr:)`).
    var virtualIPPool: VirtualIPPool {
        guard let pool = VirtualIPPool(cidr: virtualIPRange, reserved: [dnsAddress]) else {
            preconditionFailure("invalid virtual IP range \(virtualIPRange)")
        }
        return pool
    }
}
