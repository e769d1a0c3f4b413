public import BoxCore

/// The `/v2` response bodies, with exactly the keys the Python client `marathon` 0.13.0 accepts (reference §0.1:
/// it builds its models with `Class(**json)`, so one unknown key fails the whole call). Every function returns a
/// `JSONValue` whose `text` is deterministic; optional values are omitted where Marathon omits them.
public enum MarathonJSON {
    /// `2026-01-02T03:04:05.678Z`: UTC, milliseconds, literal `Z` (anything else makes the client raise).
    public static func timestamp(_ instant: Instant) -> String { Timestamp.format(instant) }

    /// The instant of a timestamp such as `/v2/apps/{id}/versions/{v}` carries; nil if it is not one.
    public static func parseTimestamp(_ text: String) -> Instant? { Timestamp.parse(text) }

    static func time(_ instant: Instant) -> JSONValue { .string(Timestamp.format(instant)) }
    static func time(_ instant: Instant?) -> JSONValue { instant.map(time) ?? .null }

    // MARK: - Apps

    /// An app (§4): its definition with defaults filled in, `version` and `versionInfo`, plus what `embed` asks
    /// for. `tasks` are the app's current (non-terminal) tasks: counts and `taskStats` are computed from them even
    /// when they are not embedded. `now` dates the `taskStats` lifetimes.
    public static func appJSON(
        _ app: App, tasks: [AppTask] = [], deployments: [String] = [], lastTaskFailure: TaskFailure? = nil,
        embed: AppEmbed = [], now: Instant = .epoch
    ) -> JSONValue {
        var json = definition(app)
        let hasChecks = !app.healthChecks.isEmpty
        if embed.contains(.counts) {
            let counts = TaskCounts(tasks, hasChecks: hasChecks)
            json["tasksStaged"] = .int(counts.staged)
            json["tasksRunning"] = .int(counts.running)
            json["tasksHealthy"] = .int(counts.healthy)
            json["tasksUnhealthy"] = .int(counts.unhealthy)
        }
        if embed.contains(.deployments) { json["deployments"] = .array(deployments.map { ["id": .string($0)] }) }
        if embed.contains(.tasks) { json["tasks"] = .array(tasks.map { taskJSON($0, healthChecks: app.healthChecks) }) }
        if embed.contains(.lastTaskFailure), let lastTaskFailure {
            json["lastTaskFailure"] = failureJSON(lastTaskFailure)
        }
        // Readiness checks are not run (they are accepted and ignored), so there are never results.
        if embed.contains(.readiness) { json["readinessCheckResults"] = [] }
        if embed.contains(.taskStats) { json["taskStats"] = taskStats(app, tasks: tasks, now: now) }
        return .object(json)
    }

    /// The configuration keys alone: what `/versions/{v}`, groups, plans and the queue show.
    static func definition(_ app: App) -> [String: JSONValue] {
        var json: [String: JSONValue] = [
            "id": .string(app.id.description),
            "cpus": .double(app.cpus), "mem": .double(app.mem), "disk": .double(app.disk), "gpus": .int(app.gpus),
            "instances": .int(app.instances),
            // The command executor, the only one there is; host networking, the only mode there is.
            "executor": "", "networks": [["mode": "host"]],
            "constraints": .array(app.constraints.map(constraintJSON)),
            "env": .object(app.env.mapValues(JSONValue.string)),
            "labels": .object(app.labels.mapValues(JSONValue.string)),
            "portDefinitions": .array(app.portDefinitions.map(portDefinitionJSON)),
            "requirePorts": .bool(app.requirePorts),
            "healthChecks": .array(app.healthChecks.map(healthCheckJSON)),
            "upgradeStrategy": [
                "minimumHealthCapacity": .double(app.upgradeStrategy.minimumHealthCapacity),
                "maximumOverCapacity": .double(app.upgradeStrategy.maximumOverCapacity),
            ],
            "backoffSeconds": .double(app.backoffSeconds), "backoffFactor": .double(app.backoffFactor),
            "maxLaunchDelaySeconds": .double(app.maxLaunchDelaySeconds),
            "dependencies": .array(app.dependencies.map { .string($0.description) }),
            "killSelection": .string(app.killSelection.rawValue),
            "version": time(app.version),
            "versionInfo": [
                "lastScalingAt": time(app.lastScalingAt), "lastConfigChangeAt": time(app.lastConfigChangeAt),
            ],
        ]
        if let cmd = app.cmd { json["cmd"] = .string(cmd) }
        if let args = app.args { json["args"] = .array(args.map(JSONValue.string)) }
        if let user = app.user { json["user"] = .string(user) }
        if let container = app.container {
            json["container"] = [
                "type": .string(container.type.rawValue),
                "docker": [
                    "image": .string(container.image), "forcePullImage": false, "privileged": false,
                    "parameters": [],
                ],
                "volumes": [], "portMappings": [],
            ]
        }
        if let grace = app.taskKillGracePeriodSeconds { json["taskKillGracePeriodSeconds"] = .double(grace) }
        return json
    }

