import BoxCore
import BoxMarathon
import Testing

/// The response objects carry only keys the Python client accepts (§0.1), with every optional part embedded so
/// no key escapes the check, and the values it parses (timestamps, states, service ports) in its format.
@Suite struct MarathonJSONTests {
    static let now = AppJSONTests.now
    static let later = AppJSONTests.later

    static func app() throws -> App {
        var app = try AppJSON.decode(Array(ClientBodies.create.utf8), id: nil, base: nil, now: now)
        app.user = "nobody"
        app.taskKillGracePeriodSeconds = 3
        app.portDefinitions[0].labels = ["VIP_0": "/web:80"]
        app.portDefinitions[0].port = 10000
        app.constraints.append(Constraint(field: "rack", op: .cluster))
        return app
    }

    static func tasks(of app: App) -> [AppTask] {
        var running = AppTask(
            id: "web.instance-5f1c0d2e._app.1", appID: app.id, version: app.lastConfigChangeAt, agentID: "A-S0",
            host: "127.0.0.1", attributes: ["rack": "r1", "zone": "z1"], ports: [31002], servicePorts: [10000],
            stagedAt: now)
        running.state = .running
        running.startedAt = now
        var passed = HealthStatus()
        passed.alive = true
        passed.firstSuccess = now
        passed.lastSuccess = later
        running.health = [passed, HealthStatus()]
        var staging = AppTask(
            id: "web.instance-77aa._app.1", appID: app.id,
            version: Instant(nanosecondsSinceEpoch: app.lastConfigChangeAt.nanosecondsSinceEpoch - 1_000_000_000),
            agentID: "A-S1",
            host: "node-2", attributes: [:], ports: [31005, 31006], servicePorts: [10000], stagedAt: later)
        staging.state = .staging
        return [running, staging]
    }

    static let failure = TaskFailure(
        appID: try! PathID("/web"), taskID: "web.instance-0._app.1", agentID: "A-S0", host: "127.0.0.1",
        state: .failed, message: "Command exited with status 1", timestamp: now, version: now)

