import BoxBatch
import BoxCore
import BoxMaster
import Foundation
import Hummingbird

/// The batch framework's API, Chronos-style: jobs (one-off, scheduled, dependent), their runs, run now, history.
struct BatchRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        router.post("/batch/v1/jobs") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let job = try JobSpec.parse(Data(buffer: body), now: cluster.batch.now)
            try await checkFits(job)
            let created = try await batch { () async throws(BatchError) in try await cluster.batch.create(job) }
            return JSON.response(await view(created), status: .created)
        }
        router.get("/batch/v1/jobs") { _, _ in
            var views: [JobView] = []
            for job in await cluster.batch.jobs() { views.append(await view(job)) }
            return JSON.response(["jobs": views])
        }
        router.get("/batch/v1/jobs/{name}") { _, context in
            let name = try context.parameters.require("name")
            guard let job = await cluster.batch.job(name) else { throw APIError(.notFound, "job \(name) not found") }
            return JSON.response(await view(job))
        }
        router.delete("/batch/v1/jobs/{name}") { _, context in
            let name = try context.parameters.require("name")
            try await batch { () async throws(BatchError) in try await cluster.batch.delete(name) }
            return Response(status: .noContent)
        }
        router.post("/batch/v1/jobs/{name}/runs") { _, context in
            let name = try context.parameters.require("name")
            let run = try await batch { () async throws(BatchError) in try await cluster.batch.runNow(name) }
            return JSON.response(RunView(run), status: .created)
        }
        router.get("/batch/v1/jobs/{name}/runs") { _, context in
            let name = try context.parameters.require("name")
            guard let runs = await cluster.batch.history(of: name) else {
                throw APIError(.notFound, "job \(name) not found")
            }
            return JSON.response(["runs": runs.reversed().map(RunView.init)])
        }
        router.get("/batch/v1/runs/{id}") { request, context in
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters
            // Long poll: `?wait=queued` answers once the run has left that state (or after `timeout` seconds).
            if let waitFor = query.get("wait") {
                guard let state = BatchRun.State(rawValue: waitFor) else {
                    throw APIError(.badRequest, "unknown state '\(waitFor)'")
                }
                let seconds = min(max(Double(query.get("timeout") ?? "") ?? 30, 0), 60)
                guard let run = await cluster.batch.waitForChange(of: id, from: state, timeout: .seconds(seconds))
                else { throw APIError(.notFound, "run \(id) not found") }
                return JSON.response(RunView(run))
            }
            guard let run = await cluster.batch.run(id) else { throw APIError(.notFound, "run \(id) not found") }
            return JSON.response(RunView(run))
        }
        router.delete("/batch/v1/runs/{id}") { _, context in
            let id = try context.parameters.require("id")
            guard await cluster.batch.kill(run: id) else { throw APIError(.notFound, "run \(id) not found") }
            return Response(status: .accepted)
        }
    }

    private func view(_ job: BatchJob) async -> JobView {
        JobView(job, lastRun: await job.lastRunID.asyncFlatMap { await cluster.batch.run($0) })
    }

    /// Runs a batch request, answering its refusal with the matching status.
    private func batch<T>(_ body: () async throws(BatchError) -> T) async throws -> T {
        do {
            return try await body()
        } catch .invalid(let message) {
            throw APIError(.unprocessableContent, message)
        } catch .notFound(let message) {
            throw APIError(.notFound, message)
        } catch .conflict(let message) {
            throw APIError(.conflict, message)
        }
    }

    /// A job that no registered agent could ever hold is refused now, instead of waiting forever for an offer.
    private func checkFits(_ job: BatchJob) async throws {
        let core = await cluster.master.snapshot()
        let agents = core.agents.values.filter { $0.isActive && $0.attributes["kind"] != "simulated" }
        let candidates = agents.filter { job.agent == nil || job.agent == $0.id.value || job.agent == $0.hostname }
        if let wanted = job.agent, candidates.isEmpty {
            let known = agents.map(\.hostname).sorted().joined(separator: ", ")
            throw APIError(
                .unprocessableContent,
                "no agent named \(wanted) runs commands (agents that do: \(known.isEmpty ? "none" : known))")
        }
        guard candidates.contains(where: { $0.total.contains(job.resources) }) else {
            let largest = Set(candidates.map(\.total.scalars.description)).sorted().joined(separator: ", ")
            throw APIError(
                .unprocessableContent,
                "no agent can ever fit \(job.resources): agents offer at most \(largest.isEmpty ? "nothing" : largest)"
            )
        }
    }
}

extension Optional {
    fileprivate func asyncFlatMap<U>(_ transform: (Wrapped) async -> U?) async -> U? {
        guard let self else { return nil }
        return await transform(self)
    }
}
