import BoxCore
import BoxDiscovery
import BoxMarathon
import BoxMaster
import Foundation

/// Feeding service discovery: the master tells it, synchronously and in order, of every task that starts or stops
/// running and every agent that comes or goes; Marathon tells it which of its tasks are ready (healthy).
extension Cluster {
    /// The discovery configuration for `config`, checked: an IPv4 DNS address, a virtual IP range of whole octets
    /// inside 127.0.0.0/8.
    static func discoveryConfiguration(_ config: ClusterConfig) throws(ClusterError) -> DiscoveryConfiguration {
        guard let dnsAddress = IPv4Octets(config.dnsHost), dnsAddress.bytes[0] == 127 else {
            throw .discovery("the DNS address \(config.dnsHost) is not an IPv4 loopback address (127.x.y.z)")
        }
        guard VirtualIPPool(cidr: config.virtualIPRange) != nil else {
            throw .discovery(
                "the virtual IP range \(config.virtualIPRange) must be 127.x.0.0/16, 127.x.y.0/24 or 127.0.0.0/8")
        }
        let master = IPv4Octets(config.host) ?? IPv4Octets(127, 0, 0, 1)
        guard VirtualIPPool(cidr: config.serviceIPRange) != nil else {
            throw .discovery(
                "the service IP range \(config.serviceIPRange) must be 127.x.0.0/16, 127.x.y.0/24 or 127.0.0.0/8")
        }
        var registry = RegistryConfiguration(
            dnsAddress: dnsAddress, masterAddress: master, masterPort: UInt16(config.masterPort),
            virtualIPRange: config.virtualIPRange)
        registry.serviceIPRange = config.serviceIPRange
        let forwarders =
            config.dnsForward ? DNSServer.hostResolvers(resolvConf: "/etc/resolv.conf", excluding: config.dnsHost) : []
        return DiscoveryConfiguration(
            registry: registry,
            dns: DNSServerConfiguration(host: config.dnsHost, port: config.dnsPort, forwarders: forwarders))
    }

    /// Connects the master and Marathon to discovery, starting from the master's current state.
    func feedDiscovery() async {
        let discovery = self.discovery
        let initial = await master.observe { event, core in
            if let change = Self.registryChange(for: event, in: core) { discovery.submit(change) }
        }
        for agent in initial.agents.values {
            if let change = Self.agentChange(agent) { discovery.submit(change) }
        }
        for (ref, entry) in initial.tasks where entry.state == .running {
            if let change = Self.runningChange(ref, in: initial) { discovery.submit(change) }
        }
        await marathon.observeTasks { task in
            // Staged tasks are not ready until Marathon sees them running and passing their health checks.
            discovery.submit(.readiness(taskID: task.id.value, ready: task.state.isTerminal ? nil : task.isHealthy))
        }
    }

    static func registryChange(for event: ClusterEvent, in core: MasterCore) -> RegistryChange? {
        switch event.kind {
        case .launch, .taskUpdate, .taskError:
            guard let frameworkID = event.frameworkID, let taskID = event.taskID, let state = event.state,
                state != .staging, state != .starting
            else { return nil }
            let ref = TaskRef(frameworkID, taskID)
            if state == .running, let change = runningChange(ref, in: core) { return change }
            return .stopped(TaskKey(frameworkID: frameworkID.value, taskID: taskID.value))
        case .agentAdded, .agentReregistered:
            return event.agentID.flatMap { core.agents[$0] }.flatMap(agentChange)
        case .agentUnreachable, .agentRemoved:
            return event.agentID.map { .agentLeft(id: $0.value) }
        default:
            return nil
        }
    }

    /// A running task on an agent with a network address (process agents; simulated ones have none).
    static func runningChange(_ ref: TaskRef, in core: MasterCore) -> RegistryChange? {
        guard let entry = core.tasks[ref], let agent = core.agents[entry.info.agentID],
            let address = agent.attributes["address"].flatMap(IPv4Octets.init)
        else { return nil }
        let info = entry.info
        let ports = info.discovery?.ports ?? info.resources.ports.ports.map { DiscoveryPort(number: $0) }
        return .running(
            RegisteredTask(
                key: TaskKey(frameworkID: ref.frameworkID.value, taskID: ref.taskID.value),
                framework: core.frameworks[ref.frameworkID]?.info.name ?? ref.frameworkID.value, name: info.name,
                serviceName: info.discovery?.name, agent: agent.hostname, address: address, ports: ports,
                labels: info.labels.merging(info.discovery?.labels ?? [:]) { own, _ in own }))
    }

    static func agentChange(_ agent: AgentEntry) -> RegistryChange? {
        guard agent.isActive, let address = agent.attributes["address"].flatMap(IPv4Octets.init) else { return nil }
        return .agent(id: agent.id.value, name: agent.hostname, address: address)
    }
}