    @Test func appHasOnlyClientKeys() throws {
        let app = try Self.app()
        let all: AppEmbed = [.counts, .deployments, .tasks, .lastTaskFailure, .readiness, .taskStats]
        let json = MarathonJSON.appJSON(
            app, tasks: Self.tasks(of: app), deployments: ["d-1"], lastTaskFailure: Self.failure, embed: all,
            now: Self.later)
        #expect(json.keys.isSubset(of: ClientKeys.app), "extra: \(json.keys.subtracting(ClientKeys.app))")
        #expect(json["upgradeStrategy"]?.keys == ClientKeys.upgradeStrategy)
        #expect(json["versionInfo"]?.keys == ClientKeys.versionInfo)
        #expect(json["lastTaskFailure"]?.keys == ClientKeys.lastTaskFailure)
        #expect(json["deployments"] == [["id": "d-1"]])
        for definition in json["portDefinitions"]?.elements ?? [] {
            #expect(definition.keys.isSubset(of: ClientKeys.portDefinition))
        }
        for constraint in json["constraints"]?.elements ?? [] { #expect([2, 3].contains(constraint.elements.count)) }
        #expect(json["constraints"]?.elements[1] == ["rack", "MAX_PER", "2"])
        let stats = try #require(json["taskStats"])
        #expect(stats.keys == ClientKeys.taskStats)
        for (_, group) in stats.members {
            #expect(group.keys == ["stats"])
            #expect(group["stats"]?["counts"]?.keys == ClientKeys.taskStatsCounts)
            #expect(group["stats"]?.keys.isSubset(of: ["counts", "lifeTime"]) == true)
            // Only groups with a started task have a life time (withOutdatedConfig holds just the staging one).
            if let life = group["stats"]?["lifeTime"] { #expect(life.keys == ClientKeys.taskStatsLifeTime) }
        }
        for task in json["tasks"]?.elements ?? [] { Self.expectClientTask(task) }
        #expect(json["tasks"]?.elements.count == 2)
    }

    /// One running task passing its HTTP check, one staging (of an older config): counts, and the life time of
    /// the one started (staged and started at `now`, so 60 s at `later`).
    @Test func countsAndStats() throws {
        let app = try Self.app()
        let json = MarathonJSON.appJSON(app, tasks: Self.tasks(of: app), embed: [.counts, .taskStats], now: Self.later)
        #expect(json["tasksStaged"] == 1 && json["tasksRunning"] == 1)
        // The running task's COMMAND check has not run yet, so it is neither healthy nor unhealthy.
        #expect(json["tasksHealthy"] == 0 && json["tasksUnhealthy"] == 0)
        #expect(
            json["taskStats"]?["totalSummary"]?["stats"]?["lifeTime"] == ["averageSeconds": 60, "medianSeconds": 60])
        #expect(json["tasks"] == nil && json["deployments"] == nil)
    }

    @Test func definitionShowsDefaultsAndTimestamps() throws {
        let app = try AppJSON.decode(Array(#"{"id": "web", "cmd": "sleep 1"}"#.utf8), id: nil, base: nil, now: Self.now)
        let json = MarathonJSON.appJSON(app)
        #expect(
            json.text == """
                {"backoffFactor":1.15,"backoffSeconds":1,"cmd":"sleep 1","constraints":[],"cpus":1,"dependencies":[],\
                "disk":0,"env":{},"executor":"","gpus":0,"healthChecks":[],"id":"/web","instances":1,\
                "killSelection":"YOUNGEST_FIRST","labels":{},"maxLaunchDelaySeconds":300,"mem":128,\
                "networks":[{"mode":"host"}],"portDefinitions":[{"labels":{},"name":"default","port":0,"protocol":"tcp"}],\
                "requirePorts":false,"upgradeStrategy":{"maximumOverCapacity":1,"minimumHealthCapacity":1},\
                "version":"2026-01-02T03:04:05.678Z","versionInfo":{"lastConfigChangeAt":"2026-01-02T03:04:05.678Z",\
                "lastScalingAt":"2026-01-02T03:04:05.678Z"}}
                """)
    }

    @Test func healthChecksRoundTrip() throws {
        let app = try Self.app()
        let json = MarathonJSON.appJSON(app)
        #expect(
            json["healthChecks"]?.elements[1] == [
                "protocol": "COMMAND", "command": ["value": "true"], "gracePeriodSeconds": 300, "intervalSeconds": 60,
                "timeoutSeconds": 20, "delaySeconds": 15, "maxConsecutiveFailures": 3,
            ])
        // What we write reads back as the same app (a GET-then-PUT round trip).
        let again = try AppJSON.decode(Array(json.text.utf8), id: nil, base: nil, now: Self.now)
        #expect(again == app)
    }

    static func expectClientTask(_ task: JSONValue) {
        #expect(task.keys.isSubset(of: ClientKeys.task), "extra: \(task.keys.subtracting(ClientKeys.task))")
        #expect(task["servicePorts"]?.elements.count == task["ports"]?.elements.count)
        for result in task["healthCheckResults"]?.elements ?? [] {
            #expect(result.keys == ClientKeys.healthCheckResult)
        }
        for address in task["ipAddresses"]?.elements ?? [] { #expect(address.keys == ClientKeys.ipAddress) }
    }

    @Test func taskJSON() throws {
        let app = try Self.app()
        let tasks = Self.tasks(of: app)
        let running = MarathonJSON.taskJSON(tasks[0], healthChecks: app.healthChecks)
        Self.expectClientTask(running)
        #expect(
            running.text == """
                {"appId":"/web","healthCheckResults":[{"alive":true,"consecutiveFailures":0,\
                "firstSuccess":"2026-01-02T03:04:05.678Z","instanceId":"web.instance-5f1c0d2e","lastFailure":null,\
                "lastFailureCause":null,"lastSuccess":"2026-01-02T03:05:05.678Z","taskId":"web.instance-5f1c0d2e._app.1"}],\
                "host":"127.0.0.1","id":"web.instance-5f1c0d2e._app.1","ipAddresses":[{"ipAddress":"127.0.0.1","protocol":"IPv4"}],\
                "localVolumes":[],"ports":[31002],"role":"*","servicePorts":[10000],"slaveId":"A-S0",\
                "stagedAt":"2026-01-02T03:04:05.678Z","startedAt":"2026-01-02T03:04:05.678Z","state":"TASK_RUNNING",\
                "version":"2026-01-02T03:04:05.678Z","zone":"z1"}
                """)
        let staging = MarathonJSON.taskJSON(tasks[1], healthChecks: app.healthChecks)
        Self.expectClientTask(staging)
        #expect(staging["state"] == "TASK_STAGING" && staging["startedAt"] == .null)
        #expect(staging["servicePorts"] == [10000, 0] && staging["ipAddresses"] == [])
    }

    @Test func deploymentJSON() throws {
        let web = try PathID("/web")
        var deployment = Deployment(
            id: "97c136bf", version: Self.now, steps: [[.init(.start, web)], [.init(.scale, web)]], original: [],
            target: [try Self.app()])
        deployment.currentStep = 1
        let json = MarathonJSON.deploymentJSON(deployment)
        #expect(json.keys == ClientKeys.deployment)
        #expect(
            json.text == """
                {"affectedApps":["/web"],"affectedPods":[],"currentActions":[{"action":"ScaleApplication","app":"/web",\
                "readinessCheckResults":[]}],"currentStep":2,"id":"97c136bf","steps":[{"actions":[{"action":"StartApplication",\
                "app":"/web"}]},{"actions":[{"action":"ScaleApplication","app":"/web"}]}],"totalSteps":2,\
                "version":"2026-01-02T03:04:05.678Z"}
                """)
        for action in json["currentActions"]?.elements ?? [] {
            #expect(action.keys.isSubset(of: ClientKeys.deploymentAction))
        }

        let plan = MarathonJSON.planJSON(deployment)
        #expect(plan.keys == ClientKeys.plan)
        #expect(plan["original"]?.keys == ClientKeys.group && plan["target"]?.keys == ClientKeys.group)
        #expect(plan["target"]?["apps"]?.elements.first?["id"] == "/web")
        #expect(plan["original"]?["apps"] == [] && plan["original"]?["version"] == "2026-01-02T03:04:05.678Z")
        for step in plan["steps"]?.elements ?? [] { #expect(step.keys == ["actions"]) }
        #expect(
            MarathonJSON.deploymentResultJSON(id: "d", version: Self.now).text
                == #"{"deploymentId":"d","version":"2026-01-02T03:04:05.678Z"}"#)
    }

    /// `/prod/web`, `/prod/db/main` and `/top` give root {top; groups prod {web; groups prod/db {main}}}, plus
    /// the empty group `/staging`.
    @Test func groupsNestByPath() throws {
        let apps = try ["/prod/web", "/prod/db/main", "/top"].map { App(id: try PathID($0)) }
        let root = MarathonJSON.groupJSON(apps: apps, groups: [try PathID("/staging")], version: Self.now)
        #expect(root.keys == ClientKeys.group && root["id"] == "/")
        #expect(root["apps"]?.elements.map { $0["id"] } == ["/top"])
        #expect(root["groups"]?.elements.map { $0["id"] } == ["/prod", "/staging"])
        let prod = try #require(root["groups"]?.elements.first)
        #expect(prod.keys == ClientKeys.group && prod["apps"]?.elements.map { $0["id"] } == ["/prod/web"])
        #expect(prod["groups"]?.elements.first?["apps"]?.elements.map { $0["id"] } == ["/prod/db/main"])
        let sub = MarathonJSON.groupJSON(try PathID("/prod/db"), apps: apps, version: Self.now)
        #expect(sub["id"] == "/prod/db" && sub["apps"]?.elements.count == 1 && sub["groups"] == [])
        for app in prod["apps"]?.elements ?? [] { #expect(app.keys.isSubset(of: ClientKeys.app)) }
    }

    @Test func infoJSON() {
        let info = MarathonJSON.infoJSON(
            frameworkID: "F-0001", leader: "127.0.0.1:8080", master: "http://127.0.0.1:5050")
        #expect(info.keys == ClientKeys.info)
        #expect(info["http_config"]?.keys.isSubset(of: ClientKeys.httpConfig) == true)
        #expect(info["zookeeper_config"]?.keys.isSubset(of: ClientKeys.zookeeperConfig) == true)
        #expect(info["marathon_config"]?.keys.isSubset(of: ClientKeys.marathonConfig) == true)
        #expect(info["http_config"]?["http_port"] == 8080 && info["marathon_config"]?["hostname"] == "127.0.0.1")
        #expect(info["event_subscriber"] == .null && info["frameworkId"] == "F-0001")
        let unregistered = MarathonJSON.infoJSON(frameworkID: nil, leader: "[::1]:9090", master: "http://[::1]:5050")
        #expect(unregistered["frameworkId"] == .null && unregistered["http_config"]?["http_port"] == 9090)
        #expect(unregistered["marathon_config"]?["hostname"] == "::1")
    }

    @Test func queueItemJSON() throws {
        let item = MarathonJSON.queueItemJSON(
            app: try Self.app(), count: 2, since: Self.now, delaySecondsLeft: 3, overdue: false, processedOffers: 4,
            unusedOffers: 4, rejectSummary: [("InsufficientMemory", 1, 4)],
            lastUnusedOffers: [(offer: ["id": "O-1"], reasons: ["InsufficientMemory"], timestamp: Self.later)])
        #expect(item.keys.isSubset(of: ClientKeys.queueItem))
        #expect(item["app"]?.keys.isSubset(of: ClientKeys.app) == true)
        #expect(item["delay"] == ["timeLeftSeconds": 3, "overdue": false])
        #expect(
            item["processedOffersSummary"]?["rejectSummaryLastOffers"] == [
                ["reason": "InsufficientMemory", "declined": 1, "processed": 4]
            ])
        let plain = MarathonJSON.queueItemJSON(
            app: try Self.app(), count: 1, since: Self.now, delaySecondsLeft: -2, overdue: true)
        #expect(plain["lastUnusedOffers"] == nil && plain["delay"]?["timeLeftSeconds"] == 0)
    }

    @Test func embedParsesEveryPrefix() {
        #expect(AppEmbed(queryValues: ["app.tasks"]) == [.tasks, .deployments])
        #expect(
            AppEmbed(queryValues: ["apps.counts", "group.apps.taskStats", "readiness"]) == [
                .counts, .taskStats, .readiness,
            ])
        #expect(AppEmbed(queryValues: ["app.failures", "app.unknown"]) == [.tasks, .lastTaskFailure, .deployments])
        #expect(MarathonJSON.instanceID(of: "web.instance-1._app.2") == "web.instance-1")
        #expect(MarathonJSON.instanceID(of: "web.1234") == "web.1234")
        #expect(
            MarathonJSON.versionsJSON([Self.now, Self.later]) == [
                "versions": ["2026-01-02T03:05:05.678Z", "2026-01-02T03:04:05.678Z"]
            ])
    }
}

extension JSONValue {
    var keys: Set<String> { Set(members.keys) }
    var members: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }
    var elements: [JSONValue] {
        if case .array(let elements) = self { return elements }
        return []
    }
}
