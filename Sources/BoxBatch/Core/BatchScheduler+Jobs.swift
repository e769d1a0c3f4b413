public import BoxCore

/// Jobs: creating and deleting them, starting their runs (one-off, scheduled, on demand, after their parents,
/// retries) and deciding what a run's end means for its job and the jobs that depend on it.
extension BatchScheduler {
    /// Adds a job. A one-off job starts its first run at once; a scheduled one waits for its first time.
    public mutating func create(_ job: BatchJob, now: Instant) throws(BatchError) -> [Call] {
        try validate(job)
        var job = job
        // A schedule that starts now (`R//PT1M` starts when it was parsed, a moment ago) runs now: look from
        // just before.
        job.nextRunAt = job.schedule?.next(after: min(job.createdAt, now) + .nanoseconds(-1))
        job.createdAt = now
        record(job)
        var calls: [Call] = []
        if job.isOneOff { calls += start(job.name, trigger: .created, attempt: 1, now: now).calls }
        trimOneOffJobs()
        return calls
    }

    /// `run now`: one more run of the job, whatever its schedule or parents.
    public mutating func runNow(_ name: String, now: Instant) throws(BatchError) -> (run: BatchRun, calls: [Call]) {
        guard jobs[name] != nil else { throw .notFound("job \(name) not found") }
        return start(name, trigger: .manual, attempt: 1, now: now)
    }

    /// Deletes a job and its history, killing what still runs. A job that others depend on stays.
    public mutating func delete(_ name: String, now: Instant) throws(BatchError) -> [Call] {
        guard jobs[name] != nil else { throw .notFound("job \(name) not found") }
        let children = jobs.values.filter { $0.parents.contains(name) }.map(\.name)
        guard children.isEmpty else {
            throw .conflict("job \(name) is a parent of \(children.joined(separator: ", ")): delete those first")
        }
        var calls: [Call] = []
        for run in history(of: name) where !run.state.isDone {
            if run.state == .queued {
                queue.removeAll { $0 == run.id }
            } else {
                calls.append(.kill(taskID: run.taskID, agentID: run.agentID))
            }
        }
        remove(job: name)
        if queue.isEmpty { calls += suppress() }
        return calls
    }

    /// At most this many runs of one job start in one tick when it catches up.
    static let catchUpLimit = 100

    /// Starts what is due: scheduled runs and retries whose backoff has passed.
    public mutating func tick(now: Instant) -> [Call] {
        var calls: [Call] = []
        for name in jobs.keys {
            guard var job = jobs[name] else { continue }
            if let retry = job.pendingRetry, retry.at <= now {
                job.pendingRetry = nil
                record(job)
                calls += start(name, trigger: .retry, attempt: retry.attempt, now: now).calls
                job = jobs[name]!
            }
            guard let schedule = job.schedule, let first = job.nextRunAt, first <= now else { continue }
            // Every time that passed within epsilon runs, even when this tick came late; older ones (the cluster
            // was down) are skipped, as one record, not one per missed time.
            let oldest = now + .nanoseconds(-Int64(job.epsilonSeconds * 1e9))
            var due: Instant? = first
            if first < oldest {
                let missed = now - first
                skip(
                    name, trigger: .schedule, now: now,
                    because: "its time \(CivilTime(first)) passed \(Int(missed.seconds)) s before it could start")
                due = schedule.next(after: oldest + .nanoseconds(-1))
            }
            var started = 0
            while let time = due, time <= now, started < Self.catchUpLimit {
                calls += start(name, trigger: .schedule, attempt: 1, now: now).calls
                started += 1
                due = schedule.next(after: time)
            }
            // Beyond the catch-up limit the remaining past times are dropped.
            if let time = due, time <= now { due = schedule.next(after: now) }
            if var job = jobs[name] {
                job.nextRunAt = due
                record(job)
            }
        }
        return calls
    }

    /// Brings back jobs and runs from the store after a restart. Runs that were on an agent ended with the
    /// daemon: they are lost, and retried if their job allows it.
    public mutating func restore(jobs restored: [BatchJob], runs restoredRuns: [BatchRun], now: Instant) -> [Call] {
        for job in restored.sorted(by: { $0.createdAt < $1.createdAt }) { jobs[job.name] = job }
        var calls: [Call] = []
        for run in restoredRuns.sorted(by: { $0.queuedAt < $1.queuedAt }) where jobs[run.job] != nil {
            runs[run.id] = run
            runsByJob[run.job, default: []].append(run.id)
            switch run.state {
            case .queued:
                queue.append(run.id)
            case .staging, .running:
                var lost = run
                lost.state = .lost
                lost.message = "The cluster stopped while the run ran"
                record(lost)
                calls += ended(lost, now: now)
            default:
                break
            }
        }
        return calls + (queue.isEmpty ? [] : revive())
    }

    // MARK: - Runs

    /// Queues a new run of the job.
    @discardableResult
    mutating func start(_ name: String, trigger: BatchRun.Trigger, attempt: Int, now: Instant)
        -> (run: BatchRun, calls: [Call])
    {
        var job = jobs[name]!
        job.runCount += 1
        let run = BatchRun(id: "\(name).\(job.runCount)", job: job, attempt: attempt, trigger: trigger, queuedAt: now)
        job.lastRunID = run.id
        record(job)
        record(run)
        runsByJob[name, default: []].append(run.id)
        queue.append(run.id)
        trimHistory(of: name)
        return (run, revive())
    }

