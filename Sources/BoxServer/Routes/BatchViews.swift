import BoxBatch
import BoxCore
import Foundation

/// `POST /batch/v1/jobs` body, Chronos' fields in snake case:
/// `{"name": "backup", "cmd": "tar czf …", "cpus": 0.5, "mem": 128, "schedule": "R/2026-01-01T03:00:00Z/P1D",
/// "retries": 2}`. Without `schedule` and `parents` the job is one-off: it runs once, now; without `name` it gets
/// one (`run-1a2b3c4d`). With `image` (a reference in the agents' image store) the command runs in that image under
/// its `/bin/sh -c`, and `cmd` may be left out to run the image's own entrypoint and cmd. `schedule` is an ISO 8601 repeating interval or a cron expression, in UTC.
enum JobSpec {
    static let fields: Set<String> = [
        "name", "cmd", "image", "cpus", "mem", "disk", "agent", "schedule", "parents", "retries",
        "retry_backoff_seconds",
        "epsilon_seconds",
    ]

    static func parse(_ data: Data, now: Instant) throws -> BatchJob {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(
                .badRequest, "the body must be a JSON object such as {\"cmd\": \"echo hi\", \"cpus\": 0.1, \"mem\": 32}"
            )
        }
        var problems: [String] = []
        for key in object.keys.sorted() where !fields.contains(key) {
            problems.append("unknown field '\(key)' (known: \(fields.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String else {
                problems.append("\(key): must be a string")
                return nil
            }
            return text
        }
        func number(_ key: String, _ fallback: Double) -> Double {
            guard let value = object[key] else { return fallback }
            guard let number = value as? Double, number.isFinite, number >= 0 else {
                problems.append("\(key): must be a non-negative number")
                return fallback
            }
            return number
        }
        let cmd = string("cmd") ?? ""
        let image = string("image")
        if cmd.allSatisfy(\.isWhitespace) && image == nil {
            problems.append("cmd: a non-empty command is required (or an image, whose own command runs)")
        }
        let cpus = number("cpus", 0.1)
        let mem = number("mem", 32)
        let disk = number("disk", 0)
        if cpus == 0 && mem == 0 { problems.append("a job needs some cpus or mem") }
        let retries = number("retries", 0)
        if retries != retries.rounded() { problems.append("retries: must be a whole number") }
        var schedule: Schedule?
        if let text = string("schedule") {
            do throws(ScheduleError) {
                schedule = try Schedule.parse(text, now: now)
            } catch {
                problems.append("schedule: \(error.message)")
            }
        }
        var parents: [String] = []
        if let value = object["parents"] {
            if let names = value as? [String] {
                parents = names
            } else {
                problems.append("parents: a list of job names")
            }
        }
        guard problems.isEmpty else { throw APIError(.badRequest, problems.joined(separator: "; ")) }

        let name = string("name") ?? "run-" + String(UUID().uuidString.prefix(8)).lowercased()
        var job = BatchJob(
            name: name, command: cmd,
            resources: Resources(cpus: cpus, memoryMiB: Int(mem.rounded(.up)), diskMiB: Int(disk.rounded(.up))),
            createdAt: now)
        job.agent = string("agent")
        job.image = image
        job.schedule = schedule
        job.parents = parents
        job.retries = Int(min(retries, 1000))
        job.retryBackoffSeconds = number("retry_backoff_seconds", job.retryBackoffSeconds)
        job.epsilonSeconds = number("epsilon_seconds", job.epsilonSeconds)
        return job
    }
}

/// A batch job as the API shows it.
public struct JobView: Codable, Sendable {
    public var name: String
    public var cmd: String
    public var image: String?
    public var cpus: Double
    public var mem: Int
    public var disk: Int
    public var agent: String?
    public var schedule: String?
    public var parents: [String]
    public var retries: Int
    public var retry_backoff_seconds: Double
    public var epsilon_seconds: Double
    public var created_at: Double
    public var next_run_at: Double?
    public var retry_at: Double?
    public var runs: Int
    public var success_count: Int
    public var failure_count: Int
    public var last_success_at: Double?
    public var last_failure_at: Double?
    public var last_run: RunView?

    init(_ job: BatchJob, lastRun: BatchRun?) {
        name = job.name
        cmd = job.command
        image = job.image
        cpus = job.resources.cpus
        mem = job.resources.memoryMiB
        disk = job.resources.diskMiB
        agent = job.agent
        schedule = job.schedule?.description
        parents = job.parents
        retries = job.retries
        retry_backoff_seconds = job.retryBackoffSeconds
        epsilon_seconds = job.epsilonSeconds
        created_at = job.createdAt.secondsSinceEpoch
        next_run_at = job.nextRunAt?.secondsSinceEpoch
        retry_at = job.pendingRetry?.at.secondsSinceEpoch
        runs = job.runCount
        success_count = job.successCount
        failure_count = job.failureCount
        last_success_at = job.lastSuccessAt?.secondsSinceEpoch
        last_failure_at = job.lastFailureAt?.secondsSinceEpoch
        last_run = lastRun.map(RunView.init)
    }
}

/// One run of a job as the API shows it.
public struct RunView: Codable, Sendable {
    public var id: String
    public var job: String
    public var attempt: Int
    public var trigger: String
    public var cmd: String
    public var image: String?
    public var state: String
    public var task_id: String
    public var agent_id: String?
    public var exit_code: Int32?
    public var message: String?
    public var reason: String?
    public var queued_at: Double
    public var started_at: Double?
    public var finished_at: Double?
    public var duration_seconds: Double?

    init(_ run: BatchRun) {
        id = run.id
        job = run.job
        attempt = run.attempt
        trigger = run.trigger.rawValue
        cmd = run.command
        image = run.image
        state = run.state.rawValue
        task_id = run.taskID.value
        agent_id = run.agentID?.value
        exit_code = run.exitCode
        message = run.message
        reason = run.reason?.rawValue
        queued_at = run.queuedAt.secondsSinceEpoch
        started_at = run.startedAt?.secondsSinceEpoch
        finished_at = run.finishedAt?.secondsSinceEpoch
        duration_seconds = run.duration?.seconds
    }

    public var isDone: Bool { !["queued", "staging", "running"].contains(state) }
}
