public import BoxCore

/// A health check the host should run now.
public struct HealthProbeRequest: Hashable, Sendable {
    public var taskID: TaskID
    public var index: Int
    public var check: HealthCheck
    public var host: String
    public var ports: [UInt16]
    public var environment: [String: String]
}

/// Health checks: which are due, and what their results mean. A task's checks start when it runs (MESOS_*
/// checks after `delaySeconds`); failures within `gracePeriodSeconds` of the start do not count until the task
/// has passed once; `maxConsecutiveFailures` counted failures in a row kill the task, which is then replaced.
extension MarathonScheduler {
    func startHealth(of id: PathID, at now: Instant) -> [HealthStatus] {
        (running[id]?.healthChecks ?? []).map { check in
            var status = HealthStatus()
            status.nextCheckAt = check.protocol.rawValue.hasPrefix("MESOS_") ? now + .seconds(check.delaySeconds) : now
            return status
        }
    }

    /// The checks due now; each is handed out once per interval.
    public mutating func dueHealthChecks(now: Instant) -> [HealthProbeRequest] {
        var due: [HealthProbeRequest] = []
        for (appID, appTasks) in tasks {
            guard let app = running[appID], !app.healthChecks.isEmpty else { continue }
            for var task in appTasks.values where task.isRunning && !task.killing {
                var changed = false
                for index in task.health.indices where index < app.healthChecks.count {
                    guard let next = task.health[index].nextCheckAt, next <= now else { continue }
                    let check = app.healthChecks[index]
                    task.health[index].nextCheckAt = now + .seconds(check.intervalSeconds)
                    changed = true
                    due.append(
                        HealthProbeRequest(
                            taskID: task.id, index: index, check: check, host: task.host, ports: task.ports,
                            environment: environment(app, task)))
                }
                if changed { tasks[appID]?[task.id] = task }
            }
        }
        return due
    }

    public mutating func healthResult(
        _ taskID: TaskID, index: Int, alive: Bool, cause: String?, now: Instant
    ) -> [Call] {
        guard var task = task(taskID), !task.killing, index < task.health.count,
            let app = running[task.appID], index < app.healthChecks.count
        else { return [] }
        let check = app.healthChecks[index]
        let wasHealthy = task.isHealthy
        var status = task.health[index]
        if alive {
            status.alive = true
            status.consecutiveFailures = 0
            status.firstSuccess = status.firstSuccess ?? now
            status.lastSuccess = now
        } else {
            status.lastFailure = now
            status.lastFailureCause = cause
            let inGrace =
                status.firstSuccess == nil && (now - (task.startedAt ?? now)).seconds < check.gracePeriodSeconds
            if !inGrace {
                status.alive = false
                status.consecutiveFailures += 1
                emit(.failedHealthCheck(task, check), now)
            }
        }
        task.health[index] = status
        record(task)
        if task.isHealthy != wasHealthy && (alive || status.alive == false) {
            emit(.healthStatusChanged(task, alive: task.isHealthy), now)
        }
        // Marathon's own checks (HTTP, HTTPS, TCP) never kill with 0; the agent's (COMMAND, MESOS_*) kill at once.
        let limit =
            check.maxConsecutiveFailures > 0
            ? check.maxConsecutiveFailures
            : ([.http, .https, .tcp].contains(check.protocol) ? Int.max : 1)
        var calls: [Call] = []
        if status.consecutiveFailures >= limit {
            let reason = "\(status.consecutiveFailures) consecutive health check failures (\(cause ?? "failed"))"
            emit(.unhealthyInstanceKill(task, reason: reason), now)
            calls.append(kill(task))
        }
        return calls + reconcile(task.appID, now: now)
    }
}
