public import BoxCore

/// `/v2/events` payloads (reference §9.2): every one carries `eventType` and `timestamp`, and plans carry
/// `original`, `target` and `steps`, which the Python client dereferences.
extension MarathonJSON {
    public static func eventJSON(type: String, at instant: Instant, fields: [String: JSONValue]) -> (
        type: String, json: JSONValue
    ) {
        var json = fields
        json["eventType"] = .string(type)
        json["timestamp"] = time(instant)
        return (type, .object(json))
    }

    public static func eventJSON(_ timed: TimedEvent) -> (type: String, json: JSONValue) {
        let (type, fields) = payload(timed.event)
        return eventJSON(type: type, at: timed.at, fields: fields)
    }

    private static func payload(_ event: MarathonEvent) -> (String, [String: JSONValue]) {
        switch event {
        case .apiPost(let app):
            return (
                "api_post_event",
                ["clientIp": "127.0.0.1", "uri": .string("/v2/apps\(app.id)"), "appDefinition": appJSON(app)]
            )
        case .groupChangeSuccess(let version):
            return ("group_change_success", ["groupId": "/", "version": time(version)])
        case .deploymentInfo(let deployment):
            return ("deployment_info", ["plan": planJSON(deployment), "currentStep": step(deployment)])
        case .deploymentStepSuccess(let deployment):
            return ("deployment_step_success", ["plan": planJSON(deployment), "currentStep": step(deployment)])
        case .deploymentSuccess(let deployment):
            return ("deployment_success", ["id": .string(deployment.id), "plan": planJSON(deployment)])
        case .deploymentFailed(let deployment, let reason):
            return (
                "deployment_failed",
                ["id": .string(deployment.id), "plan": planJSON(deployment), "reason": .string(reason)]
            )
        case .statusUpdate(let task, let message):
            return (
                "status_update_event",
                [
                    "slaveId": .string(task.agentID.value), "taskId": .string(task.id.value),
                    "taskStatus": .string(task.state.rawValue), "message": .string(message ?? ""),
                    "appId": .string(task.appID.description), "host": .string(task.host),
                    "ipAddresses": [["ipAddress": .string(task.host), "protocol": "IPv4"]],
                    "ports": .array(task.ports.map { .int(Int($0)) }), "version": time(task.version),
                ]
            )
        case .instanceChanged(let task):
            return (
                "instance_changed_event",
                [
                    "instanceId": .string(instanceID(of: task.id)), "condition": .string(condition(task.state)),
                    "runSpecId": .string(task.appID.description), "agentId": .string(task.agentID.value),
                    "host": .string(task.host), "runSpecVersion": time(task.version),
                ]
            )
        case .healthStatusChanged(let task, let alive):
            return (
                "health_status_changed_event",
                [
                    "appId": .string(task.appID.description), "instanceId": .string(instanceID(of: task.id)),
                    "taskId": .string(task.id.value), "version": time(task.version), "alive": .bool(alive),
                ]
            )
        case .failedHealthCheck(let task, let check):
            return (
                "failed_health_check_event",
                [
                    "appId": .string(task.appID.description), "taskId": .string(task.id.value),
                    "instanceId": .string(instanceID(of: task.id)), "healthCheck": healthCheckJSON(check),
                ]
            )
        case .unhealthyInstanceKill(let task, let reason):
            return (
                "unhealthy_instance_kill_event",
                [
                    "appId": .string(task.appID.description), "taskId": .string(task.id.value),
                    "instanceId": .string(instanceID(of: task.id)), "version": time(task.version),
                    "reason": .string(reason), "host": .string(task.host), "slaveId": .string(task.agentID.value),
                ]
            )
        case .appTerminated(let id):
            return ("app_terminated_event", ["appId": .string(id.description)])
        }
    }

    private static func step(_ deployment: Deployment) -> JSONValue {
        [
            "actions": .array(
                deployment.currentActions.map {
                    ["action": .string($0.action.rawValue), "app": .string($0.app.description)]
                })
        ]
    }

    /// Marathon's instance condition names (`Running`, `Staging`, …).
    private static func condition(_ state: TaskState) -> String {
        let name = state.rawValue.dropFirst("TASK_".count).lowercased()
        return name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
