import BoxCore

/// A container's state as the pod status shows it.
enum ContainerPhase: Hashable, Sendable {
    case waiting(reason: String, message: String?)
    case running(startedAt: Instant)
    case terminated(exitCode: Int, reason: String, message: String?, startedAt: Instant?, finishedAt: Instant)

    var isTerminated: Bool {
        if case .terminated = self { return true }
        return false
    }
}

/// One container of a pod the kubelet part runs.
struct ContainerRun: Hashable, Sendable {
    var name: String
    var image: String
    /// The current launch's task, and the one before it (for `logs --previous`).
    var taskID: TaskID?
    var previousTaskID: TaskID?
    /// The Mesos state of the current task (nil before launch).
    var taskState: TaskState?
    var phase: ContainerPhase = .waiting(reason: "ContainerCreating", message: nil)
    var lastPhase: ContainerPhase?
    var restartCount = 0
    /// Ended for good under the restart policy (OnFailure after success, Never).
    var done = false
    var hostPorts: [(name: String?, containerPort: Int, host: UInt16)] = []
    /// The current launch's probes (nil: none declared, or a simulated agent, where probes count as passing).
    var probes: ContainerProbes?
    /// The environment the current task was launched with, for exec probes.
    var environment: [String: String] = [:]

    var isLive: Bool { taskState.map { !$0.isTerminal } ?? false }

    static func == (a: ContainerRun, b: ContainerRun) -> Bool {
        a.name == b.name && a.taskID == b.taskID && a.phase == b.phase && a.restartCount == b.restartCount
            && a.probes?.ready == b.probes?.ready && a.probes?.started == b.probes?.started
    }

    func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// A pod bound to an agent: what the kubelet part runs for it and what its status says.
struct PodRun: Sendable {
    var namespace: String
    var name: String
    var uid: String
    var pod: JSONValue
    var agentID: AgentID
    var nodeName: String
    var hostIP: String
    var requirements: PodRequirements
    var containers: [ContainerRun]
    /// Launches so far (task ids end with it, so a relaunch never reuses an id).
    var launches = 0
    /// Written `spec.nodeName` (and the host-port annotation) yet?
    var bound = false
    var scheduledAt: Instant
    var startTime: Instant?
    /// Waiting to be (re)launched on its agent, not before this time.
    var launchAfter: Instant?
    /// The CrashLoopBackOff delay the next restart waits.
    var backoff: Duration = .seconds(10)
    /// Set when the pod has reached Succeeded or Failed.
    var finalPhase: String?
    var deleting = false
    /// The pod object is already gone from the API: forget it once its tasks end, remove nothing.
    var removed = false
    /// A launch problem shown as the containers' waiting reason (CreateContainerConfigError…).
    var launchError: PodLaunchError?

    var key: String { "\(namespace)/\(name)" }
    var restartPolicy: String { pod[path: ["spec", "restartPolicy"]]?.stringValue ?? "Always" }
    var liveTasks: [TaskID] { containers.filter(\.isLive).compactMap(\.taskID) }

    /// `{"8080": 31002}`: the host port of every declared container port, for the endpoints controller.
    var hostPortsAnnotation: String {
        var map: [String: JSONValue] = [:]
        for container in containers {
            for port in container.hostPorts { map[String(port.containerPort)] = .int(Int(port.host)) }
        }
        return JSONValue.object(map).text
    }
}
