public import BoxCore
public import Collections

/// The batch framework's decisions, pure: it keeps the jobs and their runs, starts runs when they are due
/// (`tick`), fits queued runs into offers in the order they were queued, and follows their tasks to the end, then
/// retries, or starts the jobs that depend on them. With nothing queued it SUPPRESSes offers and a new run
/// REVIVEs them, so an idle batch framework costs the master nothing. Time comes in as `now`; everything the host
/// must store comes out of `takeChanges()`.
public struct BatchScheduler: Sendable {
    public internal(set) var jobs: OrderedDictionary<String, BatchJob> = [:]
    public internal(set) var runs: OrderedDictionary<String, BatchRun> = [:]
    public private(set) var frameworkID: FrameworkID?
    var runsByJob: [String: Deque<String>] = [:]
    var queue: Deque<String> = []
    var suppressed = false
    var changes = Changes()
    /// Runs kept per job, oldest dropped first.
    public var runsPerJob = 100
    /// One-off jobs kept (`clusterbox run` makes one each time), oldest finished dropped first.
    public var oneOffJobLimit = 500

    /// What the host must write to (or delete from) the store.
    public struct Changes: Sendable, Equatable {
        public var jobs: [BatchJob] = []
        public var runs: [BatchRun] = []
        public var removedJobs: [String] = []
        public var removedRuns: [String] = []
        var jobNames: OrderedSet<String> = []
        var runIDs: OrderedSet<String> = []

        public var isEmpty: Bool { jobNames.isEmpty && runIDs.isEmpty && removedJobs.isEmpty && removedRuns.isEmpty }
    }

    public init() {}

    public mutating func takeChanges() -> Changes {
        var out = changes
        out.jobs = changes.jobNames.compactMap { jobs[$0] }
        out.runs = changes.runIDs.compactMap { runs[$0] }
        changes = Changes()
        return out
    }

    /// The job's runs, oldest first.
    public func history(of job: String) -> [BatchRun] {
        (runsByJob[job] ?? []).compactMap { runs[$0] }
    }

    // MARK: - Events from the master

    public mutating func subscribed(_ id: FrameworkID) -> [Call] {
        frameworkID = id
        suppressed = false
        return queue.isEmpty ? suppress() : []
    }

    public mutating func offers(_ offers: [Offer], now: Instant) -> [Call] {
        var calls: [Call] = []
        for offer in offers {
            // Simulated agents cannot run a command; runs go to agents that run real processes.
            if offer.attributes["kind"] == "simulated" {
                calls.append(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: 3600)))
                continue
            }
            var left = offer.resources
            var launches: [TaskInfo] = []
            for runID in queue {
                guard var run = runs[runID], left.contains(run.resources) else { continue }
                if let wanted = run.agent, wanted != offer.agentID.value, wanted != offer.hostname { continue }
                run.state = .staging
                run.agentID = offer.agentID
                run.startedAt = now
                record(run)
                left -= run.resources
                launches.append(
                    TaskInfo(
                        taskID: run.taskID, name: "\(run.job) run \(run.id)", agentID: offer.agentID,
                        resources: run.resources, command: CommandInfo(value: run.command),
                        labels: ["clusterbox.io/job": run.job, "clusterbox.io/run": run.id],
                        container: run.image.map { ContainerInfo(image: $0) }))
            }
            let launched = Set(launches.map(\.taskID))
            queue.removeAll { runs[$0].map { launched.contains($0.taskID) } ?? true }
            // What we cannot use is refused for 5 s, as Mesos' default. The filter covers only these resources: when
            // a task ends and frees more, or a new run REVIVEs offers, the agent is offered again at once.
            let filters = Filters(refuseSeconds: 5)
            if launches.isEmpty {
                calls.append(.decline(offerIDs: [offer.id], filters: filters))
            } else {
                calls.append(.accept(offerIDs: [offer.id], operations: [.launch(launches)], filters: filters))
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
        let runID = String(status.taskID.value.dropFirst(BatchRun.taskPrefix.count))
        guard status.taskID.value.hasPrefix(BatchRun.taskPrefix), var run = runs[runID], !run.state.isDone else {
            return calls
        }
        switch status.state {
        case .staging: run.state = .staging
        case .starting, .running, .killing: run.state = .running
        case .finished: run.state = .finished
        case .failed: run.state = .failed
        case .killed: run.state = .killed
        case .error, .dropped: run.state = .error
        case .lost, .gone, .goneByOperator, .unknown, .unreachable: run.state = .lost
        }
        run.message = status.message ?? run.message
        run.exitCode = status.exitCode ?? run.exitCode
        run.reason = status.reason ?? run.reason
        record(run)
        if run.state.isDone { calls += ended(run, now: now) }
        return calls
    }

    /// Kills a running run, or drops a queued one.
    public mutating func kill(run runID: String, now: Instant) -> [Call] {
        guard var run = runs[runID], !run.state.isDone else { return [] }
        guard run.state == .queued else { return [.kill(taskID: run.taskID, agentID: run.agentID)] }
        queue.removeAll { $0 == runID }
        run.state = .killed
        run.message = "Killed before it started"
        record(run)
        return ended(run, now: now)
    }

    // MARK: - Bookkeeping

    mutating func record(_ job: BatchJob) {
        jobs[job.name] = job
        changes.jobNames.append(job.name)
    }

    mutating func record(_ run: BatchRun) {
        runs[run.id] = run
        changes.runIDs.append(run.id)
    }

    mutating func suppress() -> [Call] {
        guard !suppressed else { return [] }
        suppressed = true
        return [.suppress]
    }

    mutating func revive() -> [Call] {
        guard suppressed else { return [] }
        suppressed = false
        return [.revive]
    }
}
