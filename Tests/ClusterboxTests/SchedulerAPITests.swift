import BoxTestSupport
import Foundation
import Testing

/// The Mesos v1 scheduler HTTP API with the real pymesos library (installed by `install.sh --test` into
/// `.venv`), and with malformed calls from curl.
@Suite(.serialized) struct SchedulerAPITests {
    /// The Python that has pymesos: `$CLUSTERBOX_PYTHON`, else the checkout's `.venv`.
    static var python: String {
        ProcessInfo.processInfo.environment["CLUSTERBOX_PYTHON"] ?? CLI.root + "/.venv/bin/python"
    }

    static let example = CLI.root + "/examples/pymesos-framework/framework.py"

    /// The example framework subscribes over HTTP, takes offers, launches 20 tasks, sees TASK_RUNNING and
    /// TASK_FINISHED for each (pymesos acknowledges them) and exits 0; a second run reconnects with the saved
    /// framework id (pymesos calls `reregistered`) and reconciles all 20 tasks, which the master answers
    /// TASK_FINISHED.
    @Test func pymesosFrameworkRunsAndFailsOver() async throws { try await onOwnThread { try Self.pymesos() } }

    static func pymesos() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up().status == 0)
        let idFile = cli.dataDirectory + "/framework.id"
        let master = "127.0.0.1:\(cli.port)"
        let first = try CLI.execute(
            python, [example, "--master", master, "--tasks", "20", "--id-file", idFile], environment: [:], timeout: 90)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("all 20 tasks finished (20 were seen TASK_RUNNING)"))
        #expect(!first.stderr.contains("Thread abort"))

        let state =
            try JSONSerialization.jsonObject(with: Data(try cli.curl(["\(cli.url)/master/state"]).stdout.utf8))
            as? [String: Any]
        let frameworks = state?["frameworks"] as? [[String: Any]] ?? []
        let example = frameworks.first { $0["name"] as? String == "pymesos-example" }
        #expect((example?["completed_tasks"] as? [Any])?.count == 20)

        let second = try CLI.execute(
            python, [example_path, "--master", master, "--tasks", "20", "--id-file", idFile, "--failover"],
            environment: [:], timeout: 60)
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        let savedID = try String(contentsOfFile: idFile, encoding: .utf8)
        #expect(second.stdout.contains("reregistered as \(savedID)"))
        #expect(second.stdout.components(separatedBy: ": TASK_FINISHED").count - 1 == 20)
    }

    static var example_path: String { example }

    /// The operator API answers pymesos' operator driver and plain curl in the v1 shapes.
    @Test func operatorAPI() async throws { try await onOwnThread { try Self.operatorCalls() } }

    static func operatorCalls() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        #expect(try cli.run(["run", "--", "true"]).status == 0)
        let script = """
            from pymesos import MesosOperatorMasterDriver
            driver = MesosOperatorMasterDriver("127.0.0.1:\(cli.port)")
            state = driver.getState()["get_state"]
            print(len(state["get_agents"]["agents"]), len(state["get_frameworks"]["frameworks"]),
                  len(state["get_tasks"]["completed_tasks"]),
                  ",".join(sorted(f["framework_info"]["name"] for f in state["get_frameworks"]["frameworks"])))
            """
        let result = try CLI.execute(python, ["-c", script], environment: [:], timeout: 30)
        #expect(result.stdout == "2 3 1 batch,kubernetes,marathon\n", "\(result.stdout)\n\(result.stderr)")
        for path in ["/api/v1", "/api/v1/operator"] {
            let health = try cli.curl([
                "-H", "Content-Type: application/json", "-d", #"{"type":"GET_HEALTH"}"#, "\(cli.url)\(path)",
            ])
            #expect(health.stdout == #"{"get_health":{"healthy":true},"type":"GET_HEALTH"}"#)
        }
        let version = try cli.curl(["-d", #"{"type":"GET_VERSION"}"#, "\(cli.url)/api/v1"])
        #expect(version.stdout.contains(#""version":"1.11.0""#))
        let agents = try cli.curl(["-d", #"{"type":"GET_AGENTS"}"#, "\(cli.url)/api/v1"])
        #expect(agents.stdout.contains(#""name":"cpus","role":"*","scalar":{"value":2}"#))
        let update = try cli.curl([
            "-w", "%{http_code}", "-d",
            #"{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"batch","weight":3}]}}"#,
            "\(cli.url)/api/v1",
        ])
        #expect(update.stdout == "200")
        let weights = try cli.curl(["-d", #"{"type":"GET_WEIGHTS"}"#, "\(cli.url)/api/v1"])
        #expect(weights.stdout.contains(#"{"role":"batch","weight":3}"#))
        // The operator event stream: SUBSCRIBED with the state, then the task a new job launches. Read as it comes
        // (up to 30 s each: on a loaded machine the subscription and the run take seconds), so the job starts only
        // once the subscription is in place and the stream ends once the task's events are in.
        let stream = Process()
        stream.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        stream.arguments = ["-sN", "--max-time", "60", "-d", #"{"type":"SUBSCRIBE"}"#, "\(cli.url)/api/v1"]
        let pipe = Pipe()
        stream.standardOutput = pipe
        try stream.run()
        defer {
            if stream.isRunning { stream.terminate() }
            stream.waitUntilExit()
        }
        var records = ""
        func read(until done: (String) -> Bool) {
            let deadline = Date().addingTimeInterval(30)
            while !done(records) && Date() < deadline {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { return }  // the stream ended
                records += String(decoding: data, as: UTF8.self)
            }
        }
        read { $0.contains(#""type":"SUBSCRIBED""#) }
        #expect(records.contains(#""type":"SUBSCRIBED""#))
        let snapshot = records.count  // it lists the earlier run's task as finished: the new events come after
        #expect(try cli.run(["run", "--", "true"]).status == 0)
        read { records in
            let events = records.dropFirst(snapshot)
            return events.contains(#""type":"TASK_ADDED""#) && events.contains(#""state":"TASK_FINISHED""#)
        }
        let events = String(records.dropFirst(snapshot))
        #expect(events.contains(#""type":"TASK_ADDED""#), "\(events)")
        #expect(events.contains(#""state":"TASK_FINISHED""#), "\(events)")
        let bad = try cli.curl(["-w", "\n%{http_code}", "-d", #"{"type":"DANCE"}"#, "\(cli.url)/api/v1"])
        #expect(bad.stdout.hasSuffix("400"))
        #expect(bad.stdout.contains("unknown or unsupported call type 'DANCE'"))
    }

    /// Malformed calls get Mesos' status codes and a message, and the master keeps serving.
    @Test func malformedCalls() async throws { try await onOwnThread { try Self.malformed() } }

    static func malformed() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "1"]).status == 0)
        let url = "\(cli.url)/api/v1/scheduler"
        let json = ["-H", "Content-Type: application/json"]
        let subscribe = #"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n"}}}"#
        let cases: [([String], String, String)] = [
            (json + ["-d", "{not json"], "400", "Failed to parse body"),
            (json + ["-d", #"{"type":"FLY","framework_id":{"value":"x"}}"#], "400", "unknown call type 'FLY'"),
            (json + ["-d", #"{"type":"REVIVE"}"#], "400", "Expecting 'framework_id'"),
            (
                json + ["-d", #"{"type":"REVIVE","framework_id":{"value":"nope"}}"#], "400",
                "should include the 'Mesos-Stream-Id'"
            ),
            (
                json + ["-H", "Mesos-Stream-Id: abc", "-d", #"{"type":"REVIVE","framework_id":{"value":"nope"}}"#],
                "400", "Framework cannot be found"
            ),
            (
                json + ["-H", "Mesos-Stream-Id: abc", "-d", subscribe], "400",
                "should not include the 'Mesos-Stream-Id'"
            ),
            (["-H", "Content-Type: text/plain", "-d", subscribe], "415", "application/json"),
            (json + ["-H", "Accept: text/html", "-d", subscribe], "406", "Accept"),
            (
                json + ["-d", #"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u"}}}"#], "400",
                "name is required"
            ),
        ]
        for (arguments, code, message) in cases {
            let result = try cli.curl(["-w", "\n%{http_code}"] + arguments + [url])
            #expect(
                result.stdout.split(separator: "\n").last.map(String.init) == code, "\(arguments): \(result.stdout)")
            #expect(result.stdout.contains(message), "\(arguments): \(result.stdout)")
        }
        // A real subscription: 200, a stream id, and a RecordIO SUBSCRIBED record first.
        let stream = try cli.curl(["-i", "-N", "--max-time", "1"] + json + ["-d", subscribe, url])
        #expect(stream.stdout.hasPrefix("HTTP/1.1 200"))
        #expect(stream.stdout.lowercased().contains("mesos-stream-id: "))
        #expect(stream.stdout.lowercased().contains("transfer-encoding: chunked"))
        #expect(stream.stdout.contains(#"{"subscribed":{"framework_id":{"value":"#))
        // UPDATE_FRAMEWORK on a live subscription: 200 for a new name, 400 for a new user.
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        live.arguments = ["-s", "-i", "-N", "--max-time", "3"] + json + ["-d", subscribe, url]
        let pipe = Pipe()
        live.standardOutput = pipe
        try live.run()
        var head = ""
        for _ in 0..<100 where !head.contains("\"subscribed\"") {
            head += String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        }
        let streamID =
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("mesos-stream-id:") }
            .map { String($0.split(separator: ":")[1]).trimmingCharacters(in: .whitespaces) } ?? ""
        let frameworkID =
            head.components(separatedBy: #""framework_id":{"value":""#).dropFirst().first?
            .components(separatedBy: "\"").first ?? ""
        func update(_ user: String, _ name: String) throws -> String {
            let body =
                #"{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"\#(frameworkID)"},"update_framework":{"framework_info":{"user":"\#(user)","name":"\#(name)"}}}"#
            return try cli.curl(
                ["-w", "\n%{http_code}"] + json + ["-H", "Mesos-Stream-Id: \(streamID)", "-d", body, url]
            ).stdout
        }
        #expect(try update("u", "renamed").hasSuffix("200"))
        let refused = try update("root", "n")
        #expect(refused.hasSuffix("400"))
        #expect(refused.contains("'FrameworkInfo.user' is unsupported"))
        #expect(try cli.run(["frameworks"]).stdout.contains("renamed"))
        live.waitUntilExit()
        #expect(try cli.run(["run", "--", "echo", "still serving"]).stdout == "still serving\n")
    }
}
