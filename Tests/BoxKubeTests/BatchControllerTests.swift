import BoxCore
import BoxKube
import BoxStore
import Logging
import Testing

/// An API over an in-memory store under a manual clock, and a controller context over it. The tests call
/// `reconcile` themselves and play the kubelet by writing pod phases.
private struct BatchCluster {
    let clock = ManualClock()
    let api: KubeAPI
    let context: ControllerContext

    init() async throws {
        api = KubeAPI(store: InMemoryStore(), clock: clock, admission: AdmitAll(), logger: Logger(label: "test"))
        context = ControllerContext(api: api, cache: ObjectCache(), clock: clock)
        try await api.bootstrap()
    }

    func create(_ type: ResourceType, _ object: JSONValue) async throws -> JSONValue {
        try await context.create(type, namespace: "default", object)
    }

    func get(_ type: ResourceType, _ name: String) -> JSONValue? {
        context.cache.get(type, ObjectName(namespace: "default", name: name))
    }

    func pods(of owner: JSONValue) -> [JSONValue] { context.cache.owned(.pod, by: owner.uid, namespace: "default") }

    func active(of job: JSONValue) -> [JSONValue] {
        pods(of: job).filter { !["Succeeded", "Failed"].contains($0[path: ["status", "phase"]]?.stringValue ?? "") }
    }

    /// Sets `status.phase` of the pod's latest version, as its kubelet would.
    func setPhase(_ pod: JSONValue, _ phase: String) async throws {
        let latest = try #require(context.cache.get(.pod, ObjectName(of: pod)))
        var status = latest["status"] ?? .object([:])
        status.set(["phase"], .string(phase))
        try await context.updateStatus(.pod, latest, status: status)
    }

    func setStatus(_ type: ResourceType, _ name: String, _ status: JSONValue) async throws {
        let latest = try #require(get(type, name))
        try await context.updateStatus(type, latest, status: status)
    }

    func eventReasons(about name: String) async throws -> [String] {
        try await api.list(.event, namespace: "default").items.filter {
            $0[path: ["involvedObject", "name"]]?.stringValue == name
        }.compactMap { $0["reason"]?.stringValue }.sorted()
    }
}

private func job(_ name: String, spec: [String: JSONValue]) -> JSONValue {
    var spec = spec
    spec["template"] = [
        "metadata": ["labels": ["app": "batch"]],
        "spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox"]]],
    ]
    return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": .object(spec)]
}

private func conditionTypes(_ object: JSONValue) -> [String] {
    (object[path: ["status", "conditions"]]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "True" }
        .compactMap { $0["type"]?.stringValue }
}

@Suite struct JobControllerTests {
    let controller = JobController()

    @Test func threeCompletionsTwoAtATime() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(.job, job("pi", spec: ["completions": 3, "parallelism": 2]))
        #expect(await controller.reconcile(ObjectName(of: created), context: cluster.context) == .done)
        var pods = cluster.pods(of: created)
        #expect(pods.count == 2)
        let pod = try #require(pods.first)
        #expect(pod.name.hasPrefix("pi-") && pod.name.count == "pi-".count + 5)
        #expect(pod.labels["batch.kubernetes.io/controller-uid"] == created.uid)
        #expect(pod.labels["controller-uid"] == created.uid)
        #expect(pod.labels["batch.kubernetes.io/job-name"] == "pi")
        #expect(pod.labels["job-name"] == "pi")
        #expect(pod.labels["app"] == "batch")
        #expect(pod.controllerReference?.kind == "Job")
        #expect(pod[path: ["spec", "restartPolicy"]] == "Never")
        var status = try #require(cluster.get(.job, "pi")?["status"])
        #expect(status["active"] == 2)
        #expect(status["startTime"]?.stringValue == KubeTime.format(cluster.clock.now))

