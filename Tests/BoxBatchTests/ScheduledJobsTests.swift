import BoxCore
import BoxMaster
import Collections
import BoxTestSupport
import Testing

@testable import BoxBatch

/// Scheduled jobs under a virtual clock, through the real master core: every run takes an offer, launches a task
/// on an agent, and ends with the agent's status update, as in the daemon, but a virtual day passes in seconds.
@Suite struct ScheduledJobsTests {
    /// A job every minute for a virtual day runs 1,440 times.
    // A virtual day is seconds of CPU: it runs on its own thread, not on the cooperative pool other tests share.
    @Test func everyMinuteForADay() async throws { try await cpuHeavy { try Self.everyMinuteForADay() } }

    static func everyMinuteForADay() throws {
        var cluster = BatchOnMaster(start: try instant("2025-12-31T23:59:00Z"))
        _ = try cluster.create("every-minute", schedule: "R/2026-01-01T00:00:00Z/PT1M")
        try cluster.run(until: instant("2026-01-02T00:00:00Z"))
        let runs = cluster.batch.history(of: "every-minute")
        #expect(cluster.batch.jobs["every-minute"]?.successCount == 1440)
        #expect(cluster.launches == 1440)
        #expect(runs.allSatisfy { $0.state == .finished && $0.exitCode == 0 && $0.duration == .seconds(5) })
        #expect(runs.last?.queuedAt == (try instant("2026-01-01T23:59:00Z")))
    }

    /// A failed parent (after its retries) keeps its child from running; a parent that succeeds starts it every
    /// time. Cron schedules count the same way: every 10 minutes is 144 runs a day, hourly 24.
    @Test func failedParentBlocksChild() async throws { try await cpuHeavy { try Self.failedParentBlocksChild() } }

    static func failedParentBlocksChild() throws {
        var cluster = BatchOnMaster(start: try instant("2026-01-01T00:00:00Z"))
        _ = try cluster.create("extract", schedule: "*/10 * * * *")
        _ = try cluster.create("load", parents: ["extract"])
        _ = try cluster.create("broken", schedule: "@hourly", command: "exit 1", retries: 1)
        _ = try cluster.create("report", parents: ["broken"])
        try cluster.run(until: instant("2026-01-02T00:00:00Z"))

        #expect(cluster.batch.jobs["extract"]?.successCount == 144)
        #expect(cluster.batch.jobs["load"]?.successCount == 144)
        #expect(cluster.batch.history(of: "load").allSatisfy { $0.trigger == .parents })
        let broken = cluster.batch.history(of: "broken")
        #expect(broken.count == 48)  // 24 runs, each retried once
        #expect(broken.allSatisfy { $0.state == .failed && $0.exitCode == 1 })
        #expect(cluster.batch.jobs["broken"]?.failureCount == 24)
        let report = cluster.batch.history(of: "report")
        #expect(report.count == 24)
        #expect(report.allSatisfy { $0.state == .skipped })
        #expect(cluster.batch.jobs["report"]?.successCount == 0)
        #expect(cluster.launches == 144 * 2 + 48)
    }

    static func instant(_ text: String) throws -> Instant {
        try RepeatingInterval.parseStart(text)
    }
}

/// The batch scheduler on a master core with one process agent whose tasks take five seconds and exit 1 when
/// their command says so, stepped one virtual second at a time.
struct BatchOnMaster {
    var master: MasterCore
    var batch = BatchScheduler()
    var now: Instant
    let agentID: AgentID
    var frameworkID: FrameworkID!
    var running: [(task: TaskInfo, framework: FrameworkID, ends: Instant)] = []
    var launches = 0
    var uuids = 0

    init(start: Instant) {
        now = start
        master = MasterCore(config: MasterConfig(masterID: "m"), now: start)
        let (agent, effects) = master.agentRegistered(
            AgentRegistration(
                hostname: "agent-1", resources: Resources(cpus: 4, memoryMiB: 4096), kind: "process"),
            now: start)
        agentID = agent!
        deliver(effects)
        let (framework, subscribed) = master.subscribe(
            FrameworkInfo(name: "batch", role: "batch", failoverTimeoutSeconds: 0), now: start)
        frameworkID = framework
        deliver(subscribed)
    }

    mutating func create(
        _ name: String, schedule: String? = nil, parents: [String] = [], command: String = "true", retries: Int = 0
    ) throws -> BatchJob {
        var job = BatchJob(name: name, command: command, resources: Resources(cpus: 0.5, memoryMiB: 64), createdAt: now)
        job.schedule = try schedule.map { text throws(ScheduleError) in try Schedule.parse(text, now: now) }
        job.parents = parents
        job.retries = retries
        job.retryBackoffSeconds = 30
        send(try batch.create(job, now: now))
        return job
    }

    /// Steps up to, not including, `end`.
    mutating func run(until end: Instant) throws {
        while now + .seconds(1) < end {
            now = now + .seconds(1)
            let ending = running.filter { $0.ends <= now }
            running.removeAll { $0.ends <= now }
            for (task, framework, _) in ending {
                let failed = task.command?.value == "exit 1"
                report(task.taskID, failed ? .failed : .finished, framework, exit: failed ? 1 : 0)
            }
            _ = master.agentHeartbeat(agentID, now: now)
            deliver(master.tick(now: now))
            send(batch.tick(now: now))
        }
    }

    private mutating func report(_ taskID: TaskID, _ state: TaskState, _ framework: FrameworkID, exit: Int32? = nil) {
        uuids += 1
        let status = TaskStatus(
            taskID: taskID, state: state, agentID: agentID, uuid: StatusUUID("u\(uuids)"), timestamp: now,
            exitCode: exit)
        deliver(master.statusUpdate(status, frameworkID: framework, from: agentID, now: now))
    }

    private mutating func send(_ calls: [Call]) {
        for call in calls { deliver(master.handle(call, from: frameworkID, now: now)) }
    }

    private mutating func deliver(_ effects: [MasterEffect]) {
        var queue = Deque(effects)
        while let effect = queue.popFirst() {
            switch effect {
            case .send(_, let event):
                let calls: [Call]
                switch event {
                case .offers(let offers): calls = batch.offers(offers, now: now)
                case .update(let status): calls = batch.update(status, now: now)
                case .subscribed(let id, _): calls = batch.subscribed(id)
                default: calls = []
                }
                for call in calls { queue.append(contentsOf: master.handle(call, from: frameworkID, now: now)) }
            case .agent(_, .launch(let task, let framework)):
                launches += 1
                running.append((task, framework, now + .seconds(5)))
                uuids += 1
                let status = TaskStatus(
                    taskID: task.taskID, state: .running, agentID: agentID, uuid: StatusUUID("u\(uuids)"),
                    timestamp: now)
                queue.append(contentsOf: master.statusUpdate(status, frameworkID: framework, from: agentID, now: now))
            case .agent(_, .kill(let taskID, let framework)):
                running.removeAll { $0.task.taskID == taskID }
                uuids += 1
                let status = TaskStatus(
                    taskID: taskID, state: .killed, agentID: agentID, uuid: StatusUUID("u\(uuids)"), timestamp: now)
                queue.append(contentsOf: master.statusUpdate(status, frameworkID: framework, from: agentID, now: now))
            case .observe, .closeFramework:
                break
            }
        }
    }
}
