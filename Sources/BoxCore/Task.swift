/// Mesos task states. Terminal states end a task and free its resources.
public enum TaskState: String, Hashable, Sendable, Codable, CaseIterable {
    case staging = "TASK_STAGING"
    case starting = "TASK_STARTING"
    case running = "TASK_RUNNING"
    case killing = "TASK_KILLING"
    case finished = "TASK_FINISHED"
    case failed = "TASK_FAILED"
    case killed = "TASK_KILLED"
    case error = "TASK_ERROR"
    case lost = "TASK_LOST"
    case dropped = "TASK_DROPPED"
    case unreachable = "TASK_UNREACHABLE"
    case gone = "TASK_GONE"
    case goneByOperator = "TASK_GONE_BY_OPERATOR"
    case unknown = "TASK_UNKNOWN"

    public var isTerminal: Bool {
        switch self {
        case .finished, .failed, .killed, .error, .lost, .dropped, .gone, .goneByOperator, .unknown: true
        case .staging, .starting, .running, .killing, .unreachable: false
        }
    }
}

/// Where a status update came from, as in Mesos' `TaskStatus.Source`.
public enum StatusSource: String, Hashable, Sendable, Codable {
    case master = "SOURCE_MASTER"
    case agent = "SOURCE_AGENT"
    case executor = "SOURCE_EXECUTOR"
}

/// Why a status changed; the Mesos `TaskStatus.Reason` names that clusterbox produces.
public enum StatusReason: String, Hashable, Sendable, Codable {
    case commandExecutorFailed = "REASON_COMMAND_EXECUTOR_FAILED"
    case containerLaunchFailed = "REASON_CONTAINER_LAUNCH_FAILED"
    case containerLimitationMemory = "REASON_CONTAINER_LIMITATION_MEMORY"
    case agentRemoved = "REASON_SLAVE_REMOVED"
    case agentUnreachable = "REASON_SLAVE_UNKNOWN"
    case agentRestarted = "REASON_SLAVE_RESTARTED"
    case invalidOffers = "REASON_INVALID_OFFERS"
    case taskInvalid = "REASON_TASK_INVALID"
    case taskGroupInvalid = "REASON_TASK_GROUP_INVALID"
    case taskUnknown = "REASON_TASK_UNKNOWN"
    case reconciliation = "REASON_RECONCILIATION"
    case frameworkRemoved = "REASON_FRAMEWORK_REMOVED"
    case executorTerminated = "REASON_EXECUTOR_TERMINATED"
    case taskKilledDuringLaunch = "REASON_TASK_KILLED_DURING_LAUNCH"
}

/// A shell command and its environment, as in Mesos' `CommandInfo` with `shell: true`.
public struct CommandInfo: Hashable, Sendable, Codable {
    public var value: String
    public var environment: [String: String]
    public var user: String?

    public init(value: String, environment: [String: String] = [:], user: String? = nil) {
        self.value = value
        self.environment = environment
        self.user = user
    }
}

/// What a framework asks an agent to run.
public struct TaskInfo: Hashable, Sendable, Codable {
    public var taskID: TaskID
    public var name: String
    public var agentID: AgentID
    public var resources: Resources
    public var command: CommandInfo?
    public var labels: Labels
    /// The task group it was launched in (LAUNCH_GROUP), set by the master: the first task's id.
    public var group: TaskID?
    public var discovery: DiscoveryInfo?
    /// An image to run the task in; nil runs the command on the agent's own filesystem.
    public var container: ContainerInfo?

    public init(
        taskID: TaskID, name: String, agentID: AgentID, resources: Resources, command: CommandInfo? = nil,
        labels: Labels = [:], group: TaskID? = nil, discovery: DiscoveryInfo? = nil, container: ContainerInfo? = nil
    ) {
        self.container = container
        self.group = group
        self.discovery = discovery
        self.taskID = taskID
        self.name = name
        self.agentID = agentID
        self.resources = resources
        self.command = command
        self.labels = labels
    }
}

/// A task's state as reported to its framework. Updates from agents carry a `uuid` and are resent until
/// acknowledged; updates the master makes up (reconciliation, validation, agent loss) carry none.
public struct TaskStatus: Hashable, Sendable, Codable {
    public var taskID: TaskID
    public var state: TaskState
    public var agentID: AgentID?
    public var message: String?
    public var source: StatusSource
    public var reason: StatusReason?
    public var uuid: StatusUUID?
    public var timestamp: Instant
    /// The exit status of a process task, when it exited. Mesos keeps it in the message; the CLI needs it whole.
    public var exitCode: Int32?

    public init(
        taskID: TaskID, state: TaskState, agentID: AgentID? = nil, message: String? = nil,
        source: StatusSource = .executor, reason: StatusReason? = nil, uuid: StatusUUID? = nil,
        timestamp: Instant, exitCode: Int32? = nil
    ) {
        self.taskID = taskID
        self.state = state
        self.agentID = agentID
        self.message = message
        self.source = source
        self.reason = reason
        self.uuid = uuid
        self.timestamp = timestamp
        self.exitCode = exitCode
    }
}

/// The image a task runs in, as Mesos' `ContainerInfo` with a `MESOS` container and a `DOCKER` image names it. With
/// a shell command (`TaskInfo.command`) the command runs under the image's `/bin/sh -c`; without one, the image's
/// entrypoint and cmd run, each replaced by `entrypoint` and `arguments` when given (Kubernetes' `command` and
/// `args`, Marathon's `args`).
public struct ContainerInfo: Hashable, Sendable, Codable {
    /// A reference in the agent's image store: `busybox`, `web:1.0`, or a digest.
    public var image: String
    public var entrypoint: [String]?
    public var arguments: [String]?

    public init(image: String, entrypoint: [String]? = nil, arguments: [String]? = nil) {
        self.image = image
        self.entrypoint = entrypoint
        self.arguments = arguments
    }
}

/// How a task wants to be found, as in Mesos' `DiscoveryInfo`: the name and named ports that service discovery
/// (Mesos-DNS SRV names, virtual IPs) publishes. Marathon fills it from an app's `portDefinitions`.
public struct DiscoveryInfo: Hashable, Sendable, Codable {
    /// The service name; nil: the task's name.
    public var name: String?
    public var ports: [DiscoveryPort]
    public var labels: Labels

    public init(name: String? = nil, ports: [DiscoveryPort] = [], labels: Labels = [:]) {
        self.name = name
        self.ports = ports
        self.labels = labels
    }
}

/// One port a task listens on, with the name and protocol SRV records carry, and labels such as DC/OS's
/// `VIP_0: /web:80` that ask for a virtual IP.
public struct DiscoveryPort: Hashable, Sendable, Codable {
    public var number: UInt16
    public var name: String?
    /// "tcp" or "udp".
    public var `protocol`: String
    public var labels: Labels

    public init(number: UInt16, name: String? = nil, protocol: String = "tcp", labels: Labels = [:]) {
        self.number = number
        self.name = name
        self.protocol = `protocol`
        self.labels = labels
    }
}
