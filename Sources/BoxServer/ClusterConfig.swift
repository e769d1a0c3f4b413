public import BoxCore
import Foundation

/// How to boot a cluster: where its data lives, what listens where, which agents run.
public struct ClusterConfig: Sendable {
    public var dataDirectory: String
    public var host = "127.0.0.1"
    public var masterPort = 5050
    /// Marathon's `/v2` API, on its own port as in Marathon.
    public var marathonPort = 8080
    /// The Kubernetes API (HTTPS, bearer token), on kube-apiserver's usual port.
    public var kubePort = 6443
    /// Agents that run tasks as real processes.
    public var processAgents = 3
    /// How process agents run tasks: plain process groups, or containers (own cgroup, namespaces, seccomp; root
    /// only). `auto` (the default) picks containers when the host allows them, as a Mesos agent with the
    /// `cgroups/cpu,cgroups/mem,namespaces/pid,filesystem/linux` isolators would.
    public var executor = ExecutorChoice.auto
    /// In-process simulated agents, for scale and teaching.
    public var simulatedAgents = 0
    public var processAgentResources = Resources(cpus: 2, memoryMiB: 2048, diskMiB: 8192)
    public var simulatedAgentResources = Resources(cpus: 8, memoryMiB: 16_384, diskMiB: 100_000)
    /// Process agent N gets ports `firstPort + N*portsPerAgent …`: agents share the host's network, so their
    /// ranges must not overlap. Three agents of 500 (31000-32499) stay below Linux's ephemeral ports (32768 up),
    /// where an outgoing connection of any program may hold the port a task is given.
    public var firstPort: UInt16 = 31000
    public var portsPerAgent: UInt16 = 500
    /// The cluster DNS server: a loopback address of its own (so tasks' resolv.conf can name it), port 53 when
    /// root may bind it, a high port otherwise.
    public var dnsHost = "127.96.0.10"
    public var dnsPort = getuid() == 0 ? 53 : 1053
    /// Send names outside the cluster's zones to the host's resolvers (else REFUSED).
    public var dnsForward = true
    /// Virtual IPs of services; the DNS address inside it is reserved, as Kubernetes reserves kube-dns's.
    public var virtualIPRange = "127.96.0.0/16"
    /// Kubernetes Services' cluster IPs, a range of their own (as a Kubernetes service CIDR).
    public var serviceIPRange = "127.97.0.0/16"
    public var simulatedFailureRate = 0.0
    public var seed: UInt64 = 1
    /// `up --agent-timeout`: an agent silent this long is marked unreachable by the master; nil keeps the master's
    /// default (15 s). Agents heartbeat three times per timeout (at most every 5 s), and the Kubernetes node
    /// monitor follows (see `nodeGracePeriod`). The removal of an unreachable agent keeps its own default (60 s
    /// more), so a stopped agent started again within it comes back under its old id.
    public var agentTimeout: Duration?
    /// `up --pod-eviction-timeout`: how long a Node stays NotReady before its pods are evicted (deleted, so that
    /// their controllers replace them elsewhere); nil keeps the default (30 s).
    public var podEvictionTimeout: Duration?

    /// Default timings, for `agentTimeout` and `podEvictionTimeout` left unset.
    public static let defaultAgentTimeout: Duration = .seconds(15)
    public static let defaultPodEvictionTimeout: Duration = .seconds(30)
    public static let defaultNodeGracePeriod: Duration = .seconds(40)
    public static let defaultNodeStatusInterval: Duration = .seconds(10)

    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

    public var sandboxRoot: String { dataDirectory + "/sandboxes" }
    public var databasePath: String { dataDirectory + "/state.sqlite" }
    public var masterURL: String { "http://\(host):\(masterPort)" }
    public var marathonURL: String { "http://\(host):\(marathonPort)" }
    public var kubeURL: String { "https://\(host):\(kubePort)" }

    /// How often each agent heartbeats: three times per agent timeout, at most every 5 s (the agents' default).
    public var agentHeartbeatInterval: Duration {
        guard let agentTimeout else { return .seconds(5) }
        return min(.seconds(5), agentTimeout / 3)
    }

    /// How long a Node may go without a status before the node lifecycle controller marks it NotReady: 40 s by
    /// default; with `agentTimeout` set, twice it (4 s to 40 s), so that a lost agent's Node follows the master's
    /// verdict within seconds.
    public var nodeGracePeriod: Duration {
        guard let agentTimeout else { return Self.defaultNodeGracePeriod }
        return min(Self.defaultNodeGracePeriod, max(.seconds(4), agentTimeout * 2))
    }

    /// How often the kubelet part writes each live Node's status: a quarter of the grace period, at most 10 s.
    public var nodeStatusInterval: Duration { min(Self.defaultNodeStatusInterval, nodeGracePeriod / 4) }

    func ports(forAgent index: Int) -> PortRanges {
        let low = Int(firstPort) + index * Int(portsPerAgent)
        let high = min(low + Int(portsPerAgent) - 1, 65535)
        guard low <= 65535 else { return PortRanges() }
        return PortRanges([UInt16(low)...UInt16(high)])
    }
}

/// `clusterbox up --executor`.
public enum ExecutorChoice: String, Sendable, CaseIterable {
    case process, container, auto
}
