public import BoxCore

extension MarathonJSON {
    /// A task (§5). Client-strict keys: `appId healthCheckResults host id ipAddresses localVolumes ports region role
    /// servicePorts slaveId stagedAt startedAt state version zone` (no `agentId`, no `checkResult`).
    /// - `servicePorts` has exactly as many entries as `ports` (padded with 0), or `list_endpoints()` fails;
    /// - `startedAt` is null until the task runs, and the health results' times are null until they happen, as in
    ///   Marathon's own answers;
    /// - `ipAddresses` is the agent's address when `host` is an IP literal (host networking), else empty;
    /// - `region` / `zone` come from the agent attributes of those names, when it has them.
    public static func taskJSON(_ task: AppTask, healthChecks: [HealthCheck]) -> JSONValue {
        let servicePorts = (0..<task.ports.count).map { $0 < task.servicePorts.count ? task.servicePorts[$0] : 0 }
        var json: [String: JSONValue] = [
            "id": .string(task.id.value), "appId": .string(task.appID.description), "host": .string(task.host),
            "ports": .array(task.ports.map { .int(Int($0)) }), "servicePorts": .array(servicePorts.map(JSONValue.int)),
            "slaveId": .string(task.agentID.value), "state": .string(task.state.rawValue),
            "stagedAt": time(task.stagedAt), "startedAt": time(task.startedAt), "version": time(task.version),
            "ipAddresses": .array(ipAddresses(task.host)),
            "healthCheckResults": .array(healthResults(task, checks: healthChecks.count)),
            "localVolumes": [], "role": "*",
        ]
        if let region = task.attributes["region"] { json["region"] = .string(region) }
        if let zone = task.attributes["zone"] { json["zone"] = .string(zone) }
        return .object(json)
    }

    /// One result per check that has run at least once (Marathon has no result before the first).
    static func healthResults(_ task: AppTask, checks: Int) -> [JSONValue] {
        task.health.prefix(checks).compactMap { status -> JSONValue? in
            guard let alive = status.alive else { return nil }
            return [
                "alive": .bool(alive), "consecutiveFailures": .int(status.consecutiveFailures),
                "firstSuccess": time(status.firstSuccess), "lastSuccess": time(status.lastSuccess),
                "lastFailure": time(status.lastFailure),
                "lastFailureCause": status.lastFailureCause.map(JSONValue.string) ?? .null,
                "taskId": .string(task.id.value), "instanceId": .string(instanceID(of: task.id)),
            ]
        }
    }

    /// Marathon 1.4+ task ids are `<instance id>._app.<n>`; an id of the classic form is its own instance id.
    public static func instanceID(of taskID: TaskID) -> String {
        guard let range = taskID.value.ranges(of: "._app.").last else { return taskID.value }
        return String(taskID.value[..<range.lowerBound])
    }

    static func ipAddresses(_ host: String) -> [JSONValue] {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) {
            return [["ipAddress": .string(host), "protocol": "IPv4"]]
        }
        if host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
            return [["ipAddress": .string(host), "protocol": "IPv6"]]
        }
        return []
    }
}
