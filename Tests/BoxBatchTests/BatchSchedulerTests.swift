import BoxBatch
import BoxCore
import Foundation
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

    func job(_ name: String, cpus: Double = 0.5, mem: Int = 64, agent: String? = nil) -> BatchJob {
        var job = BatchJob(
            name: name, command: "echo \(name)", resources: Resources(cpus: cpus, memoryMiB: mem), createdAt: now)
        job.agent = agent
        return job
    }

    func status(_ run: String, _ state: TaskState, exit: Int32? = nil, uuid: String = "u") -> TaskStatus {
        TaskStatus(
            taskID: TaskID("batch-" + run), state: state, agentID: "a1", uuid: StatusUUID(uuid), timestamp: now,
            exitCode: exit)
    }

    func launched(_ calls: [Call]) -> [String] {
        calls.flatMap { call -> [String] in
            guard case .accept(_, let operations, _) = call, case .launch(let tasks) = operations.first else {
                return []
            }
            return tasks.map(\.taskID.value)
        }
    }

    /// With nothing to run the framework suppresses offers; a one-off job runs at once and revives them.
    @Test func suppressesWhenIdleAndRevivesForAJob() throws {
        var scheduler = BatchScheduler()
        #expect(scheduler.subscribed("f") == [.suppress])
        #expect(try scheduler.create(job("j1"), now: now) == [.revive])
        #expect(try scheduler.create(job("j2"), now: now).isEmpty)
        #expect(scheduler.runs.keys.elements == ["j1.1", "j2.1"])
        #expect(scheduler.runs["j1.1"]?.trigger == .created)
    }

    /// Runs fill an offer in queue order; what does not fit waits; the rest of the offer is returned with Mesos'
    /// default 5 s filter (which lets the agent through again once more is free there).
    @Test func fillsOffersInOrder() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("big", cpus: 2), now: now)
        _ = try scheduler.create(job("small", cpus: 0.5), now: now)
        let calls = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        guard case .accept(let ids, let operations, let filters) = calls.first,
            case .launch(let tasks) = operations.first
        else {
            Issue.record("expected an accept, got \(calls)")
            return
        }
        #expect(ids == ["o1"])
        #expect(filters.refuseSeconds == 5)
        #expect(tasks.map(\.taskID) == ["batch-small.1"])
        #expect(tasks.first?.command?.value == "echo small")
        #expect(tasks.first?.labels["clusterbox.io/run"] == "small.1")
        #expect(scheduler.runs["big.1"]?.state == .queued)
        #expect(scheduler.runs["small.1"]?.state == .staging)
        let next = scheduler.offers([offer("o2", cpus: 2, mem: 1024, agent: "a2")], now: now)
        #expect(next.count == 2)
        #expect(next.last == .suppress)
    }

    /// A job pinned to an agent ignores other agents; simulated agents get no runs.
    @Test func respectsAgentAndSkipsSimulated() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("pinned", agent: "agent-2"), now: now)
        let elsewhere = scheduler.offers([offer("o1", cpus: 4, mem: 4096)], now: now)
        #expect(elsewhere.first == .decline(offerIDs: ["o1"], filters: Filters(refuseSeconds: 5)))
        let simulated = scheduler.offers(
            [offer("o2", cpus: 4, mem: 4096, agent: "s1", host: "agent-2", kind: "simulated")], now: now)
        #expect(simulated.first == .decline(offerIDs: ["o2"], filters: Filters(refuseSeconds: 3600)))
        let right = scheduler.offers([offer("o3", cpus: 4, mem: 4096, agent: "a2", host: "agent-2")], now: now)
        #expect(launched(right) == ["batch-pinned.1"])
    }

    /// Updates move the run through its states, keep the exit code, and are acknowledged; the job counts it.
    @Test func updatesAndAcknowledgements() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("j"), now: now)
        _ = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        #expect(
            scheduler.update(status("j.1", .running, uuid: "u1"), now: now) == [
                .acknowledge(agentID: "a1", taskID: "batch-j.1", uuid: "u1")
            ])
        #expect(scheduler.runs["j.1"]?.state == .running)
        _ = scheduler.update(status("j.1", .failed, exit: 3), now: now + .seconds(2))
        #expect(scheduler.runs["j.1"]?.state == .failed)
        #expect(scheduler.runs["j.1"]?.exitCode == 3)
        #expect(scheduler.runs["j.1"]?.duration == .seconds(2))
        #expect(scheduler.jobs["j"]?.failureCount == 1)
        // A master-made update (no uuid) is not acknowledged.
        let reconciled = TaskStatus(taskID: "batch-j.1", state: .failed, source: .master, timestamp: now)
        #expect(scheduler.update(reconciled, now: now).isEmpty)
    }

    /// Killing a queued run drops it; killing a running one asks the master.
    @Test func kill() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("waiting"), now: now)
        #expect(scheduler.kill(run: "waiting.1", now: now).isEmpty)
        #expect(scheduler.runs["waiting.1"]?.state == .killed)
        _ = try scheduler.create(job("busy"), now: now)
        _ = scheduler.offers([offer("o1", cpus: 1, mem: 1024)], now: now)
        #expect(scheduler.kill(run: "busy.1", now: now) == [.kill(taskID: "batch-busy.1", agentID: "a1")])
    }

    /// A failed run is retried after the backoff, which doubles; a killed one is not.
    @Test func retriesWithBackoff() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        var flaky = job("flaky")
        flaky.retries = 2
        flaky.retryBackoffSeconds = 10
        _ = try scheduler.create(flaky, now: now)
        var time = now
        for (attempt, wait) in [(1, 10), (2, 20)] {
            _ = scheduler.offers([offer("o\(attempt)", cpus: 1, mem: 1024)], now: time)
            _ = scheduler.update(status("flaky.\(attempt)", .failed, exit: 1), now: time)
            #expect(scheduler.jobs["flaky"]?.pendingRetry?.at == time + .seconds(wait))
            _ = scheduler.tick(now: time + .seconds(wait - 1))
            #expect(scheduler.runs["flaky.\(attempt + 1)"] == nil)
            time = time + .seconds(wait)
            _ = scheduler.tick(now: time)
            #expect(scheduler.runs["flaky.\(attempt + 1)"]?.attempt == attempt + 1)
            #expect(scheduler.runs["flaky.\(attempt + 1)"]?.trigger == .retry)
        }
        _ = scheduler.offers([offer("o3", cpus: 1, mem: 1024)], now: time)
        _ = scheduler.update(status("flaky.3", .failed, exit: 1), now: time)
        #expect(scheduler.jobs["flaky"]?.pendingRetry == nil)
        #expect(scheduler.jobs["flaky"]?.failureCount == 1)

        var killed = job("killed")
        killed.retries = 3
        _ = try scheduler.create(killed, now: time)
        _ = scheduler.kill(run: "killed.1", now: time)
        #expect(scheduler.jobs["killed"]?.pendingRetry == nil)
    }

    /// A child runs once all its parents succeeded since it last ran; a failed parent skips it (and its children).
    @Test func dependencies() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("a"), now: now)
        _ = try scheduler.create(job("b"), now: now)
        var child = job("child")
        child.parents = ["a", "b"]
        _ = try scheduler.create(child, now: now)
        var grandchild = job("grandchild")
        grandchild.parents = ["child"]
        _ = try scheduler.create(grandchild, now: now)
        #expect(scheduler.history(of: "child").isEmpty)

        _ = scheduler.offers([offer("o1", cpus: 4, mem: 4096)], now: now)
        _ = scheduler.update(status("a.1", .finished, exit: 0), now: now)
        #expect(scheduler.history(of: "child").isEmpty)
        _ = scheduler.update(status("b.1", .finished, exit: 0), now: now + .seconds(1))
        #expect(scheduler.history(of: "child").map(\.trigger) == [.parents])

        // Only `a` again is not enough; `b` failing skips the child and the grandchild.
        _ = try scheduler.runNow("a", now: now + .seconds(2))
        _ = try scheduler.runNow("b", now: now + .seconds(2))
        _ = scheduler.offers([offer("o2", cpus: 4, mem: 4096)], now: now + .seconds(2))
        _ = scheduler.update(status("a.2", .finished, exit: 0), now: now + .seconds(3))
        #expect(scheduler.history(of: "child").count == 1)
        _ = scheduler.update(status("b.2", .failed, exit: 2), now: now + .seconds(3))
        let skipped = try #require(scheduler.history(of: "child").last)
        #expect(skipped.state == .skipped)
        #expect(skipped.message == "Skipped: parent b failed (b.2 exited 2)")
        #expect(scheduler.history(of: "grandchild").last?.message == "Skipped: parent child did not run")
    }

    /// Bad jobs are refused with every reason; names are unique; a parent cannot be deleted before its children.
    @Test func refusals() throws {
        var scheduler = BatchScheduler()
        var bad = job("Bad Name")
        bad.command = " "
        bad.parents = ["missing"]
        bad.retries = 99
        #expect(
            throws: BatchError.invalid(
                "name 'Bad Name': lower-case letters, digits, '-' and '_', starting with a letter or digit; "
                    + "cmd: a non-empty command is required (or an image, whose own command runs); parents: no job missing; retries: 0 to 10, got 99"
            )
        ) { try scheduler.create(bad, now: now) }
        _ = try scheduler.create(job("p"), now: now)
        #expect(throws: BatchError.conflict("job p already exists")) { try scheduler.create(job("p"), now: now) }
        var child = job("c")
        child.parents = ["p"]
        _ = try scheduler.create(child, now: now)
        #expect(throws: BatchError.conflict("job p is a parent of c: delete those first")) {
            try scheduler.delete("p", now: now)
        }
        #expect(throws: BatchError.notFound("job nope not found")) { try scheduler.runNow("nope", now: now) }
        _ = try scheduler.delete("c", now: now)
        _ = try scheduler.delete("p", now: now)
        let changes = scheduler.takeChanges()
        #expect(changes.removedJobs == ["c", "p"])
        #expect(changes.removedRuns == ["p.1"])
        #expect(changes.jobs.isEmpty && changes.runs.isEmpty)
    }

    /// After a restart, queued runs wait again and runs that were on an agent are lost (and retried).
    @Test func restore() throws {
        var before = BatchScheduler()
        _ = before.subscribed("f")
        var retried = job("retried")
        retried.retries = 1
        _ = try before.create(retried, now: now)
        _ = before.offers([offer("o1", cpus: 0.5, mem: 1024)], now: now)
        _ = try before.create(job("waiting"), now: now)
        var after = BatchScheduler()
        let calls = after.restore(jobs: Array(before.jobs.values), runs: Array(before.runs.values), now: now)
        #expect(calls.isEmpty)  // not suppressed yet: nothing to revive
        #expect(after.runs["retried.1"]?.state == .lost)
        #expect(after.jobs["retried"]?.pendingRetry?.attempt == 2)
        #expect(after.subscribed("f").isEmpty)
        #expect(launched(after.offers([offer("o2", cpus: 1, mem: 1024)], now: now)) == ["batch-waiting.1"])
    }

    /// History is bounded per job, oldest first out.
    @Test func historyIsBounded() throws {
        var scheduler = BatchScheduler()
        scheduler.runsPerJob = 3
        _ = scheduler.subscribed("f")
        _ = try scheduler.create(job("j"), now: now)
        for n in 1...5 {
            if n > 1 { _ = try scheduler.runNow("j", now: now) }
            _ = scheduler.offers([offer("o\(n)", cpus: 1, mem: 1024)], now: now)
            _ = scheduler.update(status("j.\(n)", .finished, exit: 0), now: now)
        }
        #expect(scheduler.history(of: "j").map(\.id) == ["j.3", "j.4", "j.5"])
        #expect(scheduler.jobs["j"]?.successCount == 5)
    }

    /// A late tick runs every time that passed within epsilon; a long gap is one skipped record, then the
    /// times within epsilon run.
    @Test func lateTicksCatchUp() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        var ticker = job("ticker")
        ticker.schedule = try Schedule.parse("R//PT10S", now: now)
        ticker.epsilonSeconds = 30
        _ = try scheduler.create(ticker, now: now)
        _ = scheduler.tick(now: now)
        _ = scheduler.tick(now: now + .seconds(25))  // 10 s and 20 s passed
        #expect(scheduler.history(of: "ticker").map(\.state) == [.queued, .queued, .queued])
        _ = scheduler.tick(now: now + .seconds(1000))  // down for 16 minutes
        let history = scheduler.history(of: "ticker")
        #expect(history.filter { $0.state == .skipped }.count == 1)
        #expect(history.last?.state == .queued)
        #expect(history.count == 3 + 1 + 4, "the times at 970 to 1000 s run: \(history.map(\.state))")
        #expect(scheduler.jobs["ticker"]?.nextRunAt == now + .seconds(1010))
    }

    /// A job with an image launches its runs with that image as the task's container: with a command, the command
    /// (the executor runs it under the image's /bin/sh -c); without one, an empty command (the image's entrypoint
    /// and cmd). A job without an image launches no container. Neither command nor image is refused.
    @Test func imageBecomesTheTasksContainer() throws {
        var scheduler = BatchScheduler()
        _ = scheduler.subscribed("f")
        var shell = job("shell")
        shell.image = "busybox:test"
        var own = job("own")
        own.command = ""
        own.image = "busybox:test"
        _ = try scheduler.create(shell, now: now)
        _ = try scheduler.create(own, now: now)
        _ = try scheduler.create(job("plain"), now: now)
        #expect(scheduler.runs["own.1"]?.image == "busybox:test")
        let calls = scheduler.offers([offer("o1", cpus: 4, mem: 4096)], now: now)
        guard case .accept(_, let operations, _) = calls.first, case .launch(let tasks) = operations.first else {
            Issue.record("expected an accept, got \(calls)")
            return
        }
        #expect(tasks.map(\.taskID) == ["batch-shell.1", "batch-own.1", "batch-plain.1"])
        #expect(
            tasks.map(\.container) == [ContainerInfo(image: "busybox:test"), ContainerInfo(image: "busybox:test"), nil])
        #expect(tasks.map { $0.command?.value } == ["echo shell", "", "echo plain"])

        var neither = job("neither")
        neither.command = ""
        #expect(
            throws: BatchError.invalid("cmd: a non-empty command is required (or an image, whose own command runs)")
        ) { try scheduler.create(neither, now: now) }
        neither.image = "two words"
        #expect(throws: BatchError.invalid("image: a reference such as busybox:1.36, got 'two words'")) {
            try scheduler.create(neither, now: now)
        }
    }

    /// Jobs and runs stored before images existed have no `image` key: they decode as jobs without one.
    @Test func storedJobsWithoutImageStillDecode() throws {
        var stored = job("old")
        stored.image = "busybox"
        let run = BatchRun(id: "old.1", job: stored, attempt: 1, trigger: .created, queuedAt: now)
        let oldJob = try withoutImage(try JSONEncoder().encode(stored))
        let oldRun = try withoutImage(try JSONEncoder().encode(run))
        #expect(try JSONDecoder().decode(BatchJob.self, from: oldJob).image == nil)
        #expect(try JSONDecoder().decode(BatchRun.self, from: oldRun).image == nil)
        #expect(try JSONDecoder().decode(BatchRun.self, from: oldRun).command == "echo old")
    }

    /// The JSON without its `image` key, which must have been "busybox".
    func withoutImage(_ data: Data) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object.removeValue(forKey: "image") as? String == "busybox")
        return try JSONSerialization.data(withJSONObject: object)
    }
}
