import BoxTestSupport
import Foundation
import Testing

/// Marathon's `/v2` API on its own port, driven by the real `marathon` Python client 0.13.0 (installed by
/// `install.sh --test` into `.venv`), by curl with bad input, and by `clusterbox app`; apps are real processes on
/// process agents and their health checks really run.
@Suite(.serialized) struct MarathonAPITests {
    static let script = CLI.root + "/Tests/ClusterboxTests/Fixtures/marathon_acceptance.py"

    /// The acceptance script (Fixtures/marathon_acceptance.py) against a fresh cluster: create /web (3 ×
    /// `python3 -m http.server`, HTTP health check), its deployment, tasks and endpoints, scale to 5 and 1, a cmd
    /// change seen as `deployment_success` on /v2/events, a killed task replaced, versions, and the client's
    /// ConflictError, MarathonHttpError 422 with details, NotFoundError after the delete. Exit 0 means it all held.
    @Test func pythonClientAcceptance() async throws { try await onOwnThread { try Self.pythonClientAcceptance() } }

    static func pythonClientAcceptance() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "2"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        let result = try CLI.execute(
            SchedulerAPITests.python, [script, cli.marathonURL, "--deadline", "150"], environment: [:], timeout: 170)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("PASSED"), "\(result.stdout)\n\(result.stderr)")
        #expect(!result.stderr.contains("Traceback"), "\(result.stderr)")
        print(result.stdout, terminator: "")
    }

    /// Bad app definitions from curl: 400 for what is not JSON, 422 with `details` naming the field for the rest, a
    /// JSON body with a message each time; afterwards the app created before is unchanged, no deployment was
    /// started, and the server still deploys.
    @Test func badInput() async throws { try await onOwnThread { try Self.badInput() } }

    static func badInput() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        let api = MarathonCurl(cli)
        let keep = try api.call("POST", "/v2/apps", #"{"id":"/keep","cmd":"sleep 1000","cpus":0.1,"mem":16}"#)
        #expect(keep.status == 201, "\(keep.body)")
        try api.waitForDeployments()
        let before = try api.appDefinitions()
        let keepTasks = try api.taskIDs("/keep")
        #expect(keepTasks.count == 1)

        let volumes = #""container":{"docker":{"image":"busybox"},"volumes":[{"containerPath":"/d","hostPath":"/d"}]}"#
        let cases: [(method: String, path: String, body: String, status: Int, field: String?, message: String)] = [
            ("POST", "/v2/apps", #"{"cmd":"sleep 1","cpus":0.1,"mem":16}"#, 422, "/id", "error.path.missing"),
            ("POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","instances":-1}"#, 422, "/instances", "0 or more"),
            (
                "POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","constraints":[["hostname","NEAR"]]}"#, 422,
                "/constraints(0)", "Constraint operator must be one of"
            ),
            ("POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","cpus":64}"#, 422, "/", "no agent can ever fit"),
            ("POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","mem":999999}"#, 422, "/", "no agent can ever fit"),
            ("POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","#, 400, nil, "Invalid JSON"),
            ("POST", "/v2/apps", "not json at all", 400, nil, "Invalid JSON"),
            ("POST", "/v2/apps", #"["/bad"]"#, 400, nil, "Invalid JSON"),
            (
                "POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1","instances":"three"}"#, 422, "/instances",
                "error.expected.jsnumber"
            ),
            (
                "POST", "/v2/apps", #"{"id":"/bad","cmd":"sleep 1",\#(volumes)}"#, 422, "/container/volumes",
                "volumes are not supported"
            ),
            // The same mistakes as updates of the existing app: refused whole, the app stays as it was.
            ("PUT", "/v2/apps/keep", #"{"instances":-1}"#, 422, "/instances", "0 or more"),
            ("PUT", "/v2/apps/keep", #"{"instances":"three","cmd":"sleep 5"}"#, 422, "/instances", "jsnumber"),
            ("PUT", "/v2/apps/keep", #"{"cpus":64}"#, 422, "/", "no agent can ever fit"),
            ("PUT", "/v2/apps/keep", #"{"constraints":[["hostname","NEAR"]]}"#, 422, "/constraints(0)", "operator"),
            ("PUT", "/v2/apps/keep", "{\(volumes)}", 422, "/container/volumes", "volumes are not supported"),
            ("PUT", "/v2/apps/keep", #"{"cmd":"#, 400, nil, "Invalid JSON"),
            ("PUT", "/v2/apps", #"[{"id":"/keep","instances":-2}]"#, 422, "(0)/instances", "0 or more"),
            ("POST", "/v2/apps", #"{"id":"/keep","cmd":"sleep 1"}"#, 409, nil, "already exists"),
        ]
        for bad in cases {
            let answer = try api.call(bad.method, bad.path, bad.body)
            let label = "\(bad.method) \(bad.path) \(bad.body) → \(answer.status) \(answer.body)"
            #expect(answer.status == bad.status, "\(label)")
            #expect(answer.contentType.hasPrefix("application/json"), "\(label): \(answer.contentType)")
            let object = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            let message = object?["message"] as? String ?? ""
            #expect(!message.isEmpty, "\(label)")
            #expect(answer.body.contains(bad.message), "\(label)")
            if let field = bad.field {
                let details = object?["details"] as? [[String: Any]] ?? []
                #expect(details.contains { $0["path"] as? String == field }, "\(label): no details for \(field)")
                #expect(details.allSatisfy { !(($0["errors"] as? [String]) ?? []).isEmpty }, "\(label)")
            }
        }

        // Nothing changed: the same apps with the same definitions, no deployment, the same task, one version.
        let after = try api.appDefinitions()
        #expect(after.keys.sorted() == ["/keep"])
        #expect(try canonical(after["/keep"]) == canonical(before["/keep"]))
        #expect((try api.json("/v2/deployments") as? [Any])?.isEmpty == true)
        #expect(try api.taskIDs("/keep") == keepTasks)
        #expect(((try api.json("/v2/apps/keep/versions") as? [String: Any])?["versions"] as? [Any])?.count == 1)
        #expect(try api.call("GET", "/v2/apps/bad").status == 404)

        // Still serving: a good app deploys next to it.
        let good = try api.call("POST", "/v2/apps", #"{"id":"/after","cmd":"sleep 1000","cpus":0.1,"mem":16}"#)
        #expect(good.status == 201, "\(good.body)")
        try api.waitForDeployments()
        #expect(try api.taskIDs("/after").count == 1)
        #expect(try api.appDefinitions().keys.sorted() == ["/after", "/keep"])
    }

    /// A rolling upgrade of 3 instances with `minimumHealthCapacity: 1, maximumOverCapacity: 0.5` and an HTTP health
    /// check: sampled every ~100 ms, at least 3 tasks are healthy and at most 4 run throughout; at the end 3 tasks of
    /// the new version replace all old ones.
    @Test func rollingUpgradeKeepsCapacity() async throws { try await onOwnThread { try Self.rollingUpgrade() } }

    static func rollingUpgrade() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        let api = MarathonCurl(cli)
        let app = """
            {"id":"/roll","cmd":"python3 -m http.server $PORT0","cpus":0.1,"mem":32,"instances":3,
             "healthChecks":[{"protocol":"HTTP","path":"/","portIndex":0,"intervalSeconds":1,"gracePeriodSeconds":10,
                              "timeoutSeconds":2,"maxConsecutiveFailures":3}],
             "upgradeStrategy":{"minimumHealthCapacity":1,"maximumOverCapacity":0.5}}
            """
        #expect(try api.call("POST", "/v2/apps", app).status == 201)
        try api.waitForDeployments()
        let first = try api.app("/roll")
        #expect(first["tasksHealthy"] as? Int == 3, "\(first)")
        let oldTasks = Set(try api.taskIDs("/roll"))

        let update = try api.call("PUT", "/v2/apps/roll", #"{"cmd":"python3 -m http.server --bind 127.0.0.1 $PORT0"}"#)
        #expect(update.status == 200, "\(update.body)")
        let started = Date()
        // `standing`: running tasks that have passed their health check at some sample. A loaded machine can fail
        // one check of an old task (it stays running: maxConsecutiveFailures is 3), so `healthy` may dip for a
        // moment without the deployment doing anything wrong; what it must never do is kill a healthy old task
        // before its replacement is healthy, which `standing` shows.
        var samples: [(seconds: Double, tasks: Int, healthy: Int, tasksHealthy: Int, standing: Int)] = []
        var everHealthy = oldTasks  // all three were healthy before the update
        var last: [String: Any] = [:]
        while Date().timeIntervalSince(started) < 60 {
            last = try api.app("/roll", embed: "app.tasks")
            let tasks = last["tasks"] as? [[String: Any]] ?? []
            let healthy = tasks.filter { task in
                let results = task["healthCheckResults"] as? [[String: Any]] ?? []
                return !results.isEmpty && results.allSatisfy { $0["alive"] as? Bool == true }
            }
            for task in healthy { if let id = task["id"] as? String { everHealthy.insert(id) } }
            let standing = tasks.filter { everHealthy.contains($0["id"] as? String ?? "") }.count
            samples.append(
                (
                    Date().timeIntervalSince(started), tasks.count, healthy.count, last["tasksHealthy"] as? Int ?? -1,
                    standing
                ))
            if (last["deployments"] as? [Any])?.isEmpty == true { break }
            usleep(100_000)
        }
        let trace = samples.map {
            String(format: "%.2f s: ", $0.seconds)
                + "\($0.tasks) tasks, \($0.healthy) healthy (\($0.tasksHealthy)), \($0.standing) standing"
        }.joined(separator: "\n")
        #expect((last["deployments"] as? [Any])?.isEmpty == true, "the upgrade did not finish in 60 s:\n\(trace)")
        #expect(samples.count >= 5, "the upgrade was too quick to watch:\n\(trace)")
        #expect(
            samples.allSatisfy { $0.standing >= 3 }, "a healthy task was killed too early during the upgrade:\n\(trace)"
        )
        #expect(
            samples.allSatisfy { $0.tasksHealthy == $0.healthy }, "tasksHealthy disagrees with the tasks:\n\(trace)")
        #expect(samples.allSatisfy { $0.tasks <= 4 }, "more than floor(3 × 1.5) = 4 tasks ran:\n\(trace)")
        #expect(samples.contains { $0.tasks == 4 }, "the upgrade never used its over-capacity:\n\(trace)")
        let tasks = last["tasks"] as? [[String: Any]] ?? []
        let version = (last["versionInfo"] as? [String: Any])?["lastConfigChangeAt"] as? String
        #expect(tasks.count == 3)
        #expect(
            tasks.allSatisfy { $0["version"] as? String == version && !oldTasks.contains($0["id"] as? String ?? "") })
        #expect(last["tasksHealthy"] as? Int == 3)
        print("rolling upgrade: \(samples.count) samples over \(String(format: "%.1f", samples.last?.seconds ?? 0)) s")
    }

    /// A COMMAND check (`test -f <file>`, run on the host with the task's environment) passes, then the test deletes
    /// the file: each task is killed (`unhealthy_instance_kill_event`) after maxConsecutiveFailures (3) failures at
    /// intervalSeconds (1) — not at the first failure, and within 3 s plus a margin — and replaced; with the file
    /// back the replacements become healthy.
    @Test func failingHealthCheckKillsAndReplaces() async throws {
        try await onOwnThread { try Self.failingHealthCheck() }
    }

    static func failingHealthCheck() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        let api = MarathonCurl(cli)
        let marker = cli.dataDirectory + "/healthy"
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        let app = """
            {"id":"/sick","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":2,
             "healthChecks":[{"protocol":"COMMAND","command":{"value":"test -f \(marker)"},"intervalSeconds":1,
                              "gracePeriodSeconds":10,"timeoutSeconds":2,"maxConsecutiveFailures":3}]}
            """
        #expect(try api.call("POST", "/v2/apps", app).status == 201)
        try api.waitForDeployments()
        #expect(try api.app("/sick")["tasksHealthy"] as? Int == 2)
        let old = Set(try api.taskIDs("/sick"))

        let events = try EventStream(cli, types: ["unhealthy_instance_kill_event"])
        defer { events.stop() }
        let failingSince = Date()
        try FileManager.default.removeItem(atPath: marker)
        let kills = events.wait(for: "unhealthy_instance_kill_event", count: 2, timeout: 15)
        let gone = api.waitUntil(timeout: 15) { Set(try api.taskIDs("/sick")).isDisjoint(with: old) }
        let goneAfter = Date().timeIntervalSince(failingSince)
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        #expect(kills.count == 2, "kill events: \(kills.map(\.data))")
        #expect(gone, "the unhealthy tasks were not killed")
        let limit = 3 * 1.0 + 2.5
        for kill in kills {
            let after = kill.at.timeIntervalSince(failingSince)
            #expect(after >= 1.5, "killed \(after) s after the check started failing: before 3 failures")
            #expect(after <= limit, "killed \(after) s after the check started failing, expected ≤ \(limit) s")
            #expect(old.contains { kill.data.contains(#""taskId":"\#($0)""#) }, "\(kill.data)")
            #expect(kill.data.contains("3 consecutive health check failures"), "\(kill.data)")
        }
        #expect(goneAfter <= limit + 1, "the killed tasks were listed for \(goneAfter) s")

        // Replaced: two new tasks, healthy now that the file is back.
        let replaced = api.waitUntil(timeout: 20) {
            let app = try api.app("/sick")
            let ids = Set((app["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            return ids.count == 2 && ids.isDisjoint(with: old) && app["tasksHealthy"] as? Int == 2
        }
        let final = try api.app("/sick")
        #expect(replaced, "no healthy replacements: \(final)")
        #expect(final["instances"] as? Int == 2)
        print(
            "health kill: \(kills.map { String(format: "%.2f s", $0.at.timeIntervalSince(failingSince)) }) after the "
                + "check started failing, tasks gone after \(String(format: "%.2f", goneAfter)) s")
    }

    /// `clusterbox app` as a user runs it: deploy from a JSON file (waits for health), list, tasks, an update from a
    /// YAML file, scale, restart, versions, show, delete; errors from the API reach the user.
    @Test func appCommands() async throws { try await onOwnThread { try Self.appCommands() } }

    static func appCommands() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        let json = cli.dataDirectory + "/web.json"
        try """
        {"id": "/prod/web", "cmd": "python3 -m http.server $PORT0", "cpus": 0.1, "mem": 32, "instances": 2,
         "portDefinitions": [{"port": 0, "name": "http"}],
         "healthChecks": [{"protocol": "HTTP", "path": "/", "portIndex": 0, "intervalSeconds": 1,
                           "gracePeriodSeconds": 10}]}
        """.write(toFile: json, atomically: true, encoding: .utf8)
        let deploy = try cli.run(["app", "deploy", "-f", json])
        #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
        #expect(deploy.stdout.contains("created /prod/web"))
        #expect(deploy.stdout.contains("done: 2/2 running, 2/2 healthy"), "\(deploy.stdout)")

        let list = try cli.run(["app", "list"])
        let row = list.stdout.split(separator: "\n").first { $0.hasPrefix("/prod/web ") }
        let columns = row.map { $0.split(separator: " ").prefix(4).map(String.init) }
        #expect(columns == ["/prod/web", "2", "2", "2"], "\(list.stdout)")
        let tasks = try cli.run(["app", "tasks", "/prod/web"])
        #expect(tasks.stdout.components(separatedBy: "TASK_RUNNING").count - 1 == 2, "\(tasks.stdout)")
        #expect(tasks.stdout.contains("prod_web."))

        let yaml = cli.dataDirectory + "/web.yaml"
        try """
        id: /prod/web
        cmd: python3 -m http.server --bind 127.0.0.1 $PORT0
        cpus: 0.1
        mem: 32
        instances: 3
        healthChecks:
          - protocol: HTTP
            path: /
            portIndex: 0
            intervalSeconds: 1
            gracePeriodSeconds: 10
        """.write(toFile: yaml, atomically: true, encoding: .utf8)
        let update = try cli.run(["app", "deploy", "-f", yaml])
        #expect(update.status == 0, "\(update.stdout)\(update.stderr)")
        #expect(update.stdout.contains("updated /prod/web"))
        #expect(update.stdout.contains("done: 3/3 running, 3/3 healthy"), "\(update.stdout)")

        let scale = try cli.run(["app", "scale", "/prod/web", "1"])
        #expect(scale.status == 0, "\(scale.stderr)")
        #expect(scale.stdout.contains("done: 1/1 running, 1/1 healthy"), "\(scale.stdout)")
        let restart = try cli.run(["app", "restart", "/prod/web"])
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stdout.contains("done: 1/1 running, 1/1 healthy"), "\(restart.stdout)")
        let versions = try cli.run(["app", "versions", "/prod/web"])
        #expect(versions.stdout.split(separator: "\n").count == 4, "\(versions.stdout)")
        let show = try cli.run(["app", "show", "/prod/web"])
        let shown = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        let app = shown?["app"] as? [String: Any]
        #expect(app?["instances"] as? Int == 1)
        #expect(app?["cmd"] as? String == "python3 -m http.server --bind 127.0.0.1 $PORT0")

        let invalid = cli.dataDirectory + "/bad.json"
        try #"{"id": "/prod/bad", "cmd": "sleep 1", "cpus": 0}"#.write(
            toFile: invalid, atomically: true, encoding: .utf8)
        let refused = try cli.run(["app", "deploy", "-f", invalid])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("/cpus"), "\(refused.stderr)")

        let delete = try cli.run(["app", "delete", "/prod/web"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(!(try cli.run(["app", "list"]).stdout.contains("/prod/web")))
        let missing = try cli.run(["app", "show", "/prod/web"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("App '/prod/web' does not exist"), "\(missing.stderr)")
        let api = MarathonCurl(cli)
        try api.waitForDeployments()
        #expect(try api.call("GET", "/v2/tasks").body == #"{"tasks":[]}"#)
    }
}

/// JSON text with sorted keys, to compare two parsed objects.
func canonical(_ object: Any?) throws -> String {
    guard let object else { return "null" }
    return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

/// `/v2` calls with curl.
struct MarathonCurl {
    let cli: CLI

    init(_ cli: CLI) { self.cli = cli }

    struct Answer {
        var status: Int
        var contentType: String
        var body: String
    }

    func call(_ method: String, _ path: String, _ body: String? = nil) throws -> Answer {
        var arguments = ["-X", method, "-H", "Content-Type: application/json", "-w", "\n%{http_code} %{content_type}"]
        if let body { arguments += ["--data-binary", body] }
        let result = try cli.curl(arguments + [cli.marathonURL + path])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let trailer = lines.last.map { $0.split(separator: " ", maxSplits: 1) } ?? []
        return Answer(
            status: trailer.first.flatMap { Int($0) } ?? 0,
            contentType: trailer.dropFirst().first.map(String.init) ?? "",
            body: lines.dropLast().joined(separator: "\n"))
    }

    func json(_ path: String) throws -> Any? {
        try? JSONSerialization.jsonObject(with: Data(call("GET", path).body.utf8))
    }

    func app(_ id: String, embed: String? = nil) throws -> [String: Any] {
        let object = try json("/v2/apps\(id)" + (embed.map { "?embed=\($0)" } ?? "")) as? [String: Any]
        return object?["app"] as? [String: Any] ?? [:]
    }

    func taskIDs(_ id: String) throws -> [String] {
        let tasks = (try json("/v2/apps\(id)/tasks") as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
        return tasks.compactMap { $0["id"] as? String }.sorted()
    }

    /// Each app's definition as `GET /v2/apps` shows it, without the live counts.
    func appDefinitions() throws -> [String: [String: Any]] {
        let apps = (try json("/v2/apps") as? [String: Any])?["apps"] as? [[String: Any]] ?? []
        var result: [String: [String: Any]] = [:]
        for var app in apps {
            for key in ["tasksRunning", "tasksStaged", "tasksHealthy", "tasksUnhealthy", "deployments"] {
                app.removeValue(forKey: key)
            }
            result[app["id"] as? String ?? "?"] = app
        }
        return result
    }

    /// Polls every 100 ms until `condition` holds; false if it never did within `timeout` seconds.
    func waitUntil(timeout: Double, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            usleep(100_000)
        }
        return false
    }

    func waitForDeployments(timeout: Double = 60) throws {
        let done = waitUntil(timeout: timeout) { (try json("/v2/deployments") as? [Any])?.isEmpty == true }
        guard !done else { return }
        let running = try call("GET", "/v2/deployments").body
        Issue.record("deployments still running after \(timeout) s: \(running)")
    }
}

/// `/v2/events` read by a `curl -N` of our own, each `data:` line stamped when it arrived. `stop()` ends that curl
/// by its pid.
final class EventStream: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var received: [(at: Date, type: String, data: String)] = []
    private var reader: Thread?

    init(_ cli: CLI, types: [String]) throws {
        let query = (["event_stream_attached"] + types).map { "event_type=\($0)" }.joined(separator: "&")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = [
            "-sN", "--max-time", "120", "-H", "Accept: text/event-stream", "\(cli.marathonURL)/v2/events?\(query)",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    guard line.hasPrefix("data: ") else { continue }
                    let data = String(line.dropFirst("data: ".count))
                    let type =
                        data.components(separatedBy: #""eventType":""#).dropFirst().first?
                        .components(separatedBy: "\"").first ?? "?"
                    self.lock.withLock { self.received.append((Date(), type, data)) }
                }
            }
        }
        reader = thread
        thread.start()
        let attached = wait(for: "event_stream_attached", count: 1, timeout: 10)
        #expect(attached.count == 1, "the event stream did not attach")
    }

    /// The first `count` events of `type`, waiting up to `timeout` seconds for them.
    func wait(for type: String, count: Int, timeout: Double) -> [(at: Date, data: String)] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let found = lock.withLock { received.filter { $0.type == type }.map { (at: $0.at, data: $0.data) } }
            if found.count >= count || Date() >= deadline { return Array(found.prefix(count)) }
            usleep(20_000)
        }
    }

    /// SIGKILL: the test runner's children may inherit a mask that blocks SIGTERM, and curl has nothing to save.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
