public import BoxCore

/// A running task as service discovery sees it: where it is and which ports it serves. Whoever feeds the registry
/// (the master's task updates) makes one when a task reaches `TASK_RUNNING` and removes it when it stops running.
public struct RegisteredTask: Hashable, Sendable {
    public var key: TaskKey
    /// The framework's name (`marathon`, `batch`, a pymesos framework's name): the second label of Mesos-DNS names.
    public var framework: String
    /// The task's name (Marathon's `web.prod` for app `/prod/web`).
    public var name: String
    /// `DiscoveryInfo.name` when the framework set one: SRV names use it.
    public var serviceName: String?
    /// The agent's name (`agent-1`).
    public var agent: String
    public var address: IPv4Octets
    /// From `DiscoveryInfo` when the framework described its ports; else every port of the task's resources, tcp.
    public var ports: [DiscoveryPort]
    /// Task (or app) labels: `VIP_n` here applies to port n.
    public var labels: Labels

    public init(
        key: TaskKey, framework: String, name: String, serviceName: String? = nil, agent: String,
        address: IPv4Octets, ports: [DiscoveryPort], labels: Labels = [:]
    ) {
        self.key = key
        self.framework = framework
        self.name = name
        self.serviceName = serviceName
        self.agent = agent
        self.address = address
        self.ports = ports
        self.labels = labels
    }
}

/// A task's identity across frameworks (task ids are unique per framework only).
public struct TaskKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var frameworkID: String
    public var taskID: String

    public init(frameworkID: String, taskID: String) {
        self.frameworkID = frameworkID
        self.taskID = taskID
    }

    public static func < (lhs: TaskKey, rhs: TaskKey) -> Bool {
        (lhs.frameworkID, lhs.taskID) < (rhs.frameworkID, rhs.taskID)
    }

    public var description: String { taskID }
}

/// One input to the registry, in the order things happened.
public enum RegistryChange: Hashable, Sendable {
    /// The task runs (again, or with new details).
    case running(RegisteredTask)
    /// The task stopped running: finished, failed, killed, lost, unreachable.
    case stopped(TaskKey)
    /// The framework that runs the task says whether it is ready (Marathon: running and passing its health
    /// checks); nil forgets what it said. A task it called not ready gets no traffic and no DNS answers.
    case readiness(taskID: String, ready: Bool?)
    /// An agent with a network address joined (or came back).
    case agent(id: String, name: String, address: IPv4Octets)
    /// An agent left or became unreachable.
    case agentLeft(id: String)
    /// A Kubernetes Service exists (new, or with a changed spec).
    case kubeService(KubeService)
    /// The Endpoints of a Service changed: its ready addresses and their ports.
    case kubeEndpoints(KubeEndpoints)
    /// The Service was deleted; its Endpoints go with it.
    case kubeServiceDeleted(KubeServiceKey)
    /// The Endpoints object was deleted (the Service, if any, stays with no backends).
    case kubeEndpointsDeleted(KubeServiceKey)
}
