/// What an agent tells the master when it (re)registers.
public struct AgentRegistration: Hashable, Sendable, Codable {
    public var hostname: String
    public var resources: Resources
    public var attributes: Labels
    /// Set when reregistering after a lost connection: the master keeps the id if it still knows it.
    public var previousID: AgentID?
    /// Tasks the agent still runs, so a reregistering agent's tasks are reconciled rather than lost.
    public var runningTasks: [RunningTask]
    /// The executor kind, for display: `process`, `simulated`, `container`.
    public var kind: String

    public struct RunningTask: Hashable, Sendable, Codable {
        public var frameworkID: FrameworkID
        public var task: TaskInfo
        public var state: TaskState

        public init(frameworkID: FrameworkID, task: TaskInfo, state: TaskState) {
            self.frameworkID = frameworkID
            self.task = task
            self.state = state
        }
    }

    public init(
        hostname: String, resources: Resources, attributes: Labels = [:], previousID: AgentID? = nil,
        runningTasks: [RunningTask] = [], kind: String
    ) {
        self.hostname = hostname
        self.resources = resources
        self.attributes = attributes
        self.previousID = previousID
        self.runningTasks = runningTasks
        self.kind = kind
    }
}

/// Master → agent.
public enum AgentCommand: Hashable, Sendable {
    case launch(TaskInfo, frameworkID: FrameworkID)
    case kill(TaskID, frameworkID: FrameworkID)
}

/// The agent's side of its link to the master (in process, or over HTTP for an agent on another host).
public protocol AgentUplink: Sendable {
    /// Registers; answers the agent id the master gave, or nil when the master refused (for example an id it
    /// has already removed, in which case the agent must register afresh).
    func register(_ registration: AgentRegistration, commands: @escaping @Sendable (AgentCommand) -> Void) async
        -> AgentID?
    /// Answers false when the master no longer knows the agent, which must then reregister.
    func heartbeat(_ agentID: AgentID) async -> Bool
    func statusUpdate(_ status: TaskStatus, frameworkID: FrameworkID, from agentID: AgentID) async
}
