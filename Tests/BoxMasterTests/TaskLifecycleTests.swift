import BoxCore
import BoxMaster
import Testing

@Suite struct TaskLifecycleTests {
    /// Updates carry the agent's uuid and are resent (after 10 s, then 20 s) until acknowledged; the next update
    /// of the same task waits behind the unacknowledged one, as in Mesos' status update stream.
    @Test func updatesAreResentUntilAcknowledged() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 1, memMiB: 512)
        let f = h.subscribe("f")
        _ = h.launch("t", on: h.allocate()[0], cpus: 1, memMiB: 100)
        let first = h.report("t", .running, framework: f, agent: agent, uuid: "u1")
        #expect(first.updates.map(\.uuid) == ["u1"])
        #expect(h.report("t", .finished, framework: f, agent: agent, uuid: "u2").updates.isEmpty)
        #expect(h.tick(advancing: .seconds(9)).updates.isEmpty)
        #expect(h.tick(advancing: .seconds(2)).updates.map(\.uuid) == ["u1"])
        #expect(h.tick(advancing: .seconds(15)).updates.isEmpty)
        #expect(h.tick(advancing: .seconds(6)).updates.map(\.uuid) == ["u1"])
        let acked = h.call(.acknowledge(agentID: agent, taskID: "t", uuid: "u1"), f)
        #expect(acked.updates.map(\.uuid) == ["u2"])
        #expect(h.core.tasks.count == 1)
        _ = h.call(.acknowledge(agentID: agent, taskID: "t", uuid: "u2"), f)
        #expect(h.core.tasks.isEmpty)
        #expect(h.core.frameworks[f]!.completedTasks.map(\.state) == [.finished])
        #expect(h.core.agents[agent]!.used == .zero)
    }

    /// KILL reaches the agent for a known task; an unknown task is answered TASK_UNKNOWN at once.
    @Test func killKnownAndUnknown() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 1, memMiB: 512)
        let f = h.subscribe("f")
        _ = h.launch("t", on: h.allocate()[0], cpus: 1, memMiB: 100)
        #expect(h.call(.kill(taskID: "t", agentID: agent), f).agentCommands == [.kill("t", frameworkID: f)])
        let unknown = h.call(.kill(taskID: "nope", agentID: nil), f)
        #expect(unknown.updates.map(\.state) == [.unknown])
        #expect(unknown.agentCommands.isEmpty)
    }

    /// Implicit reconciliation answers every task's latest state, without uuids; explicit reconciliation of an
    /// unknown task answers TASK_UNKNOWN.
    @Test func reconcile() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        let tasks = ["a", "b"].map {
            TaskInfo(taskID: TaskID($0), name: $0, agentID: agent, resources: Resources(cpus: 1, memoryMiB: 100))
        }
        _ = h.call(.accept(offerIDs: [offer.id], operations: [.launch(tasks)], filters: Filters()), f)
        _ = h.report("a", .running, framework: f, agent: agent)
        let all = h.call(.reconcile(tasks: []), f).updates
        #expect(all.map(\.taskID) == ["a", "b"])
        #expect(all.map(\.state) == [.running, .staging])
        #expect(all.allSatisfy { $0.uuid == nil && $0.reason == .reconciliation })
        #expect(h.call(.reconcile(tasks: ["zzz"]), f).updates.map(\.state) == [.unknown])
    }

    /// An agent silent for 15 s becomes unreachable: its offers are rescinded, its tasks become TASK_UNREACHABLE
    /// (TASK_LOST for a framework that is not partition-aware) and its resources leave the pool. 60 s later it is
    /// removed and the tasks are TASK_GONE; it can no longer reregister under its old id.
    @Test func agentLoss() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 512)
        let aware = h.subscribe("aware")
        let old = h.subscribe("old", partitionAware: false)
        let offers = h.allocate()
        #expect(offers.count == 1)
        let first = offers[0]
        _ = h.launch("t1", on: first, cpus: 1, memMiB: 100)
        let second = h.allocate()[0]
        _ = h.launch("t2", on: second, cpus: 0.5, memMiB: 100)
        _ = h.allocate()
        #expect(h.core.clusterTotal.milliCPUs == 2000)
        h.silentAgents = [agent]
        _ = h.tick(advancing: .seconds(10))
        let alive = h.core.agentHeartbeat(agent, now: h.now)
        #expect(alive)
        let lost = h.tick(advancing: .seconds(16))
        #expect(h.core.agents[agent]!.isActive == false)
        #expect(h.core.clusterTotal == .zero)
        #expect(h.core.offers.isEmpty)
        let states = Dictionary(uniqueKeysWithValues: lost.updates.map { ($0.taskID, $0.state) })
        let awareTask: TaskID = first.frameworkID == aware ? "t1" : "t2"
        let oldTask: TaskID = first.frameworkID == old ? "t1" : "t2"
        #expect(states[awareTask] == .unreachable)
        #expect(states[oldTask] == .lost)
        let stillAlive = h.core.agentHeartbeat(agent, now: h.now)
        #expect(stillAlive == false)
        let gone = h.tick(advancing: .seconds(61))
        #expect(gone.updates.map(\.state) == [.gone])
        #expect(h.core.agents[agent] == nil)
        #expect(h.core.tasks.isEmpty)  // master-made updates carry no uuid, so nothing waits for acknowledgement
        #expect(h.core.frameworks[old]!.completedTasks.map(\.state) == [.lost])
        let (id, _) = h.core.agentRegistered(
            AgentRegistration(
                hostname: "h", resources: Resources(cpus: 2, memoryMiB: 512), previousID: agent, kind: "test"),
            now: h.now)
        #expect(id == nil)
    }

    /// An unreachable agent that comes back with its tasks: they are running again and the pool regains it.
    @Test func agentComesBack() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        _ = h.launch("t", on: offer, cpus: 1, memMiB: 100)
        _ = h.report("t", .running, framework: f, agent: agent)
        h.silentAgents = [agent]
        _ = h.tick(advancing: .seconds(16))
        #expect(h.core.task(TaskRef(f, "t"))?.state == .unreachable)
        let task = h.core.task(TaskRef(f, "t"))!.info
        let (id, out) = h.core.agentRegistered(
            AgentRegistration(
                hostname: "h", resources: Resources(cpus: 2, memoryMiB: 512), previousID: agent,
                runningTasks: [.init(frameworkID: f, task: task, state: .running)], kind: "test"),
            now: h.now)
        #expect(id == agent)
        #expect(out.updates.map(\.state) == [.running])
        #expect(h.core.task(TaskRef(f, "t"))?.state == .running)
        #expect(h.core.clusterTotal.milliCPUs == 2000)
    }

    /// TEARDOWN kills the framework's tasks; their resources stay held until the agent reports them killed.
    @Test func teardownKillsTasks() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 512)
        let f = h.subscribe("f")
        _ = h.launch("t", on: h.allocate()[0], cpus: 1, memMiB: 100)
        let out = h.call(.teardown, f)
        #expect(out.agentCommands == [.kill("t", frameworkID: f)])
        #expect(out.contains(.closeFramework(f)))
        #expect(h.core.frameworks[f] == nil)
        #expect(h.core.agents[agent]!.used.milliCPUs == 1000)
        _ = h.report("t", .killed, framework: f, agent: agent)
        #expect(h.core.agents[agent]!.used == .zero)
        #expect(h.core.tasks.isEmpty)
    }
}
