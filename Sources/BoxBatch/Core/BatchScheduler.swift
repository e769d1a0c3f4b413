public import BoxCore
public import Collections

/// The batch framework's decisions, pure: jobs wait in submission order; each offer takes as many waiting jobs as
/// fit (respecting a job's agent); what is left is declined. With nothing waiting the framework SUPPRESSes offers,
/// and a new job REVIVEs them, so an idle batch framework costs the master nothing.
public struct BatchScheduler: Sendable {
    public private(set) var jobs: OrderedDictionary<String, BatchJob> = [:]
    public private(set) var frameworkID: FrameworkID?
    private var queue: Deque<String> = []
    private var suppressed = false
    /// Finished jobs kept for `clusterbox run` and the API.
    public var historyLimit = 1000

    public init() {}

    /// Jobs that changed since the last call, for the host to persist.
    public private(set) var changed: OrderedSet<String> = []

    public mutating func takeChanged() -> [BatchJob] {
        defer { changed.removeAll() }
        return changed.compactMap { jobs[$0] }
    }

    // MARK: - Inputs

    public mutating func subscribed(_ id: FrameworkID) -> [Call] {
        frameworkID = id
        suppressed = false
        return queue.isEmpty ? suppress() : []
    }

    /// Queues a job (or restores one from the store after a restart).
    public mutating func submit(_ job: BatchJob) -> [Call] {
        jobs[job.id] = job
        changed.append(job.id)
        guard job.state == .queued else { return [] }
        queue.append(job.id)
        if suppressed {
            suppressed = false
            return [.revive]
        }
        return []
    }

    public mutating func offers(_ offers: [Offer], now: Instant) -> [Call] {
        var calls: [Call] = []
        for offer in offers {
            // Simulated agents cannot run a command; jobs go to agents that run real processes.
            if offer.attributes["kind"] == "simulated" {
                calls.append(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: 3600)))
                continue
            }
            var left = offer.resources
            var launches: [TaskInfo] = []
            for jobID in queue {
                guard var job = jobs[jobID], left.contains(job.resources) else { continue }
                if let wanted = job.agent, wanted != offer.agentID.value, wanted != offer.hostname { continue }
                job.state = .staging
                job.agentID = offer.agentID
                job.startedAt = now
                jobs[jobID] = job
                changed.append(jobID)
                left -= job.resources
                launches.append(
                    TaskInfo(
                        taskID: job.taskID, name: "run \(job.command)", agentID: offer.agentID,
                        resources: job.resources,
                        command: CommandInfo(value: job.command), labels: ["clusterbox.io/job": job.id]))
            }
            let launched = Set(launches.map(\.taskID))
            queue.removeAll { jobs[$0].map { launched.contains($0.taskID) } ?? true }
            // What we cannot use is refused for 5 s, as Mesos' default. The filter covers only these resources: when
            // a task ends and frees more, or a new job REVIVEs offers, the agent is offered again at once.
            let refuse: Double = 5
            if launches.isEmpty {
                calls.append(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: refuse)))
            } else {
                calls.append(
                    .accept(
                        offerIDs: [offer.id], operations: [.launch(launches)], filters: Filters(refuseSeconds: refuse)))
            }
        }
        if queue.isEmpty { calls += suppress() }
        return calls
    }

    public mutating func update(_ status: TaskStatus, now: Instant) -> [Call] {
        var calls: [Call] = []
        if let uuid = status.uuid, let agentID = status.agentID {
            calls.append(.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid))
        }
        // Task ids are `batch-<job id>`.
        let jobID = String(status.taskID.value.dropFirst(BatchJob.taskPrefix.count))
        guard status.taskID.value.hasPrefix(BatchJob.taskPrefix), var job = jobs[jobID], !job.state.isDone else {
            return calls
        }
        switch status.state {
        case .staging: job.state = .staging
        case .starting, .running, .killing: job.state = .running
        case .finished: job.state = .finished
        case .failed: job.state = .failed
        case .killed: job.state = .killed
        case .error, .dropped: job.state = .error
        case .lost, .gone, .goneByOperator, .unknown, .unreachable: job.state = .lost
        }
        job.message = status.message ?? job.message
        job.exitCode = status.exitCode ?? job.exitCode
        if job.state.isDone { job.finishedAt = now }
        jobs[jobID] = job
        changed.append(jobID)
        trimHistory()
        return calls
    }

    /// Kills a running job, or drops a waiting one.
    public mutating func kill(_ jobID: String, now: Instant) -> [Call] {
        guard var job = jobs[jobID], !job.state.isDone else { return [] }
        if job.state == .queued {
            queue.removeAll { $0 == jobID }
            job.state = .killed
            job.message = "Killed before it started"
            job.finishedAt = now
            jobs[jobID] = job
            changed.append(jobID)
            return []
        }
        return [.kill(taskID: job.taskID, agentID: job.agentID)]
    }

    private mutating func suppress() -> [Call] {
        guard !suppressed else { return [] }
        suppressed = true
        return [.suppress]
    }

    private mutating func trimHistory() {
        while jobs.count > historyLimit, let oldest = jobs.values.first(where: { $0.state.isDone }) {
            jobs.removeValue(forKey: oldest.id)
        }
    }
}