    /// Values are written as strings, as Marathon stores them (`["rack","MAX_PER","2"]`).
    static func constraintJSON(_ constraint: Constraint) -> JSONValue {
        var parts: [JSONValue] = [.string(constraint.field), .string(constraint.op.rawValue)]
        if let value = constraint.value { parts.append(.string(value)) }
        return .array(parts)
    }

    /// `labels` always (tools index it directly), `name` when there is one.
    static func portDefinitionJSON(_ definition: PortDefinition) -> JSONValue {
        var json: [String: JSONValue] = [
            "port": .int(definition.port), "protocol": .string(definition.protocol),
            "labels": .object(definition.labels.mapValues(JSONValue.string)),
        ]
        if let name = definition.name { json["name"] = .string(name) }
        return .object(json)
    }

    /// Marathon's shape per protocol: `path` for the HTTP kinds, `command` only for COMMAND, `portIndex` or `port`
    /// for the others, `ipProtocol` where Marathon shows it. (Health checks tolerate extra keys in the client.)
    static func healthCheckJSON(_ check: HealthCheck) -> JSONValue {
        var json: [String: JSONValue] = [
            "protocol": .string(check.protocol.rawValue),
            "gracePeriodSeconds": .double(check.gracePeriodSeconds), "intervalSeconds": .double(check.intervalSeconds),
            "timeoutSeconds": .double(check.timeoutSeconds), "delaySeconds": .double(check.delaySeconds),
            "maxConsecutiveFailures": .int(check.maxConsecutiveFailures),
        ]
        switch check.protocol {
        case .http, .https, .mesosHTTP, .mesosHTTPS:
            json["path"] = .string(check.path)
            json["ignoreHttp1xx"] = .bool(check.ignoreHttp1xx)
        case .command:
            if let command = check.command { json["command"] = ["value": .string(command)] }
        case .tcp, .mesosTCP: break
        }
        if check.protocol != .command {
            if let port = check.port { json["port"] = .int(port) }
            if let portIndex = check.portIndex { json["portIndex"] = .int(portIndex) }
        }
        if [.http, .https, .tcp].contains(check.protocol) { json["ipProtocol"] = "IPv4" }
        return .object(json)
    }

    static func failureJSON(_ failure: TaskFailure) -> JSONValue {
        [
            "appId": .string(failure.appID.description), "host": .string(failure.host),
            "message": .string(failure.message), "state": .string(failure.state.rawValue),
            "taskId": .string(failure.taskID.value), "instanceId": .string(instanceID(of: failure.taskID)),
            "slaveId": .string(failure.agentID.value), "timestamp": time(failure.timestamp),
            "version": time(failure.version),
        ]
    }

    // MARK: - Task statistics

