import BoxCore
import BoxMarathon
import Testing

/// Reading app definitions as Marathon does (reference §3): defaults, what the client sends, partial updates, lists
/// and rollback. What is refused, and how, is in `AppJSONErrorTests` and `ValidationCases`.
@Suite struct AppJSONTests {
    static let now = Instant(nanosecondsSinceEpoch: 1_767_323_045_678_000_000)  // 2026-01-02T03:04:05.678Z
    static let later = Instant(nanosecondsSinceEpoch: 1_767_323_105_678_000_000)  // one minute on

    static func decode(_ json: String, id: PathID? = nil, base: App? = nil, now: Instant = now) throws(MarathonError)
        -> App
    {
        try AppJSON.decode(Array(json.utf8), id: id, base: base, now: now)
    }

    /// The details of the 422 the body gets (fails the test if it is accepted or gets another error).
    static func details(_ json: String, id: PathID? = nil, base: App? = nil) -> [FieldError] {
        do {
            _ = try decode(json, id: id, base: base)
            Issue.record("accepted: \(json)")
        } catch {
            guard case .invalid(let message, let details) = error else {
                Issue.record("not a 422: \(error)")
                return []
            }
            #expect(message == "Object is not valid")
            #expect(error.status == 422)
            return details
        }
        return []
    }

    @Test func createTakesMarathonDefaults() throws {
        let app = try Self.decode(#"{"id": "web", "cmd": "sleep 100"}"#)
        #expect(app.id.description == "/web")
        #expect(app.cmd == "sleep 100" && app.args == nil)
        #expect(app.cpus == 1 && app.mem == 128 && app.disk == 0 && app.gpus == 0 && app.instances == 1)
        #expect(app.portDefinitions == [PortDefinition(port: 0, protocol: "tcp", name: "default")])
        #expect(app.requirePorts == false && app.env.isEmpty && app.labels.isEmpty && app.constraints.isEmpty)
        #expect(app.upgradeStrategy == UpgradeStrategy(minimumHealthCapacity: 1, maximumOverCapacity: 1))
        #expect(app.backoffSeconds == 1 && app.backoffFactor == 1.15 && app.maxLaunchDelaySeconds == 300)
        #expect(app.killSelection == .youngestFirst && app.dependencies.isEmpty && app.healthChecks.isEmpty)
        #expect(app.version == Self.now && app.lastConfigChangeAt == Self.now && app.lastScalingAt == Self.now)
    }

    /// The body `create_app` sends (§12), numbers for constraint values and the object form of `command`.
    @Test func readsWhatThePythonClientSends() throws {
        let app = try Self.decode(ClientBodies.create)
        #expect(app.id.description == "/web" && app.instances == 2 && app.cpus == 0.1 && app.mem == 32)
        #expect(
            app.constraints == [
                Constraint(field: "hostname", op: .unique), Constraint(field: "rack", op: .maxPer, value: "2"),
            ])
        #expect(app.env == ["A": "b"] && app.labels == ["team": "x"])
        #expect(app.portDefinitions == [PortDefinition(port: 0, protocol: "tcp", name: "http")])
        #expect(app.upgradeStrategy == UpgradeStrategy(minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2))
        #expect(app.healthChecks.count == 2)
        let http = app.healthChecks[0]
        #expect(http.protocol == .http && http.path == "/" && http.portIndex == 0 && http.gracePeriodSeconds == 30)
        #expect(http.intervalSeconds == 10 && http.timeoutSeconds == 5 && http.maxConsecutiveFailures == 3)
        let command = app.healthChecks[1]
        #expect(command.protocol == .command && command.command == "true" && command.portIndex == nil)
        #expect(command.intervalSeconds == 60 && command.delaySeconds == 15)
    }

    @Test func healthCheckCommandAsPlainStringAndFixedPort() throws {
        let app = try Self.decode(
            #"{"id":"w","cmd":"x","healthChecks":[{"protocol":"COMMAND","command":"exit 0"},{"protocol":"tcp","port":8080}]}"#
        )
        #expect(app.healthChecks[0].command == "exit 0")
        #expect(app.healthChecks[1].protocol == .tcp && app.healthChecks[1].port == 8080)
        #expect(app.healthChecks[1].portIndex == nil)
    }

    // MARK: - Partial updates (§0.5)

