import BoxBatch
import BoxCore
import BoxMaster
import Foundation
import Hummingbird

/// The batch framework's API: submit a one-off command, follow it, kill it.
struct BatchRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        router.post("/batch/v1/jobs") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let submission = try JobSubmission.parse(Data(buffer: body))
            try await checkFits(submission)
            let job = await cluster.batch.submit(
                command: submission.cmd, resources: submission.resources, agent: submission.agent)
            return JSON.response(JobView(job), status: .created)
        }
        router.get("/batch/v1/jobs") { _, _ in
            JSON.response(["jobs": await cluster.batch.jobs().map(JobView.init)])
        }
        router.get("/batch/v1/jobs/{id}") { request, context in
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters
            // Long poll: `?wait=queued` answers once the job has left that state (or after `timeout` seconds).
            if let waitFor = query.get("wait") {
                guard let state = BatchJob.State(rawValue: waitFor) else {
                    throw APIError(.badRequest, "unknown state '\(waitFor)'")
                }
                let seconds = min(Double(query.get("timeout") ?? "") ?? 30, 60)
                guard let job = await cluster.batch.waitForChange(of: id, from: state, timeout: .seconds(seconds))
                else {
                    throw APIError(.notFound, "job \(id) not found")
                }
                return JSON.response(JobView(job))
            }
            guard let job = await cluster.batch.job(id) else { throw APIError(.notFound, "job \(id) not found") }
            return JSON.response(JobView(job))
        }
        router.delete("/batch/v1/jobs/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard await cluster.batch.kill(id) else { throw APIError(.notFound, "job \(id) not found") }
            return Response(status: .accepted)
        }
    }

    /// A job that no registered agent could ever hold fails now, instead of waiting forever for an offer.
    private func checkFits(_ submission: JobSubmission) async throws {
        let core = await cluster.master.snapshot()
        let agents = core.agents.values.filter { $0.isActive && $0.attributes["kind"] != "simulated" }
        let candidates = agents.filter {
            submission.agent == nil || submission.agent == $0.id.value || submission.agent == $0.hostname
        }
        if let wanted = submission.agent, candidates.isEmpty {
            let known = agents.map(\.hostname).sorted().joined(separator: ", ")
            throw APIError(
                .unprocessableContent,
                "no agent named \(wanted) runs commands (agents that do: \(known.isEmpty ? "none" : known))")
        }
        guard candidates.contains(where: { $0.total.contains(submission.resources) }) else {
            let largest = Set(candidates.map(\.total.scalars.description)).sorted().joined(separator: ", ")
            throw APIError(
                .unprocessableContent,
                "no agent can ever fit \(submission.resources): agents offer at most \(largest.isEmpty ? "nothing" : largest)"
            )
        }
    }
}

/// `POST /batch/v1/jobs` body: `{"cmd": "echo hi", "cpus": 0.1, "mem": 32, "disk": 0, "agent": "agent-1"}`.
struct JobSubmission {
    var cmd: String
    var resources: Resources
    var agent: String?

    static let fields: Set<String> = ["cmd", "cpus", "mem", "disk", "agent"]

    static func parse(_ data: Data) throws -> JobSubmission {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(
                .badRequest, "the body must be a JSON object such as {\"cmd\": \"echo hi\", \"cpus\": 0.1, \"mem\": 32}"
            )
        }
        var problems: [String] = []
        for key in object.keys.sorted() where !fields.contains(key) {
            problems.append("unknown field '\(key)' (known: \(fields.sorted().joined(separator: ", ")))")
        }
        let cmd = object["cmd"] as? String ?? ""
        if cmd.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("cmd: a non-empty command is required") }
        func number(_ key: String, _ fallback: Double) -> Double {
            guard let value = object[key] else { return fallback }
            guard let number = value as? Double, number.isFinite, number >= 0 else {
                problems.append("\(key): must be a non-negative number")
                return fallback
            }
            return number
        }
        let cpus = number("cpus", 0.1)
        let mem = number("mem", 32)
        let disk = number("disk", 0)
        if cpus == 0 && mem == 0 { problems.append("a job needs some cpus or mem") }
        let agent = object["agent"].flatMap { $0 as? String }
        if object["agent"] != nil && agent == nil { problems.append("agent: must be a string") }
        guard problems.isEmpty else { throw APIError(.badRequest, problems.joined(separator: "; ")) }
        return JobSubmission(
            cmd: cmd,
            resources: Resources(cpus: cpus, memoryMiB: Int(mem.rounded(.up)), diskMiB: Int(disk.rounded(.up))),
            agent: agent)
    }
}

/// A batch job as the API shows it.
public struct JobView: Codable, Sendable {
    public var id: String
    public var cmd: String
    public var cpus: Double
    public var mem: Int
    public var agent: String?
    public var state: String
    public var task_id: String
    public var agent_id: String?
    public var exit_code: Int32?
    public var message: String?
    public var submitted_at: Double
    public var started_at: Double?
    public var finished_at: Double?

    init(_ job: BatchJob) {
        id = job.id
        cmd = job.command
        cpus = job.resources.cpus
        mem = job.resources.memoryMiB
        agent = job.agent
        state = job.state.rawValue
        task_id = job.taskID.value
        agent_id = job.agentID?.value
        exit_code = job.exitCode
        message = job.message
        submitted_at = job.submittedAt.secondsSinceEpoch
        started_at = job.startedAt?.secondsSinceEpoch
        finished_at = job.finishedAt?.secondsSinceEpoch
    }

    public var isDone: Bool { !["queued", "staging", "running"].contains(state) }
}
