import BoxTestSupport
import Foundation
import Testing

/// The whole path a user takes: `up` in a fresh data directory on a free port, `run` commands, read status, bad
/// input, `down`; all with the built binary and curl. Real processes, real SQLite, real sockets on loopback.
@Suite(.serialized) struct CLIEndToEndTests {
    /// up → run echo hello → exit codes → impossible requests → status → down leaves no process behind.
    @Test func upRunDown() async throws { try await onOwnThread { try Self.upRunDown() } }

    static func upRunDown() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up()
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("ready"))
        #expect(up.stdout.contains("agent-3"))

        let again = try cli.up()
        #expect(again.status == 0)
        #expect(again.stdout.contains("already running"))

        let hello = try cli.run(["run", "--", "echo", "hello"])
        #expect(hello.status == 0)
        #expect(hello.stdout == "hello\n")

        let failing = try cli.run(["run", "--", "echo to-stderr >&2; exit 7"])
        #expect(failing.status == 7)
        #expect(failing.stderr.contains("to-stderr"))

        let environment = try cli.run(["run", "--agent", "agent-2", "--", "echo $MESOS_TASK_ID $HOST; pwd"])
        #expect(environment.status == 0)
        #expect(environment.stdout.hasPrefix("batch-"))
        #expect(environment.stdout.contains("127.0.0.1"))
        #expect(environment.stdout.contains(cli.dataDirectory + "/sandboxes/"))

        let tooBig = try cli.run(["run", "--cpus", "64", "--", "true"])
        #expect(tooBig.status != 0)
        #expect(tooBig.stderr.contains("no agent can ever fit"))

        let noSuchAgent = try cli.run(["run", "--agent", "agent-9", "--", "true"])
        #expect(noSuchAgent.status != 0)
        #expect(noSuchAgent.stderr.contains("no agent named agent-9 runs commands"))

        let status = try cli.run(["status", "--json"])
        #expect(status.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        #expect(report?["running"] as? Bool == true)
        #expect((report?["agents"] as? [String: Any])?["active"] as? Int == 3)

        // A long task: `down` must kill it.
        let duration = uniqueSleep()
        let long = Process()
        long.executableURL = URL(fileURLWithPath: CLI.binary)
        long.arguments = ["run", "--", "sleep \(duration)"]
        long.environment = ProcessInfo.processInfo.environment.merging(["CLUSTERBOX_DATA_DIR": cli.dataDirectory]) {
            $1
        }
        long.standardOutput = FileHandle.nullDevice
        long.standardError = FileHandle.nullDevice
        try long.run()
        let pid = try #require(processWithArgument(duration))
        #expect(processAlive(pid))
        let info =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: cli.dataDirectory + "/cluster.json"))) as? [String: Any]
        let daemon = try #require(info?["pid"] as? Int)

        let down = try cli.run(["down"])
        #expect(down.status == 0)
        #expect(down.stdout.contains("stopped"))
        #expect(!processAlive(pid), "the task outlived the cluster")
        #expect(!processAlive(Int32(daemon)), "the daemon outlived down")
        long.waitUntilExit()
        #expect(long.terminationStatus != 0)

        let after = try cli.run(["status"])
        #expect(after.status == 1)
        #expect(after.stdout.contains("not running"))
        let agents = try cli.run(["agents"])
        #expect(agents.status != 0)
        #expect(agents.stderr.contains("no cluster is running"))
    }

    /// The API answers malformed requests with a 4xx and a message, and keeps serving.
    @Test func badInputGetsClearErrors() async throws { try await onOwnThread { try Self.badInputGetsClearErrors() } }

    static func badInputGetsClearErrors() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "1"]).status == 0)
        let cases: [([String], String, String)] = [
            (["-X", "POST", "-d", "not json"], "400", "must be a JSON object"),
            (["-X", "POST", "-d", #"{"cmd":"true","bogus":1}"#], "400", "unknown field 'bogus'"),
            (["-X", "POST", "-d", #"{"cmd":""}"#], "400", "non-empty command"),
            (["-X", "POST", "-d", #"{"cmd":"true","cpus":-1}"#], "400", "cpus: must be a non-negative number"),
            (["-X", "POST", "-d", #"{"cmd":"true","mem":999999}"#], "422", "no agent can ever fit"),
        ]
        for (arguments, code, message) in cases {
            let result = try cli.curl(["-w", "\n%{http_code}"] + arguments + ["\(cli.url)/batch/v1/jobs"])
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.last.map(String.init) == code, "\(arguments): \(result.stdout)")
            #expect(result.stdout.contains(message), "\(arguments): \(result.stdout)")
        }
        let missing = try cli.curl(["-w", "%{http_code}", "-o", "/dev/null", "\(cli.url)/batch/v1/jobs/nope"])
        #expect(missing.stdout == "404")
        let logs = try cli.curl(["\(cli.url)/clusterbox/v1/tasks/x/logs?offset=-4"])
        #expect(logs.stdout.contains("offset must be a non-negative integer"))
        // Still serving after all that.
        #expect(try cli.run(["run", "--", "echo", "still here"]).stdout == "still here\n")
    }

    /// The Mesos-shaped endpoints tools read, and the Prometheus metrics.
    @Test func operatorEndpoints() async throws { try await onOwnThread { try Self.operatorEndpoints() } }

    static func operatorEndpoints() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2", "--simulated", "2"]).status == 0)
        #expect(try cli.run(["run", "--", "true"]).status == 0)
        for path in ["/master/state", "/state.json", "/master/state.json"] {
            let state = try cli.curl(["\(cli.url)\(path)"])
            let object = try JSONSerialization.jsonObject(with: Data(state.stdout.utf8)) as? [String: Any]
            let slaves = object?["slaves"] as? [[String: Any]]
            #expect(slaves?.count == 4, "\(path)")
            #expect((slaves?.first?["id"] as? String)?.hasSuffix("-S0") == true)
            let frameworks = object?["frameworks"] as? [[String: Any]]
            let batch = frameworks?.first { $0["name"] as? String == "batch" }
            #expect(Set(frameworks?.compactMap { $0["name"] as? String } ?? []) == ["batch", "marathon", "kubernetes"])
            #expect((batch?["completed_tasks"] as? [Any])?.count == 1)
            #expect(object?["completed_frameworks"] is [Any])
        }
        let version = try cli.curl(["\(cli.url)/version"])
        #expect(version.stdout.contains(#""version":"1.11.0""#))
        let health = try cli.curl(["-w", "%{http_code}", "\(cli.url)/health"])
        #expect(health.stdout == "200")
        let metrics = try cli.curl(["\(cli.url)/metrics"]).stdout
        #expect(metrics.contains(#"clusterbox_master_agents{state="active"} 4"#))
        #expect(metrics.contains(#"clusterbox_master_tasks{state="TASK_FINISHED"} 1"#))
        #expect(metrics.contains("clusterbox_master_allocation_seconds_count"))
        #expect(metrics.contains(#"clusterbox_master_offers_total{result="made"}"#))
        #expect(metrics.contains("clusterbox_master_event_listeners 0"), "before any stream")
        // The event stream: a new job's offer and launch arrive as server-sent events.
        let events = Process()
        events.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        events.arguments = ["-sN", "--max-time", "2", "\(cli.url)/clusterbox/v1/events"]
        let pipe = Pipe()
        events.standardOutput = pipe
        try events.run()
        usleep(300_000)
        #expect(try cli.run(["run", "--", "true"]).status == 0)
        events.waitUntilExit()
        let stream = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stream.contains("event: launch"))
        #expect(stream.contains("event: task_update"))
        #expect(stream.contains(#""state":"TASK_FINISHED""#))
        // The client hung up, so the master no longer feeds a listener for it.
        var listeners = ""
        for _ in 0..<20 {
            listeners =
                try cli.curl(["\(cli.url)/metrics"]).stdout.split(separator: "\n")
                .first { $0.hasPrefix("clusterbox_master_event_listeners ") }.map(String.init) ?? "none"
            if listeners.hasSuffix(" 0") { break }
            usleep(100_000)
        }
        #expect(listeners == "clusterbox_master_event_listeners 0")
        let shares = try cli.run(["shares"])
        #expect(shares.stdout.contains("batch"))
    }

    /// kill -9 of the daemon loses no committed job, and the next `up` stops the tasks it left behind.
    @Test(arguments: ["process", "container"]) func survivesKillNine(executor: String) async throws {
        try await onOwnThread { try Self.survivesKillNine(executor: executor) }
    }

    /// A task outlives its daemon's SIGKILL, and the next `up` of the same data directory stops it: the process
    /// executor by the pid it wrote in the sandbox, the container executor by the task cgroups it left.
    static func survivesKillNine(executor: String) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        if executor == "container", containerExecutorUnavailable() != nil { return }
        #expect(try cli.up(["--agents", "1", "--executor", executor]).status == 0)
        let job = try cli.run(["run", "--", "echo", "persisted"])
        #expect(job.stdout == "persisted\n")
        let orphanPID = try orphanOfKilledDaemon(cli)

        let again = try cli.up(["--agents", "1", "--executor", executor])
        #expect(again.status == 0)
        let cleanup =
            executor == "process"
            ? "killed 1 tasks left by a previous run" : "removed 1 task cgroups left by a previous run"
        #expect(again.stdout.contains(cleanup), "\(again.stdout)")
        #expect(!processAlive(orphanPID))
        let jobs = try cli.curl(["\(cli.url)/batch/v1/jobs"]).stdout
        #expect(jobs.contains(#""cmd":"echo persisted""#), "\(jobs)")
        #expect(jobs.contains(#""state":"finished""#))
        #expect(jobs.contains(#""state":"lost""#))
    }

    /// Starts a long batch task, SIGKILLs the cluster's daemon and answers the task's pid, which outlives it
    /// (`running` sees the pid while the daemon still runs).
    static func orphanOfKilledDaemon(_ cli: CLI, running: (Int32) -> Void = { _ in }) throws -> Int32 {
        let duration = uniqueSleep()
        let submit = try cli.curl([
            "-X", "POST", "-d", #"{"cmd":"sleep \#(duration)"}"#, "\(cli.url)/batch/v1/jobs",
        ])
        #expect(submit.stdout.contains(#""trigger":"created""#), "\(submit.stdout)")
        let orphanPID = try #require(processWithArgument(duration))
        running(orphanPID)
        let info =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: cli.dataDirectory + "/cluster.json"))) as? [String: Any]
        let daemon = Int32(try #require(info?["pid"] as? Int))
        kill(daemon, SIGKILL)
        for _ in 0..<100 where processAlive(daemon) { usleep(20_000) }
        #expect(processAlive(orphanPID), "a task survives its daemon's SIGKILL")
        return orphanPID
    }

    /// `down` after the daemon was killed (its stop timed out, it crashed) stops the tasks it left, containers
    /// included, and removes their cgroups: a test's clean-up once left two containers running for an hour.
    @Test(arguments: ["process", "container"]) func downStopsWhatAKilledDaemonLeft(executor: String) async throws {
        try await onOwnThread { try Self.downStopsWhatAKilledDaemonLeft(executor: executor) }
    }

    static func downStopsWhatAKilledDaemonLeft(executor: String) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        if executor == "container", containerExecutorUnavailable() != nil { return }
        #expect(try cli.up(["--agents", "1", "--executor", executor]).status == 0)
        var cgroups = ""
        let orphanPID = try orphanOfKilledDaemon(cli) { pid in
            cgroups = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        }

        let down = try cli.run(["down"])
        #expect(down.stdout.contains("killed 1 leftover tasks"), "\(down.stdout) \(down.stderr)")
        #expect(!processAlive(orphanPID))
        if executor == "container" {
            // Every cgroup the task was in (its own, under the cluster's subtree) is gone.
            let paths = cgroups.split(separator: "\n").compactMap { line -> String? in
                let fields = line.split(separator: ":", maxSplits: 2)
                guard fields.count == 3, fields[2].contains("/clusterbox-") else { return nil }
                let controllers = fields[1].split(separator: ",").first.map(String.init) ?? ""
                let unified =
                    FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified")
                    ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup"
                let hierarchy = controllers.isEmpty ? unified : "/sys/fs/cgroup/" + controllers
                return hierarchy + fields[2]
            }
            #expect(!paths.isEmpty, "\(cgroups)")
            for path in paths { #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left") }
        }
    }

    /// `logs` prints a finished job's output; `offers --watch` shows the offer a new job takes.
    @Test func logsAndOfferStream() async throws { try await onOwnThread { try Self.logsAndOfferStream() } }

    static func logsAndOfferStream() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "1"]).status == 0)
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: CLI.binary)
        watcher.arguments = ["offers", "--watch", "--count", "2"]
        watcher.environment = ProcessInfo.processInfo.environment.merging(["CLUSTERBOX_DATA_DIR": cli.dataDirectory]) {
            $1
        }
        let pipe = Pipe()
        watcher.standardOutput = pipe
        try watcher.run()
        usleep(300_000)
        #expect(try cli.run(["run", "--", "printf 'a\\nb\\n'"]).stdout == "a\nb\n")
        watcher.waitUntilExit()
        let watched = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(watched.contains("offer "))
        #expect(watched.contains("offered agent-1 to batch"))
        let jobs =
            try JSONSerialization.jsonObject(with: Data(try cli.curl(["\(cli.url)/batch/v1/jobs"]).stdout.utf8))
            as? [String: Any]
        let name = try #require((jobs?["jobs"] as? [[String: Any]])?.first?["name"] as? String)
        #expect(try cli.run(["logs", name]).stdout == "a\nb\n")
        #expect(try cli.run(["logs", name + ".1"]).stdout == "a\nb\n")
        #expect(try cli.run(["logs", "batch-" + name + ".1"]).stdout == "a\nb\n")
        let missing = try cli.run(["logs", "no-such-task"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no sandbox"))
    }

    /// `role set` changes a role's weight and quota, `shares` shows them, bad values are refused, and the roles
    /// outlive a restart (they are in the store).
    @Test func rolesPersist() async throws { try await onOwnThread { try Self.roles() } }

    static func roles() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "1"]).status == 0)
        let set = try cli.run(["role", "set", "batch", "--weight", "2", "--quota", "cpus=1,mem=512"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.squeezed.contains("batch 2 cpus:1;mem:512"))
        let quotaOnly = try cli.run(["role", "set", "batch", "--quota", "cpus=0.5"])
        #expect(quotaOnly.stdout.squeezed.contains("batch 2 cpus:0.5;mem:0"), "the weight stays: \(quotaOnly.stdout)")
        let bad = try cli.run(["role", "set", "web", "--quota", "bogus=1"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("unknown resource 'bogus'"))
        let zero = try cli.curl(["-X", "PUT", "-d", #"{"weight":0}"#, "\(cli.url)/clusterbox/v1/roles/web"])
        #expect(zero.stdout.contains("weight: must be a positive number"))
        #expect(try cli.run(["shares"]).stdout.squeezed.contains("batch batch 2 cpus:0.5;mem:0"))
        #expect(try cli.run(["down"]).status == 0)
        let again = try cli.up(["--agents", "1"])
        #expect(again.stdout.contains("roles      1 restored from the store"))
        #expect(try cli.run(["role", "list"]).stdout.squeezed.contains("batch 2 cpus:0.5;mem:0"))
    }

    /// A taken port and an unusable data directory are clear errors, not hangs.
    @Test func startupErrors() async throws { try await onOwnThread { try Self.startupErrors() } }

    static func startupErrors() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(cli.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        listen(listener, 1)
        let taken = try cli.up()
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("port \(cli.port) on 127.0.0.1 is already in use"))

        let file = cli.dataDirectory + "/a-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let unusable = try CLI.execute(
            CLI.binary,
            [
                "up", "--master-port", "\(try CLI.freePort())", "--marathon-port", "\(try CLI.freePort())",
                "--data-dir", file + "/sub",
            ], environment: [:],
            timeout: 30)
        #expect(unusable.status != 0)
        #expect(unusable.stderr.contains("cannot use data directory"))
    }
}

extension String {
    /// Runs of spaces as one: table columns widen with their longest cell.
    var squeezed: String { split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
}
