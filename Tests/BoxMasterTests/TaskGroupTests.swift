import BoxCore
import BoxMaster
import Testing

@Suite struct TaskGroupTests {
    func group(_ agent: AgentID, cpus: [Double]) -> [TaskInfo] {
        cpus.enumerated().map { index, cpu in
            TaskInfo(taskID: TaskID("g\(index)"), name: "g\(index)", agentID: agent, resources: Resources(cpus: cpu, memoryMiB: 10))
        }
    }

    /// A group of 1 + 4 CPUs on a 2-CPU offer: the second task does not fit, so neither starts, and both get
    /// TASK_ERROR with REASON_TASK_GROUP_INVALID; nothing is left running on the agent.
    @Test func invalidGroupLaunchesNothing() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        let out = h.call(.accept(offerIDs: [offer.id], operations: [.launchGroup(group(agent, cpus: [1, 4]))], filters: Filters()), f)
        #expect(out.agentCommands.isEmpty)
        #expect(out.updates.map(\.state) == [.error, .error])
        #expect(out.updates.allSatisfy { $0.reason == .taskGroupInvalid })
        #expect(out.updates.first?.message?.hasPrefix("Task group is invalid: ") == true)
        #expect(h.core.agents[agent]!.used == .zero)
    }

    /// Two tasks start together; when one fails the other is killed; a finished task does not take the group down.
    @Test func groupDiesTogether() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 4, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        let launched = h.call(.accept(offerIDs: [offer.id], operations: [.launchGroup(group(agent, cpus: [1, 1, 1]))], filters: Filters()), f)
        #expect(launched.agentCommands.count == 3)
        #expect(h.core.task(TaskRef(f, "g1"))?.info.group == "g0")
        #expect(h.report("g2", .finished, framework: f, agent: agent).agentCommands.isEmpty)
        let failed = h.report("g0", .failed, framework: f, agent: agent)
        #expect(failed.agentCommands == [.kill("g1", frameworkID: f)])
    }

    /// KILL of one task of a group kills all of it.
    @Test func killOneKillsAll() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 4, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        _ = h.call(.accept(offerIDs: [offer.id], operations: [.launchGroup(group(agent, cpus: [1, 1]))], filters: Filters()), f)
        let out = h.call(.kill(taskID: "g1", agentID: agent), f)
        #expect(out.agentCommands == [.kill("g1", frameworkID: f), .kill("g0", frameworkID: f)])
    }
}
