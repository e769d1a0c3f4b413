import BoxBatch
import BoxCore
import Testing

@Suite struct BatchSchedulerTests {
    let now = Instant(nanosecondsSinceEpoch: 1_000_000_000)

    func offer(
        _ id: String, cpus: Double, mem: Int, agent: String = "a1", host: String = "agent-1", kind: String = "process"
    ) -> Offer {
        Offer(
            id: OfferID(id), frameworkID: "f", agentID: AgentID(agent), hostname: host,
            resources: Resources(cpus: cpus, memoryMiB: mem), attributes: ["kind": kind])
    }

    func job(_ id: String, cpus: Double = 0.5, mem: Int = 64, agent: String? = nil) -> BatchJob {
        BatchJob(
            id: id, command: "echo \(id)", resources: Resources(cpus: cpus, memoryMiB: mem), agent: agent,
            submittedAt: now)
    }

    /// With nothing to run the framework suppresses offers; a job revives them.
    @Test func suppressesWhenIdleAndRevivesForAJob() {
        var scheduler = BatchScheduler()
        #expect(scheduler.subscribed("f") == [.suppress])
        #expect(scheduler.submit(job("j1")) == [.revive])
        #expect(scheduler.submit(job("j2")).isEmpty)
    }

    /// Jobs fill an offer in submission order; what does not fit waits; the rest of the offer is returned
    /// with Mesos' default 5 s filter (which lets the agent through again once more is free there).
    @Test func fillsOffersInOrder() {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = scheduler.submit(job("big", cpus: 2))
        _ = scheduler.submit(job("small", cpus: 0.5))
        let calls = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        guard case .accept(let ids, let operations, let filters) = calls.first else {
            Issue.record("expected an accept, got \(calls)")
            return
        }
        #expect(ids == ["o1"])
        #expect(filters.refuseSeconds == 5)
        guard case .launch(let tasks) = operations.first else { return }
        #expect(tasks.map(\.taskID) == ["batch-small"])
        #expect(tasks.first?.command?.value == "echo small")
        #expect(scheduler.jobs["big"]?.state == .queued)
        #expect(scheduler.jobs["small"]?.state == .staging)
        // The big one fits the next, larger offer; then the queue is empty and offers are suppressed.
        let next = scheduler.offers([offer("o2", cpus: 2, mem: 1024, agent: "a2")], now: now)
        #expect(next.count == 2)
        #expect(next.last == .suppress)
    }

    /// A job pinned to an agent ignores other agents; simulated agents get no jobs.
    @Test func respectsAgentAndSkipsSimulated() {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = scheduler.submit(job("pinned", agent: "agent-2"))
        let elsewhere = scheduler.offers([offer("o1", cpus: 4, mem: 4096)], now: now)
        #expect(elsewhere.first == .decline(offerIDs: ["o1"], filters: Filters(refuseSeconds: 5)))
        let simulated = scheduler.offers(
            [offer("o2", cpus: 4, mem: 4096, agent: "s1", host: "agent-2", kind: "simulated")], now: now)
        #expect(simulated.first == .decline(offerIDs: ["o2"], filters: Filters(refuseSeconds: 3600)))
        let right = scheduler.offers([offer("o3", cpus: 4, mem: 4096, agent: "a2", host: "agent-2")], now: now)
        guard case .accept = right.first else {
            Issue.record("expected an accept, got \(right)")
            return
        }
    }

    /// Updates move the job through its states, keep the exit code, and are acknowledged.
    @Test func updatesAndAcknowledgements() {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = scheduler.submit(job("j"))
        _ = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        let running = TaskStatus(taskID: "batch-j", state: .running, agentID: "a1", uuid: "u1", timestamp: now)
        #expect(scheduler.update(running, now: now) == [.acknowledge(agentID: "a1", taskID: "batch-j", uuid: "u1")])
        #expect(scheduler.jobs["j"]?.state == .running)
        let failed = TaskStatus(
            taskID: "batch-j", state: .failed, agentID: "a1", message: "Command exited with status 3", uuid: "u2",
            timestamp: now, exitCode: 3)
        _ = scheduler.update(failed, now: now)
        #expect(scheduler.jobs["j"]?.state == .failed)
        #expect(scheduler.jobs["j"]?.exitCode == 3)
        #expect(scheduler.jobs["j"]?.finishedAt == now)
        // A master-made update (no uuid) is not acknowledged.
        let reconciled = TaskStatus(taskID: "batch-j", state: .failed, source: .master, timestamp: now)
        #expect(scheduler.update(reconciled, now: now).isEmpty)
    }

    /// Killing a waiting job drops it; killing a running one asks the master.
    @Test func kill() {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = scheduler.submit(job("waiting"))
        #expect(scheduler.kill("waiting", now: now).isEmpty)
        #expect(scheduler.jobs["waiting"]?.state == .killed)
        _ = scheduler.submit(job("run"))
        _ = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        #expect(scheduler.kill("run", now: now) == [.kill(taskID: "batch-run", agentID: "a1")])
    }
}