    /// Records a run that never started, and so keeps the job's children from running too.
    mutating func skip(_ name: String, trigger: BatchRun.Trigger, now: Instant, because reason: String) {
        var job = jobs[name]!
        job.runCount += 1
        var run = BatchRun(id: "\(name).\(job.runCount)", job: job, attempt: 1, trigger: trigger, queuedAt: now)
        run.state = .skipped
        run.message = "Skipped: \(reason)"
        run.finishedAt = now
        job.lastRunID = run.id
        record(job)
        record(run)
        runsByJob[name, default: []].append(run.id)
        trimHistory(of: name)
        skipChildren(of: name, now: now, because: "parent \(name) did not run")
    }

    /// A run ended: count it, retry it, or start (or skip) the jobs that depend on its job.
    mutating func ended(_ run: BatchRun, now: Instant) -> [Call] {
        var run = run
        run.finishedAt = now
        record(run)
        guard var job = jobs[run.job] else { return [] }
        if run.state == .finished {
            job.lastSuccessAt = now
            job.successCount += 1
            record(job)
            return startChildren(of: job.name, now: now)
        }
        if run.state.isRetryable && run.attempt <= job.retries {
            job.pendingRetry = .init(at: now + job.backoff(beforeAttempt: run.attempt + 1), attempt: run.attempt + 1)
            record(job)
            return []
        }
        job.lastFailureAt = now
        job.failureCount += 1
        record(job)
        let outcome = run.exitCode.map { "exited \($0)" } ?? run.state.rawValue
        skipChildren(of: job.name, now: now, because: "parent \(job.name) failed (\(run.id) \(outcome))")
        return []
    }

    /// Starts each child whose parents have all succeeded since the child last ran because of them.
    private mutating func startChildren(of parent: String, now: Instant) -> [Call] {
        var calls: [Call] = []
        for child in jobs.values where child.parents.contains(parent) {
            let ready = child.parents.allSatisfy { name in
                guard let success = jobs[name]?.lastSuccessAt else { return false }
                return child.lastTriggeredAt.map { success > $0 } ?? true
            }
            guard ready else { continue }
            var job = child
            job.lastTriggeredAt = now
            record(job)
            calls += start(child.name, trigger: .parents, attempt: 1, now: now).calls
        }
        return calls
    }

    private mutating func skipChildren(of parent: String, now: Instant, because reason: String) {
        for child in jobs.values where child.parents.contains(parent) {
            skip(child.name, trigger: .parents, now: now, because: reason)
        }
    }

    // MARK: - Limits

    private func validate(_ job: BatchJob) throws(BatchError) {
        var problems: [String] = []
        if let problem = BatchJob.checkName(job.name) { problems.append(problem) }
        if job.command.allSatisfy(\.isWhitespace) && job.image == nil {
            problems.append("cmd: a non-empty command is required (or an image, whose own command runs)")
        }
        if let image = job.image, image.isEmpty || image.contains(where: \.isWhitespace) {
            problems.append("image: a reference such as busybox:1.36, got '\(image)'")
        }
        if job.schedule != nil && !job.parents.isEmpty {
            problems.append("a job runs on a schedule or after its parents, not both")
        }
        for parent in job.parents where jobs[parent] == nil || parent == job.name {
            problems.append(parent == job.name ? "parents: a job cannot depend on itself" : "parents: no job \(parent)")
        }
        if Set(job.parents).count != job.parents.count { problems.append("parents: listed twice") }
        if !(0...BatchJob.maxRetries).contains(job.retries) {
            problems.append("retries: 0 to \(BatchJob.maxRetries), got \(job.retries)")
        }
        if !(job.retryBackoffSeconds > 0 && job.retryBackoffSeconds <= BatchJob.maxRetryBackoffSeconds) {
            problems.append("retry_backoff_seconds: more than 0 and at most \(Int(BatchJob.maxRetryBackoffSeconds))")
        }
        if !(job.epsilonSeconds >= 0 && job.epsilonSeconds.isFinite) {
            problems.append("epsilon_seconds: a non-negative number")
        }
        if !problems.isEmpty { throw .invalid(problems.joined(separator: "; ")) }
        if jobs[job.name] != nil { throw .conflict("job \(job.name) already exists") }
    }

    private mutating func remove(job name: String) {
        for runID in runsByJob.removeValue(forKey: name) ?? [] {
            runs.removeValue(forKey: runID)
            changes.runIDs.remove(runID)
            changes.removedRuns.append(runID)
        }
        jobs.removeValue(forKey: name)
        changes.jobNames.remove(name)
        changes.removedJobs.append(name)
    }

    private mutating func trimHistory(of name: String) {
        guard var ids = runsByJob[name], ids.count > runsPerJob else { return }
        while ids.count > runsPerJob, let oldest = ids.first, runs[oldest]?.state.isDone ?? true {
            ids.removeFirst()
            runs.removeValue(forKey: oldest)
            changes.runIDs.remove(oldest)
            changes.removedRuns.append(oldest)
        }
        runsByJob[name] = ids
    }

    private mutating func trimOneOffJobs() {
        let oneOffs = jobs.values.filter(\.isOneOff)
        guard oneOffs.count > oneOffJobLimit else { return }
        let settled = oneOffs.filter { job in
            history(of: job.name).allSatisfy(\.state.isDone) && !jobs.values.contains { $0.parents.contains(job.name) }
        }
        for job in settled.prefix(oneOffs.count - oneOffJobLimit) { remove(job: job.name) }
    }
}