        // Each success makes room for one more pod, never more than two at once, and never more than 3 in all.
        for round in 1...3 {
            let running = cluster.active(of: created)
            #expect(running.count <= 2)
            try await cluster.setPhase(try #require(running.first), "Succeeded")
            _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
            pods = cluster.pods(of: created)
            #expect(cluster.active(of: created).count == min(2, 3 - round))
            #expect(pods.count == min(3, round + 2))
        }
        let done = try #require(cluster.get(.job, "pi"))
        status = try #require(done["status"])
        #expect(status["succeeded"] == 3)
        #expect(status["active"] == 0)
        #expect(status["failed"] == 0)
        #expect(status["completionTime"] != nil)
        #expect(conditionTypes(done) == ["SuccessCriteriaMet", "Complete"])
        let reasons = try await cluster.eventReasons(about: "pi")
        #expect(reasons == ["Completed", "SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate"])
        // A finished Job is left alone.
        #expect(await controller.reconcile(ObjectName(of: created), context: cluster.context) == .done)
        #expect(cluster.pods(of: created).count == 3)
    }

    @Test func backoffLimitFailsTheJobAndStopsItsPods() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(
            .job, job("flaky", spec: ["backoffLimit": 1, "parallelism": 2, "completions": 4]))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        try await cluster.setPhase(try #require(cluster.active(of: created).first), "Failed")
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        // One failure is within the limit: a replacement comes.
        #expect(cluster.active(of: created).count == 2)
        #expect(cluster.get(.job, "flaky")?[path: ["status", "failed"]] == 1)
        try await cluster.setPhase(try #require(cluster.active(of: created).first), "Failed")
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        let failed = try #require(cluster.get(.job, "flaky"))
        #expect(conditionTypes(failed) == ["FailureTarget", "Failed"])
        let condition = failed[path: ["status", "conditions"]]?.arrayValue?.last
        #expect(condition?["reason"] == "BackoffLimitExceeded")
        #expect(failed[path: ["status", "failed"]] == 2)
        #expect(failed[path: ["status", "completionTime"]] == nil)
        // The pod still running was deleted (unbound: at once); the failed ones stay for their logs.
        #expect(cluster.active(of: created).isEmpty)
        #expect(cluster.pods(of: created).count == 2)
        #expect(try await cluster.eventReasons(about: "flaky").contains("BackoffLimitExceeded"))
    }

    @Test func activeDeadlineFailsTheJobAtTheDeadline() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(.job, job("slow", spec: ["activeDeadlineSeconds": 10]))
        let first = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(first == .requeue(after: .seconds(10)))
        #expect(cluster.active(of: created).count == 1)
        cluster.clock.advance(by: .seconds(5))
        guard case .requeue(let after) = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        else {
            Issue.record("no requeue before the deadline")
            return
        }
        #expect(after == .seconds(5))
        cluster.clock.advance(by: after)
        #expect(await controller.reconcile(ObjectName(of: created), context: cluster.context) == .done)
        let failed = try #require(cluster.get(.job, "slow"))
        #expect(conditionTypes(failed) == ["FailureTarget", "Failed"])
        #expect(failed[path: ["status", "conditions"]]?.arrayValue?.last?["reason"] == "DeadlineExceeded")
        #expect(cluster.pods(of: created).isEmpty)
    }

    @Test func workQueueEndsWhenOneSucceededAndNoneIsActive() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(.job, job("queue", spec: ["parallelism": 2]))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        let pods = cluster.active(of: created)
        #expect(pods.count == 2)
        try await cluster.setPhase(pods[0], "Succeeded")
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        // No new pod after a success; not complete while one still works.
        #expect(cluster.pods(of: created).count == 2)
        #expect(conditionTypes(try #require(cluster.get(.job, "queue"))).isEmpty)
        try await cluster.setPhase(pods[1], "Succeeded")
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(conditionTypes(try #require(cluster.get(.job, "queue"))) == ["SuccessCriteriaMet", "Complete"])
    }

    @Test func suspendedJobRunsNothingUntilResumed() async throws {
        let cluster = try await BatchCluster()
        var created = try await cluster.create(.job, job("later", spec: ["suspend": true]))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.pods(of: created).isEmpty)
        #expect(conditionTypes(try #require(cluster.get(.job, "later"))) == ["Suspended"])
        created = try #require(cluster.get(.job, "later"))
        created.set(["spec", "suspend"], false)
        try await cluster.context.update(.job, created)
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.active(of: created).count == 1)
        #expect(conditionTypes(try #require(cluster.get(.job, "later"))).isEmpty)
    }

    @Test func missingJobAndPodsOfOtherOwnersAreIgnored() async throws {
        let cluster = try await BatchCluster()
        #expect(
            await controller.reconcile(ObjectName(namespace: "default", name: "gone"), context: cluster.context)
                == .done)
        let stray: JSONValue = ["metadata": ["name": "stray"], "spec": ["containers": []]]
        #expect(controller.keys(for: stray, of: .pod, cache: cluster.context.cache).isEmpty)
        let created = try await cluster.create(.job, job("zero", spec: ["completions": 0]))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.pods(of: created).isEmpty)
        #expect(conditionTypes(try #require(cluster.get(.job, "zero"))) == ["SuccessCriteriaMet", "Complete"])
    }
}