    /// `{startedAfterLastScaling?, withLatestConfig?, withOutdatedConfig?, totalSummary?}`, each present only when
    /// it has tasks, as Marathon shows them.
    static func taskStats(_ app: App, tasks: [AppTask], now: Instant) -> JSONValue {
        let groups: [(String, [AppTask])] = [
            ("startedAfterLastScaling", tasks.filter { $0.stagedAt >= app.lastScalingAt }),
            ("withLatestConfig", tasks.filter { $0.version == app.lastConfigChangeAt }),
            ("withOutdatedConfig", tasks.filter { $0.version != app.lastConfigChangeAt }),
            ("totalSummary", tasks),
        ]
        var json: [String: JSONValue] = [:]
        for (name, group) in groups where !group.isEmpty {
            let counts = TaskCounts(group, hasChecks: !app.healthChecks.isEmpty)
            var stats: [String: JSONValue] = [
                "counts": [
                    "staged": .int(counts.staged), "running": .int(counts.running),
                    "healthy": .int(counts.healthy), "unhealthy": .int(counts.unhealthy),
                ]
            ]
            // Life time runs from `startedAt` (TASK_RUNNING) to now; absent while no task has started.
            let lives = group.compactMap { $0.startedAt.map { (now - $0).seconds } }.sorted()
            if !lives.isEmpty {
                let middle = lives.count / 2
                let median = lives.count % 2 == 1 ? lives[middle] : (lives[middle - 1] + lives[middle]) / 2
                stats["lifeTime"] = [
                    "averageSeconds": .double(lives.reduce(0, +) / Double(lives.count)),
                    "medianSeconds": .double(median),
                ]
            }
            json[name] = ["stats": .object(stats)]
        }
        return .object(json)
    }
}

/// Task counts as `tasksStaged` … `tasksUnhealthy` show them. Healthy and unhealthy count only for apps with
/// health checks (the reference: apps without checks report `tasksHealthy: 0`).
struct TaskCounts {
    var staged = 0
    var running = 0
    var healthy = 0
    var unhealthy = 0

    init(_ tasks: [AppTask], hasChecks: Bool) {
        for task in tasks {
            if task.state == .staging || task.state == .starting { staged += 1 }
            guard task.isRunning else { continue }
            running += 1
            guard hasChecks else { continue }
            if !task.health.isEmpty, task.isHealthy { healthy += 1 }
            if task.health.contains(where: { $0.alive == false }) { unhealthy += 1 }
        }
    }
}

/// Which optional parts an app shows (`?embed=`; reference §0.4, §4).
public struct AppEmbed: OptionSet, Hashable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let counts = AppEmbed(rawValue: 1 << 0)
    public static let deployments = AppEmbed(rawValue: 1 << 1)
    public static let tasks = AppEmbed(rawValue: 1 << 2)
    public static let lastTaskFailure = AppEmbed(rawValue: 1 << 3)
    public static let readiness = AppEmbed(rawValue: 1 << 4)
    public static let taskStats = AppEmbed(rawValue: 1 << 5)

    /// Shown by `GET /v2/apps/{id}` whatever `embed` says.
    public static let single: AppEmbed = [.counts, .deployments, .tasks, .lastTaskFailure]
    /// Shown by `GET /v2/apps` and the create answer whatever `embed` says.
    public static let list: AppEmbed = [.counts, .deployments]

    /// Parses repeated `embed` values: the prefix may be `app.`, `apps.`, `group.apps.` or none (the client sends
    /// `app.` even to the list endpoint); `tasks` implies `deployments`, `failures` means tasks, lastTaskFailure
    /// and deployments; unknown names are ignored, as Marathon ignores them.
    public init(queryValues: [String]) {
        self = []
        for value in queryValues {
            var name = Substring(value)
            for prefix in ["group.apps.", "apps.", "app."] where name.hasPrefix(prefix) {
                name = name.dropFirst(prefix.count)
                break
            }
            switch name {
            case "tasks": formUnion([.tasks, .deployments])
            case "counts": insert(.counts)
            case "deployments": insert(.deployments)
            case "lastTaskFailure": insert(.lastTaskFailure)
            case "failures": formUnion([.tasks, .lastTaskFailure, .deployments])
            case "readiness": insert(.readiness)
            case "taskStats": insert(.taskStats)
            default: break
            }
        }
    }
}
