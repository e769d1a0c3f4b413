public import BoxCore

/// Creates a CronJob's Jobs at its schedule times, as the upstream cronjob controller (v2): a Job named
/// `<cronjob>-<scheduled minutes since the epoch>` per run, so a run is never created twice; `concurrencyPolicy`
/// Allow, Forbid (skip the run while one is active; it starts once the active Job ends, if still within
/// `startingDeadlineSeconds`) or Replace (delete the active ones first); `suspend`; the history limits
/// (`successfulJobsHistoryLimit` 3, `failedJobsHistoryLimit` 1 by default, oldest deleted first); status
/// `lastScheduleTime`, `lastSuccessfulTime` and `active` references. It looks again at the next schedule time.
/// Schedules are evaluated in UTC: a `timeZone` other than UTC is refused with a warning event.
public struct CronJobController: Controller {
    public let name = "cronjob-controller"
    public var watches: [ResourceType] { [.cronJob, .job] }

    /// Missed runs looked at after the last one (upstream gives up and warns after 100).
    static let maxMissedRuns = 100

    public init() {}

    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        if type == .cronJob { return [ObjectName(of: object)] }
        guard let owner = object.controllerReference, owner.kind == "CronJob", owner.apiVersion == "batch/v1" else {
            return []
        }
        return [ObjectName(namespace: object.namespace, name: owner.name)]
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let cronJob = context.cache.get(.cronJob, key), cronJob.deletionTimestamp == nil else { return .done }
        let spec = cronJob["spec"] ?? .object([:])
        if let zone = spec["timeZone"]?.stringValue, !["UTC", "Etc/UTC"].contains(zone) {
            await context.event(
                cronJob, reason: "UnknownTimeZone",
                message: "invalid timeZone: \"\(zone)\": clusterbox evaluates schedules in UTC only", warning: true,
                component: name)
            return .done
        }
        let schedule: CronExpression
        do throws(CronError) {
            schedule = try CronExpression.parse(spec["schedule"]?.stringValue ?? "")
        } catch {
            await context.event(
                cronJob, reason: "InvalidSchedule", message: "invalid schedule: \(error.message)", warning: true,
                component: name)
            return .done
        }
        let now = context.now
        do throws(KubeError) {
            return try await run(cronJob, schedule: schedule, now: now, context: context)
        } catch {
            return .requeue(after: .seconds(1))
        }
    }

    private func run(_ cronJob: JSONValue, schedule: CronExpression, now: Instant, context: ControllerContext)
        async throws(KubeError) -> ReconcileResult
    {
        let spec = cronJob["spec"] ?? .object([:])
        var jobs = context.cache.owned(.job, by: cronJob.uid, namespace: cronJob.namespace)
        var status = cronJob["status"] ?? .object([:])
        try await pruneHistory(&jobs, spec: spec, context: context)
        if let lastSuccess = jobs.compactMap(Self.completionTime).max() {
            let previous = status["lastSuccessfulTime"]?.stringValue.flatMap(KubeTime.parse)
            if previous.map({ $0 < lastSuccess }) ?? true {
                status.set(["lastSuccessfulTime"], .string(KubeTime.format(lastSuccess)))
            }
        }
        let wakeUp = schedule.next(after: now).map { ReconcileResult.requeue(after: ($0 - now) + .milliseconds(1)) }
        func finish() async throws(KubeError) -> ReconcileResult {
            let active = jobs.filter { !Self.isFinished($0) }.sorted { $0.name < $1.name }
            status.set(["active"], active.isEmpty ? nil : .array(active.map(Self.reference)))
            try await context.updateStatus(.cronJob, cronJob, status: status)
            return wakeUp ?? .done
        }
        if spec["suspend"]?.boolValue == true { return try await finish() }

        // The latest schedule time since the last run (or the CronJob's creation) that is not in the future.
        let since =
            (status["lastScheduleTime"]?.stringValue ?? cronJob[path: ["metadata", "creationTimestamp"]]?.stringValue)
            .flatMap(KubeTime.parse) ?? now
        var scheduled: Instant?
        var cursor = since
        for _ in 0..<Self.maxMissedRuns {
            guard let time = schedule.next(after: cursor), time <= now else { break }
            scheduled = time
            cursor = time
        }
        if scheduled != nil, let later = schedule.next(after: cursor), later <= now {
            // More than the limit missed: take the latest one anyway.
            var last = later
            while let time = schedule.next(after: last), time <= now { last = time }
            scheduled = last
        }
        guard let scheduled else { return try await finish() }
        if let deadline = spec["startingDeadlineSeconds"]?.intValue, scheduled + .seconds(deadline) < now {
            await context.event(
                cronJob, reason: "MissSchedule",
                message: "Missed scheduled time to start a job: \(KubeTime.format(scheduled))", warning: true,
                component: name)
            return try await finish()
        }
        let jobName = "\(cronJob.name)-\(scheduled.nanosecondsSinceEpoch / 60_000_000_000)"
        if context.cache.get(.job, ObjectName(namespace: cronJob.namespace, name: jobName)) != nil {
            status.set(["lastScheduleTime"], .string(KubeTime.format(scheduled)))
            return try await finish()
        }
        let active = jobs.filter { !Self.isFinished($0) }
        switch spec["concurrencyPolicy"]?.stringValue ?? "Allow" {
        case "Forbid" where !active.isEmpty:
            // Not recorded as scheduled: the run starts when the active Job ends, within the starting deadline.
            return try await finish()
        case "Replace":
            for job in active {
                try await context.delete(.job, job, options: DeleteOptions(propagationPolicy: .background))
                jobs.removeAll { $0.uid == job.uid }
                await context.event(
                    cronJob, reason: "SuccessfulDelete", message: "Deleted job \(job.name)", component: name)
            }
        default: break
        }
        do {
            let created = try await context.create(
                .job, namespace: cronJob.namespace, job(named: jobName, of: cronJob, scheduled: scheduled))
            jobs.append(created)
            await context.event(
                cronJob, reason: "SuccessfulCreate", message: "Created job \(jobName)", component: name)
        } catch let error where error.code == 409 && error.reason == "AlreadyExists" {
            // Created by an earlier pass whose write the cache has not seen yet.
        }
        status.set(["lastScheduleTime"], .string(KubeTime.format(scheduled)))
        return try await finish()
    }

    /// The Job of one run: the template with the CronJob's controller reference and the scheduled time.
    func job(named jobName: String, of cronJob: JSONValue, scheduled: Instant) -> JSONValue {
        let template = cronJob[path: ["spec", "jobTemplate"]] ?? .object([:])
        var job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job"]
        job.set(["metadata"], template["metadata"] ?? .object([:]))
        job.set(["metadata", "name"], .string(jobName))
        job.set(["metadata", "generateName"], nil)
        job.set(["metadata", "namespace"], .string(cronJob.namespace))
        var annotations = job.annotations
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = KubeTime.format(scheduled)
        job.annotations = annotations
        job.ownerReferences = [OwnerReference(controllerOf: cronJob, type: .cronJob)]
        job.set(["spec"], template["spec"] ?? .object([:]))
        return job
    }

    /// Deletes the oldest finished Jobs beyond the history limits.
    private func pruneHistory(_ jobs: inout [JSONValue], spec: JSONValue, context: ControllerContext)
        async throws(KubeError)
    {
        let limits = [
            ("Complete", spec["successfulJobsHistoryLimit"]?.intValue ?? 3),
            ("Failed", spec["failedJobsHistoryLimit"]?.intValue ?? 1),
        ]
        for (condition, limit) in limits {
            let finished = jobs.filter { JobCondition.isTrue($0["status"] ?? .null, condition) }.sorted {
                (Self.startTime($0), $0.name) < (Self.startTime($1), $1.name)
            }
            for job in finished.dropLast(max(0, limit)) {
                do {
                    try await context.delete(.job, job, options: DeleteOptions(propagationPolicy: .background))
                } catch let error where error.code == 404 {}
                jobs.removeAll { $0.uid == job.uid }
                await context.event(
                    job, reason: "SuccessfulDelete", message: "Deleted job \(job.name)", component: name)
            }
        }
    }

    static func isFinished(_ job: JSONValue) -> Bool {
        let status = job["status"] ?? .null
        return JobCondition.isTrue(status, "Complete") || JobCondition.isTrue(status, "Failed")
    }

    static func completionTime(_ job: JSONValue) -> Instant? {
        guard JobCondition.isTrue(job["status"] ?? .null, "Complete") else { return nil }
        return job[path: ["status", "completionTime"]]?.stringValue.flatMap(KubeTime.parse)
    }

    static func startTime(_ job: JSONValue) -> String {
        job[path: ["status", "startTime"]]?.stringValue ?? job[path: ["metadata", "creationTimestamp"]]?.stringValue
            ?? ""
    }

    /// An ObjectReference to `job`, as `status.active` lists them (without `resourceVersion`, so that the Job's
    /// status changes do not rewrite the CronJob's).
    static func reference(_ job: JSONValue) -> JSONValue {
        [
            "apiVersion": "batch/v1", "kind": "Job", "namespace": .string(job.namespace), "name": .string(job.name),
            "uid": .string(job.uid),
        ]
    }
}