@Suite struct CronJobControllerTests {
    let controller = CronJobController()

    func cronJob(_ name: String, schedule: String, extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec = extra
        spec["schedule"] = .string(schedule)
        spec["jobTemplate"] = [
            "metadata": ["labels": ["from": "cron"]], "spec": job("x", spec: [:])["spec"] ?? .null,
        ]
        return [
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)], "spec": .object(spec),
        ]
    }

    @Test func createsTheJobAtTheScheduledMinute() async throws {
        let cluster = try await BatchCluster()
        // The manual clock starts at 2023-11-14T22:13:20Z; the next */5 minute is 22:15:00, 100 s later.
        let created = try await cluster.create(
            .cronJob, cronJob("tick", schedule: "*/5 * * * *", extra: ["concurrencyPolicy": "Forbid"]))
        let first = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(first == .requeue(after: .seconds(100) + .milliseconds(1)))
        #expect(cluster.context.cache.owned(.job, by: created.uid, namespace: "default").isEmpty)

        // Sleeping on the manual clock returns once the clock is advanced past the deadline.
        let clock = cluster.clock
        let wakeUp = clock.now + .seconds(100)
        let sleeper = Task { try await clock.sleep(until: wakeUp) }
        clock.advance(by: .seconds(100) + .milliseconds(1))
        try await sleeper.value
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        let jobs = cluster.context.cache.owned(.job, by: created.uid, namespace: "default")
        #expect(jobs.map(\.name) == ["tick-\(1_700_000_100 / 60)"])
        let made = try #require(jobs.first)
        #expect(made.labels["from"] == "cron")
        #expect(made.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2023-11-14T22:15:00Z")
        #expect(made[path: ["spec", "template", "spec", "restartPolicy"]] == "Never")
        var status = try #require(cluster.get(.cronJob, "tick")?["status"])
        #expect(status["lastScheduleTime"] == "2023-11-14T22:15:00Z")
        #expect(status["active"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [made.name])
        // Reconciling again in the same minute creates nothing more.
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.context.cache.owned(.job, by: created.uid, namespace: "default").count == 1)

        // Forbid: the 22:20 run waits while the 22:15 Job runs, and starts once it completed.
        clock.advance(by: .seconds(300))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.context.cache.owned(.job, by: created.uid, namespace: "default").count == 1)
        try await cluster.setStatus(
            .job, made.name,
            [
                "conditions": [["type": "Complete", "status": "True"]],
                "startTime": "2023-11-14T22:15:00Z", "completionTime": "2023-11-14T22:16:00Z",
            ])
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        let names = cluster.context.cache.owned(.job, by: created.uid, namespace: "default").map(\.name).sorted()
        #expect(names == [made.name, "tick-\(1_700_000_400 / 60)"])
        status = try #require(cluster.get(.cronJob, "tick")?["status"])
        #expect(status["lastSuccessfulTime"] == "2023-11-14T22:16:00Z")
        #expect(status["lastScheduleTime"] == "2023-11-14T22:20:00Z")
        #expect(try await cluster.eventReasons(about: "tick") == ["SuccessfulCreate", "SuccessfulCreate"])
    }

    @Test func replaceDeletesTheActiveJob() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(
            .cronJob, cronJob("swap", schedule: "* * * * *", extra: ["concurrencyPolicy": "Replace"]))
        var names: [String] = []
        for _ in 0..<3 {
            cluster.clock.advance(by: .seconds(60))
            _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
            let active = cluster.context.cache.owned(.job, by: created.uid, namespace: "default")
            #expect(active.count == 1)
            names += active.map(\.name)
        }
        #expect(Set(names).count == 3)
        #expect(try await cluster.eventReasons(about: "swap").filter { $0 == "SuccessfulDelete" }.count == 2)
    }

    @Test func historyLimitDeletesTheOldestFinishedJobs() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(
            .cronJob,
            cronJob(
                "keep", schedule: "* * * * *", extra: ["successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 0]))
        for _ in 0..<4 {
            cluster.clock.advance(by: .seconds(60))
            _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        }
        let names = cluster.context.cache.owned(.job, by: created.uid, namespace: "default").map(\.name).sorted()
        #expect(names.count == 4)
        for (index, name) in names.enumerated() {
            try await cluster.setStatus(
                .job, name,
                [
                    "conditions": [["type": index == 3 ? "Failed" : "Complete", "status": "True"]],
                    "startTime": .string("2023-11-14T22:1\(index + 4):00Z"),
                ])
        }
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        // Of three completed, the newest stays; the failed one goes (limit 0).
        #expect(cluster.context.cache.owned(.job, by: created.uid, namespace: "default").map(\.name) == [names[2]])
        #expect(cluster.get(.cronJob, "keep")?[path: ["status", "active"]] == nil)
    }

    @Test func badScheduleTimeZoneAndSuspendCreateNothing() async throws {
        let cluster = try await BatchCluster()
        let bad = try await cluster.create(.cronJob, cronJob("bad", schedule: "61 * * * *"))
        let zoned = try await cluster.create(
            .cronJob, cronJob("zoned", schedule: "* * * * *", extra: ["timeZone": "Europe/Paris"]))
        let paused = try await cluster.create(
            .cronJob, cronJob("paused", schedule: "* * * * *", extra: ["suspend": true]))
        cluster.clock.advance(by: .seconds(120))
        for cronJob in [bad, zoned, paused] {
            _ = await controller.reconcile(ObjectName(of: cronJob), context: cluster.context)
            #expect(cluster.context.cache.owned(.job, by: cronJob.uid, namespace: "default").isEmpty)
        }
        #expect(try await cluster.eventReasons(about: "bad") == ["InvalidSchedule"])
        #expect(try await cluster.eventReasons(about: "zoned") == ["UnknownTimeZone"])
    }

    @Test func startingDeadlineSkipsLateRuns() async throws {
        let cluster = try await BatchCluster()
        let created = try await cluster.create(
            .cronJob, cronJob("strict", schedule: "*/5 * * * *", extra: ["startingDeadlineSeconds": 10]))
        cluster.clock.advance(by: .seconds(130))  // 22:15:30, 30 s after the run time
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        #expect(cluster.context.cache.owned(.job, by: created.uid, namespace: "default").isEmpty)
        #expect(try await cluster.eventReasons(about: "strict") == ["MissSchedule"])
    }
}

@Suite struct KubeCronScheduleTests {
    func next(_ text: String, after: String) throws -> String? {
        let schedule = try CronExpression.parse(text)
        return schedule.next(after: try #require(KubeTime.parse(after))).map(KubeTime.format)
    }

    @Test func nextTimes() throws {
        #expect(try next("*/15 * * * *", after: "2024-01-01T00:07:00Z") == "2024-01-01T00:15:00Z")
        #expect(try next("0 0 * * *", after: "2024-01-01T00:00:00Z") == "2024-01-02T00:00:00Z")
        #expect(try next("@hourly", after: "2024-01-01T10:30:00Z") == "2024-01-01T11:00:00Z")
        #expect(try next("30 9 * * mon-fri", after: "2024-01-06T12:00:00Z") == "2024-01-08T09:30:00Z")  // Sat → Mon
        #expect(try next("0 0 29 2 *", after: "2024-03-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        #expect(try next("0 12 1 JAN,jul 7", after: "2024-01-01T12:00:00Z") == "2024-01-07T12:00:00Z")  // either day
        #expect(try next("0 0 30 2 *", after: "2024-01-01T00:00:00Z") == nil)
        #expect(try next("0 6 ? * SUN", after: "2024-01-01T00:00:00Z") == "2024-01-07T06:00:00Z")  // `?` is `*`
    }

    @Test func rejectsBadSchedules() {
        for text in [
            "", "* * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "5-1 * * * *", "*/0 * * * *", "@often", "a b c d e",
        ] {
            #expect(throws: CronError.self) { try CronExpression.parse(text) }
        }
    }
}
