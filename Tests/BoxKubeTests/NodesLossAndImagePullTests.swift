import BoxCore
import BoxStore
import Logging
import Testing

@testable import BoxKube

/// Which task failures the kubelet part shows as an image it could not pull (ImagePullBackOff, with the agent's
/// reason) rather than a crashed container: a launch failure whose message is about the container's own image.
@Suite struct ImagePullFailureTests {
    static let now = Instant(nanosecondsSinceEpoch: 1_000_000_000)

    static func failed(_ message: String?, reason: StatusReason? = .containerLaunchFailed, state: TaskState = .failed)
        -> TaskStatus
    {
        TaskStatus(taskID: "t", state: state, message: message, reason: reason, timestamp: now)
    }

    @Test func anImageTheAgentLacksIsAPullFailure() {
        let message = "image nosuch.example/app:1.0: no image nosuch.example/app:1.0 (`clusterbox image ls` lists them)"
        #expect(KubeNodes.imagePullFailure(Self.failed(message), image: "nosuch.example/app:1.0") == message)
    }

    @Test(
        arguments: [
            (ImagePullFailureTests.failed("image other:1: not found"), "nosuch:1"),  // another image's message
            (ImagePullFailureTests.failed("image nosuch:1: not found", reason: .taskInvalid), "nosuch:1"),  // not a launch failure
            (ImagePullFailureTests.failed("image nosuch:1: not found", state: .killed), "nosuch:1"),
            (ImagePullFailureTests.failed("exit status 1"), "nosuch:1"),  // the container ran and failed
            (ImagePullFailureTests.failed(nil), "nosuch:1"),
            (ImagePullFailureTests.failed("image host: whatever"), "host"),  // no image at all
        ] as [(TaskStatus, String)])
    func otherFailuresAreNot(status: TaskStatus, image: String) {
        #expect(KubeNodes.imagePullFailure(status, image: image) == nil)
    }
}

/// The kubelet part's node heartbeats follow the master's word: an agent whose tasks the master reports unreachable
/// gets no more Node heartbeats (even with pods still counted on it), so the node lifecycle controller marks it
/// NotReady; its next offer makes it live again.
@Suite struct AgentLossHeartbeatTests {
    /// A transport that never answers: the test feeds events to the actor by hand.
    struct SilentTransport: SchedulerTransport {
        func subscribe(_ info: FrameworkInfo) async -> AsyncStream<Event> { AsyncStream { $0.finish() } }
        func send(_ call: Call, from framework: FrameworkID) async {}
    }

    @Test func unreachableTasksStopTheNodeHeartbeat() async throws {
        let clock = ManualClock()
        let api = KubeAPI(store: InMemoryStore(), clock: clock, admission: AdmitAll(), logger: Logger(label: "test"))
        let nodes = KubeNodes(
            api: api, transport: SilentTransport(), clock: clock, logger: Logger(label: "test"),
            nodeStatusInterval: .seconds(1))
        let offer = Offer(
            id: "O1", frameworkID: "F", agentID: "S1", hostname: "agent-1",
            resources: Resources(cpus: 2, memoryMiB: 512),
            attributes: ["kind": "process"])
        await nodes.handle(.offers([offer]))
        #expect(await nodes.counts().agents == 1)
        // Pods still run there as far as the kubelet part knows: that alone kept a lost node alive before.
        await nodes.setUsed("S1", Resources(cpus: 1, memoryMiB: 64))

        // An agent's own unreachable-looking update does not count; the master's does.
        await nodes.handle(.update(TaskStatus(taskID: "t", state: .unreachable, agentID: "S1", timestamp: clock.now)))
        #expect(await nodes.counts().agents == 1)
        await nodes.handle(
            .update(
                TaskStatus(
                    taskID: "t", state: .unreachable, agentID: "S1", message: "Agent S1 is unreachable",
                    source: .master, reason: .agentUnreachable, timestamp: clock.now)))
        #expect(await nodes.counts().agents == 0)
        #expect(await nodes.counts().offers == 0)
        clock.advance(by: .seconds(5))
        #expect(await nodes.dueNodeHeartbeats(now: clock.now).isEmpty)

        // Back: a new offer from it.
        let again = Offer(
            id: "O2", frameworkID: "F", agentID: "S1", hostname: "agent-1",
            resources: Resources(cpus: 1, memoryMiB: 448),
            attributes: ["kind": "process"])
        await nodes.handle(.offers([again]))
        #expect(await nodes.counts().agents == 1)
        clock.advance(by: .seconds(2))
        #expect(await nodes.dueNodeHeartbeats(now: clock.now) == ["S1"])
    }
}

extension KubeNodes {
    func setUsed(_ agentID: AgentID, _ used: Resources) { agents[agentID]?.used = used }

    /// The agents `tick` would write a Node heartbeat for now.
    func dueNodeHeartbeats(now: Instant) -> Set<AgentID> {
        dirtyNodes.removeAll()
        for (id, agent) in agents where agent.heartbeatWritten == nil { agents[id]?.heartbeatWritten = agent.firstSeen }
        tick(now: now)
        return dirtyNodes
    }
}
