import BoxCore

/// What a Job reconcile decided: pods to create and delete, and where the Job stands.
struct JobDecision {
    enum Outcome: Equatable {
        /// Still running; look again at the active deadline, if any.
        case running(deadline: Instant?)
        case suspended
        case complete
        /// `reason` is the condition's and the event's: BackoffLimitExceeded or DeadlineExceeded.
        case failed(reason: String, message: String)
    }

    var podsToCreate = 0
    var podsToDelete: [JSONValue] = []
    var outcome: Outcome
}

/// A Job and its pods, and the pure decisions over them (no IO: `JobController` carries them out).
struct JobState {
    var job: JSONValue
    var pods: [JSONValue]

    var spec: JSONValue { job["spec"] ?? .object([:]) }
    var previous: JSONValue { job["status"] ?? .object([:]) }

    /// Upstream defaulting: with neither set, both are 1; `parallelism` alone makes a work queue.
    var completions: Int? {
        if let completions = spec["completions"]?.intValue { return max(0, completions) }
        return spec["parallelism"]?.intValue == nil ? 1 : nil
    }
    var parallelism: Int { max(0, spec["parallelism"]?.intValue ?? 1) }
    var backoffLimit: Int { spec["backoffLimit"]?.intValue ?? 6 }
    var suspended: Bool { spec["suspend"]?.boolValue ?? false }

    static func phase(_ pod: JSONValue) -> String { pod[path: ["status", "phase"]]?.stringValue ?? "" }
    static func isTerminal(_ pod: JSONValue) -> Bool { ["Succeeded", "Failed"].contains(phase(pod)) }

    /// Pods still running or about to, not being deleted.
    var active: [JSONValue] { pods.filter { !Self.isTerminal($0) && $0.deletionTimestamp == nil } }
    var terminating: Int { pods.filter { !Self.isTerminal($0) && $0.deletionTimestamp != nil }.count }
    var succeeded: Int {
        max(previous["succeeded"]?.intValue ?? 0, pods.filter { Self.phase($0) == "Succeeded" }.count)
    }
    var failed: Int { max(previous["failed"]?.intValue ?? 0, pods.filter { Self.phase($0) == "Failed" }.count) }
    var ready: Int { active.filter(PodReadiness.isReady).count }

    var isFinished: Bool {
        JobCondition.isTrue(previous, "Complete") || JobCondition.isTrue(previous, "Failed")
    }

    /// When the active deadline passes, counted from `status.startTime` (or from now for a Job not started yet).
    func deadline(startedAt start: Instant) -> Instant? {
        guard let seconds = spec["activeDeadlineSeconds"]?.intValue else { return nil }
        return start + .seconds(seconds)
    }

    var startTime: Instant? { previous["startTime"]?.stringValue.flatMap(KubeTime.parse) }

    func decide(now: Instant) -> JobDecision {
        let active = self.active
        if suspended { return JobDecision(podsToDelete: active, outcome: .suspended) }
        let deadline = deadline(startedAt: startTime ?? now)
        if failed > backoffLimit {
            return JobDecision(
                podsToDelete: active,
                outcome: .failed(reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit")
            )
        }
        if let deadline, deadline <= now {
            return JobDecision(
                podsToDelete: active,
                outcome: .failed(reason: "DeadlineExceeded", message: "Job was active longer than specified deadline"))
        }
        let succeeded = self.succeeded
        if let completions {
            if succeeded >= completions { return JobDecision(podsToDelete: active, outcome: .complete) }
            let wanted = min(parallelism, completions - succeeded)
            return adjust(active, to: wanted, deadline: deadline)
        }
        // A work queue: done when one pod has succeeded and the rest have ended; no new pods after a success.
        if succeeded > 0 {
            return active.isEmpty ? JobDecision(outcome: .complete) : JobDecision(outcome: .running(deadline: deadline))
        }
        return adjust(active, to: parallelism, deadline: deadline)
    }

    /// Creates or deletes pods so that `wanted` are active; deletes the newest first.
    private func adjust(_ active: [JSONValue], to wanted: Int, deadline: Instant?) -> JobDecision {
        var decision = JobDecision(outcome: .running(deadline: deadline))
        if active.count < wanted {
            decision.podsToCreate = wanted - active.count
        } else if active.count > wanted {
            let newestFirst = active.sorted {
                ($0[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "", $0.name)
                    > ($1[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "", $1.name)
            }
            decision.podsToDelete = Array(newestFirst.prefix(active.count - wanted))
        }
        return decision
    }

    /// The status after `decision` was carried out (`pods` re-read since).
    func status(after decision: JobDecision, now: Instant) -> JSONValue {
        var status = previous
        let stamp = JSONValue.string(KubeTime.format(now))
        func count(_ key: String, _ value: Int) { status.set([key], .int(value)) }
        count("active", active.count)
        count("succeeded", succeeded)
        count("failed", failed)
        count("ready", ready)
        count("terminating", terminating)
        switch decision.outcome {
        case .suspended:
            JobCondition.set(&status, "Suspended", true, reason: "JobSuspended", message: "Job suspended", now: now)
            status.set(["startTime"], nil)
        case .running, .complete, .failed:
            if status["startTime"] == nil { status.set(["startTime"], stamp) }
            if JobCondition.isTrue(status, "Suspended") {
                JobCondition.set(&status, "Suspended", false, reason: "JobResumed", message: "Job resumed", now: now)
            }
        }
        switch decision.outcome {
        case .complete:
            JobCondition.set(
                &status, "SuccessCriteriaMet", true, reason: "CompletionsReached",
                message: "Reached expected number of succeeded pods", now: now)
            JobCondition.set(
                &status, "Complete", true, reason: "CompletionsReached",
                message: "Reached expected number of succeeded pods", now: now)
            status.set(["completionTime"], stamp)
        case .failed(let reason, let message):
            JobCondition.set(&status, "FailureTarget", true, reason: reason, message: message, now: now)
            JobCondition.set(&status, "Failed", true, reason: reason, message: message, now: now)
        case .running, .suspended: break
        }
        return status
    }
}

/// A pod's `Ready` condition.
enum PodReadiness {
    static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }
}

/// `status.conditions` of a Job (or any object with the same condition shape).
enum JobCondition {
    static func isTrue(_ status: JSONValue, _ type: String) -> Bool {
        (status["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True"
        }
    }

    /// Sets condition `type`, keeping its `lastTransitionTime` when its status does not change; appends a new one.
    static func set(
        _ status: inout JSONValue, _ type: String, _ value: Bool, reason: String, message: String, now: Instant
    ) {
        var conditions = status["conditions"]?.arrayValue ?? []
        let stamp = JSONValue.string(KubeTime.format(now))
        let text = JSONValue.string(value ? "True" : "False")
        var condition: JSONValue = [
            "type": .string(type), "status": text, "reason": .string(reason), "message": .string(message),
            "lastProbeTime": stamp, "lastTransitionTime": stamp,
        ]
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            if conditions[index]["status"] == text {
                condition.set(["lastTransitionTime"], conditions[index]["lastTransitionTime"] ?? stamp)
            }
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
        status.set(["conditions"], .array(conditions))
    }
}
