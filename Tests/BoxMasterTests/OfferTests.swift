import BoxCore
import BoxMaster
import Testing

@Suite struct OfferTests {
    /// One agent, one framework: the whole agent is offered once; nothing is offered twice while it is out.
    @Test func offersWholeAgentOnce() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 1024, ports: PortRanges([31000...31009]))
        h.subscribe("f")
        let offers = h.allocate()
        #expect(offers.count == 1)
        #expect(offers[0].agentID == agent)
        #expect(offers[0].resources == Resources(cpus: 2, memoryMiB: 1024, ports: PortRanges([31000...31009])))
        #expect(h.allocate().isEmpty)
    }

    /// DECLINE with refuse_seconds 10 keeps the agent from that framework for 10 s only, and REVIVE lifts it.
    @Test func declineFiltersUntilTimeoutOrRevive() {
        var h = MasterHarness()
        h.addAgent(cpus: 1, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        _ = h.call(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: 10)), f)
        #expect(h.allocate().isEmpty)
        #expect(h.tick(advancing: .seconds(5)).offers.isEmpty)
        let again = h.tick(advancing: .seconds(6)).offers
        #expect(again.count == 1)
        _ = h.call(.decline(offerIDs: [again[0].id], filters: Filters(refuseSeconds: 1000)), f)
        #expect(h.allocate().isEmpty)
        _ = h.call(.revive, f)
        #expect(h.allocate().count == 1)
    }

    /// A declined agent goes to the other framework at once.
    @Test func declinedAgentGoesToOtherFramework() {
        var h = MasterHarness()
        h.addAgent(cpus: 1, memMiB: 512)
        let f1 = h.subscribe("f1")
        let f2 = h.subscribe("f2")
        let first = h.allocate()[0]
        #expect(first.frameworkID == f1)
        _ = h.call(.decline(offerIDs: [first.id], filters: Filters(refuseSeconds: 60)), f1)
        #expect(h.allocate().map(\.frameworkID) == [f2])
    }

    /// SUPPRESS stops offers; REVIVE restarts them.
    @Test func suppressAndRevive() {
        var h = MasterHarness()
        h.addAgent(cpus: 1, memMiB: 512)
        let f = h.subscribe("f")
        _ = h.call(.suppress, f)
        #expect(h.allocate().isEmpty)
        _ = h.call(.revive, f)
        #expect(h.allocate().count == 1)
    }

    /// An offer not answered within the offer timeout (30 s) is rescinded and its resources offered again.
    @Test func unansweredOfferIsRescinded() {
        var h = MasterHarness()
        h.addAgent(cpus: 1, memMiB: 512)
        h.subscribe("f")
        let offer = h.allocate()[0]
        #expect(h.tick(advancing: .seconds(29)).rescinds.isEmpty)
        let out = h.tick(advancing: .seconds(2))
        #expect(out.rescinds == [offer.id])
        #expect(h.core.offers[offer.id] == nil)
        #expect(h.core.counters.offersRescinded == 1)
        #expect(out.offers.map(\.resources) == [offer.resources])  // offered again in the same tick
    }

    /// Launching 1 CPU of a 2-CPU offer: the task is staged on the agent, the other CPU returns to the pool and
    /// is offered again once the default 5 s filter passes.
    @Test func acceptLaunchesAndReturnsTheRest() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 1024)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        let out = h.launch("t1", on: offer, cpus: 1, memMiB: 256, refuse: 5)
        #expect(out.agentCommands.count == 1)
        #expect(h.core.agents[agent]!.used == Resources(cpus: 1, memoryMiB: 256))
        #expect(h.core.agents[agent]!.offered == .zero)
        #expect(h.allocate().isEmpty)
        let next = h.tick(advancing: .seconds(6)).offers
        #expect(next.count == 1)
        #expect(next.first?.resources == Resources(cpus: 1, memoryMiB: 768))
        #expect(next.first?.frameworkID == f)
    }

    /// Invalid tasks get TASK_ERROR with the reason, and valid tasks in the same ACCEPT still launch.
    @Test func invalidTasksGetTaskError() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 2, memMiB: 1024, ports: PortRanges([31000...31001]))
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        let tasks = [
            TaskInfo(taskID: "ok", name: "ok", agentID: agent, resources: Resources(cpus: 1, memoryMiB: 100)),
            TaskInfo(taskID: "ok", name: "dup", agentID: agent, resources: Resources(cpus: 0.1, memoryMiB: 10)),
            TaskInfo(taskID: "big", name: "big", agentID: agent, resources: Resources(cpus: 4, memoryMiB: 100)),
            TaskInfo(
                taskID: "port", name: "port", agentID: agent,
                resources: Resources(cpus: 0.1, memoryMiB: 1, ports: PortRanges([8080...8080]))),
            TaskInfo(taskID: "elsewhere", name: "x", agentID: "m-S9", resources: Resources(cpus: 0.1, memoryMiB: 1)),
            TaskInfo(taskID: "", name: "empty", agentID: agent, resources: Resources(cpus: 0.1, memoryMiB: 1)),
            TaskInfo(taskID: "nothing", name: "nothing", agentID: agent, resources: .zero),
        ]
        let out = h.call(.accept(offerIDs: [offer.id], operations: [.launch(tasks)], filters: Filters()), f)
        #expect(out.agentCommands.count == 1)
        let errors = out.updates.filter { $0.state == .error }
        #expect(errors.count == 6)
        #expect(errors.allSatisfy { $0.uuid == nil && $0.reason == .taskInvalid })
        #expect(errors[0].message?.contains("duplicate task id") == true)
        #expect(errors[1].message?.contains("more resources") == true)
        #expect(errors[2].message?.contains("more resources") == true)
        #expect(errors[3].message?.contains("names agent m-S9") == true)
    }

    /// Accepting an offer that was already declined drops the tasks with REASON_INVALID_OFFERS.
    @Test func staleOfferDropsTasks() {
        var h = MasterHarness()
        let agent = h.addAgent(cpus: 1, memMiB: 512)
        let f = h.subscribe("f")
        let offer = h.allocate()[0]
        _ = h.call(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: 0)), f)
        let task = TaskInfo(taskID: "t", name: "t", agentID: agent, resources: Resources(cpus: 1, memoryMiB: 1))
        let out = h.call(.accept(offerIDs: [offer.id], operations: [.launch([task])], filters: Filters()), f)
        #expect(out.updates.map(\.state) == [.dropped])
        #expect(out.updates.first?.reason == .invalidOffers)
        #expect(h.core.tasks.isEmpty)
    }
}