    @Test func scaleKeepsEverythingElse() throws {
        let base = try Self.decode(ClientBodies.create)
        let scaled = try Self.decode(#"{"instances": 3}"#, id: PathID("/web"), base: base, now: Self.later)
        var expected = base
        expected.instances = 3
        expected.version = Self.later
        expected.lastScalingAt = Self.later
        #expect(scaled == expected)
        #expect(scaled.lastConfigChangeAt == Self.now)
    }

    @Test func configChangeKeepsOtherFieldsAndRestampsTheConfig() throws {
        let base = try Self.decode(ClientBodies.create)
        let updated = try Self.decode(
            #"{"cmd": "sleep 100", "cpus": 0.2}"#, id: PathID("/web"), base: base, now: Self.later)
        #expect(updated.cmd == "sleep 100" && updated.cpus == 0.2)
        #expect(updated.healthChecks == base.healthChecks && updated.constraints == base.constraints)
        #expect(updated.instances == 2 && updated.env == base.env)
        #expect(updated.lastConfigChangeAt == Self.later && updated.lastScalingAt == Self.later)
    }

    @Test func argsReplaceCmdInAnUpdate() throws {
        let base = try Self.decode(#"{"id": "web", "cmd": "sleep 1"}"#)
        let updated = try Self.decode(#"{"args": ["sleep", "2"]}"#, id: PathID("/web"), base: base)
        #expect(updated.cmd == nil && updated.args == ["sleep", "2"])
    }

    @Test func theURLIdWinsAndNullMeansAbsent() throws {
        let base = try Self.decode(#"{"id": "web", "cmd": "sleep 1", "user": "nobody"}"#)
        let updated = try Self.decode(#"{"id": "/other", "user": null, "mem": 64}"#, id: PathID("/web"), base: base)
        #expect(updated.id.description == "/web" && updated.user == "nobody" && updated.mem == 64)
        // Without a base (partialUpdate=false, or PUT creating the app) the defaults apply and the URL names it.
        let replaced = try Self.decode(#"{"cmd": "sleep 2"}"#, id: PathID("/web"), base: nil)
        #expect(replaced.id.description == "/web" && replaced.mem == 128 && replaced.user == nil)
    }

    @Test func anUpdateIsValidatedAsAWhole() throws {
        let base = try Self.decode(ClientBodies.create)
        let details = Self.details(#"{"portDefinitions": []}"#, id: try PathID("/web"), base: base)
        #expect(details == [FieldError(path: "/healthChecks(0)/portIndex", errors: [Messages.portIndex])])
    }

    // MARK: - Other fields

    @Test func legacyPortsBecomePortDefinitions() throws {
        let app = try Self.decode(#"{"id": "web", "cmd": "x", "ports": [0, 8080]}"#)
        #expect(app.portDefinitions == [PortDefinition(port: 0), PortDefinition(port: 8080)])
        #expect(try Self.decode(#"{"id": "web", "cmd": "x", "portDefinitions": []}"#).portDefinitions.isEmpty)
    }

    @Test func dependenciesResolveAgainstTheParentGroup() throws {
        let app = try Self.decode(
            #"{"id": "/prod/web", "cmd": "x", "dependencies": ["db", "../shared/cache", "/abs"]}"#)
        #expect(app.dependencies.map(\.description) == ["/prod/db", "/shared/cache", "/abs"])
    }

    /// Unknown fields, read-only fields of a GET answer and the optional fields clusterbox ignores all pass.
    @Test func ignoresUnknownAndUnusedFields() throws {
        let app = try Self.decode(
            #"""
            {"id": "web", "cmd": "x", "bogus": 1, "tasks": [{"id": "t"}], "tasksRunning": 3, "deployments": [],
             "versionInfo": {}, "version": "2020-01-01T00:00:00.000Z", "fetch": [{"uri": "http://x/y.tgz"}],
             "uris": ["http://x"], "acceptedResourceRoles": ["*"], "role": "*", "unreachableStrategy": "disabled",
             "readinessChecks": [], "residency": {}, "ipAddress": null, "secrets": {}, "storeUrls": [],
             "executor": "//cmd", "networks": [{"mode": "host"}], "container": {"type": "MESOS", "volumes": []},
             "killSelection": "OLDEST_FIRST", "taskKillGracePeriodSeconds": 5, "user": "root", "requirePorts": true}
            """#)
        #expect(app.killSelection == .oldestFirst && app.taskKillGracePeriodSeconds == 5 && app.user == "root")
        #expect(app.requirePorts && app.version == Self.now)
    }

    @Test func constraintValuesAreStringifiedAndOperatorsCaseInsensitive() throws {
        let app = try Self.decode(
            #"{"id": "w", "cmd": "x", "constraints": [["rack", "max_per", 2.0], ["zone", "GROUP_BY", 3], ["a", "CLUSTER", null]]}"#
        )
        #expect(
            app.constraints == [
                Constraint(field: "rack", op: .maxPer, value: "2"), Constraint(field: "zone", op: .groupBy, value: "3"),
                Constraint(field: "a", op: .cluster),
            ])
    }

    @Test func readsTheClientsRoundTripOfOurOwnAnswer() throws {
        let app = try MarathonJSONTests.app()
        #expect(try Self.decode(ClientBodies.updateFromGet) == app)
        // As an update of the stored app it changes nothing but the version.
        let update = try Self.decode(ClientBodies.updateFromGet, id: app.id, base: app, now: Self.later)
        #expect(update.sameConfig(as: app) && update.instances == app.instances)
        #expect(
            update.lastConfigChangeAt == Self.now && update.lastScalingAt == Self.now && update.version == Self.later)
    }

    // MARK: - Lists and rollback

    @Test func decodeListNamesTheElement() throws {
        let apps = try AppJSON.decodeList(
            Array(#"[{"id": "a", "cmd": "x"}, {"id": "b", "args": ["y"]}]"#.utf8), now: Self.now)
        #expect(apps.map(\.id.description) == ["/a", "/b"])
        let base = try Self.decode(#"{"id": "a", "cmd": "x", "mem": 64}"#)
        let updated = try AppJSON.decodeList(Array(#"[{"id": "a", "instances": 4}]"#.utf8), now: Self.later) {
            $0 == base.id ? base : nil
        }
        #expect(updated.first?.mem == 64 && updated.first?.instances == 4)
        #expect(
            throws: MarathonError.invalid(
                message: "Object is not valid",
                details: [FieldError(path: "(1)/cpus", errors: ["error.expected.jsnumber"])])
        ) {
            try AppJSON.decodeList(
                Array(#"[{"id": "a", "cmd": "x"}, {"id": "b", "cmd": "y", "cpus": "1"}]"#.utf8), now: Self.now)
        }
    }

    @Test func rollbackIsABodyWithOnlyAVersion() throws {
        let version = #"{"version": "2026-01-02T03:04:05.678Z"}"#
        #expect(try AppJSON.rollbackVersion(Array(version.utf8)) == Self.now)
        #expect(
            try AppJSON.rollbackVersion(Array(#"{"id": "/web", "version": "2026-01-02T03:04:05.678Z"}"#.utf8))
                == Self.now)
        #expect(try AppJSON.rollbackVersion(Array(#"{"cmd": "x", "version": "2026-01-02T03:04:05.678Z"}"#.utf8)) == nil)
        #expect(try AppJSON.rollbackVersion(Array(#"{"instances": 2}"#.utf8)) == nil)
        #expect(throws: MarathonError.self) { try AppJSON.rollbackVersion(Array(#"{"version": "yesterday"}"#.utf8)) }
    }

    @Test func errorBodiesAreMarathons() {
        let invalid = MarathonError.invalid(
            message: "Object is not valid",
            details: [FieldError(path: "/cpus", errors: ["got 0, expected 0.001 or more"])])
        #expect(
            invalid.json.text
                == #"{"details":[{"errors":["got 0, expected 0.001 or more"],"path":"/cpus"}],"message":"Object is not valid"}"#
        )
        #expect(
            MarathonError.notFound("App '/x' does not exist").json.text == #"{"message":"App '/x' does not exist"}"#)
        #expect(MarathonError.notFound("x").status == 404)
        let conflict = MarathonError.conflict(message: "App is locked", deployments: ["d1"])
        #expect(
            conflict.status == 409 && conflict.json.text == #"{"deployments":[{"id":"d1"}],"message":"App is locked"}"#)
        #expect(MarathonError.badRequest(message: "Invalid JSON").json.text == #"{"message":"Invalid JSON"}"#)
    }
}
