import BoxTestSupport
import Foundation
import Testing

/// `--json` on every listing command: the output parses, and it is the API's own document the table is drawn from
/// (or, for agents, frameworks and offers, that part of `/master/state`), compared after both are parsed and
/// written again with sorted keys, leaving out the tasks' `statistics` (read from the cgroups at each request).
/// The cluster is live (offers come and go), so each comparison takes a fresh API reading and the command's output
/// until two readings agree, for up to 20 s. Also: no ANSI escapes unless asked for (piped output is not a
/// terminal; NO_COLOR wins over CLICOLOR_FORCE), and bad input is refused.
@Suite(.serialized) struct JSONListingTests {
    @Test func listingsPrintTheAPIsDocuments() async throws { try await onOwnThread { try Self.listings() } }

    static func listings() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "2"])
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        // Progress with timings: each start-up step says what it took, and the summary the total.
        for step in ["store      ready:", "agent      agent-2", "api        listening"] {
            #expect(Self.timed(up.stdout, "  " + step), "up's step \(step) has no timing: \(up.stdout)")
        }
        #expect(up.stdout.contains("clusterbox is up in "), "\(up.stdout)")

        // Something in each listing: an app with a task, a job with a run, a role with a weight.
        let app = cli.dataDirectory + "/app.json"
        try #"{"id": "/json/sleeper", "cmd": "sleep 600", "cpus": 0.1, "mem": 16, "instances": 1}"#.write(
            toFile: app, atomically: true, encoding: .utf8)
        let deployed = try cli.run(["app", "deploy", "-f", app])
        #expect(deployed.status == 0, "\(deployed.stdout)\(deployed.stderr)")
        #expect(Self.timed(deployed.stdout, "  done: 1/1 running"), "deploy shows its elapsed time: \(deployed.stdout)")
        let job = try cli.run(["job", "create", "nightly", "--schedule", "R/2030-01-01T03:00:00Z/P1D", "--", "true"])
        #expect(job.status == 0, "\(job.stdout)\(job.stderr)")
        #expect(try cli.run(["job", "run", "nightly", "--follow"]).status == 0)
        #expect(try cli.run(["role", "set", "batch", "--weight", "2"]).status == 0)

        let master = { (path: String) in try Self.document(cli.curl([cli.url + path]).stdout) }
        let marathon = { (path: String) in try Self.document(cli.curl([cli.marathonURL + path]).stdout) }
        let state = { (key: String) -> Any in (try master("/master/state") as? [String: Any])?[key] ?? NSNull() }
        let cases: [(command: [String], api: () throws -> Any)] = [
            (["agents"], { try state("slaves") }),
            (["frameworks"], { try state("frameworks") }),
            (
                ["offers"],
                { ((try state("frameworks")) as? [[String: Any]] ?? []).flatMap { $0["offers"] as? [Any] ?? [] } }
            ),
            (["shares"], { try master("/clusterbox/v1/shares") }),
            (["role", "list"], { try master("/clusterbox/v1/roles") }),
            (["services"], { try master("/discovery/v1/services") }),
            (["job", "list"], { try master("/batch/v1/jobs") }),
            (["job", "history", "nightly"], { try master("/batch/v1/jobs/nightly/runs") }),
            (["app", "list"], { try marathon("/v2/apps?embed=apps.counts&embed=apps.deployments") }),
            (["app", "tasks", "/json/sleeper"], { try marathon("/v2/apps/json/sleeper/tasks") }),
            (["app", "versions", "/json/sleeper"], { try marathon("/v2/apps/json/sleeper/versions") }),
        ]
        for (command, api) in cases {
            let deadline = Date().addingTimeInterval(20)
            var printed = ""
            var expected = ""
            repeat {
                let result = try cli.run(command + ["--json"])
                #expect(result.status == 0, "\(command) --json: \(result.stderr)")
                #expect(!result.stdout.contains("\u{1B}"), "\(command) --json wrote an escape code into a pipe")
                printed = try Self.canonical(Self.withoutReadings(Self.document(result.stdout)))
                expected = try Self.canonical(Self.withoutReadings(api()))
                if printed == expected { break }
                Thread.sleep(forTimeInterval: 0.3)
            } while Date() < deadline
            #expect(printed == expected, "\(command.joined(separator: " ")) --json differs from the API")
            // Offers may well be none (idle frameworks suppress them); every other listing holds something.
            if command != ["offers"] {
                #expect(printed.count > 2, "\(command.joined(separator: " ")) --json is empty: \(printed)")
            }
        }

        // The listings hold what was made above, so the comparisons compared something.
        let apps = try Self.document(cli.run(["app", "list", "--json"]).stdout) as? [String: Any]
        #expect((apps?["apps"] as? [[String: Any]])?.first?["id"] as? String == "/json/sleeper")
        let runs = try Self.document(cli.run(["job", "history", "nightly", "--json"]).stdout) as? [String: Any]
        #expect((runs?["runs"] as? [[String: Any]])?.first?["state"] as? String == "finished")
        let agents = try Self.document(cli.run(["agents", "--json"]).stdout) as? [[String: Any]]
        #expect(agents?.count == 2)

        // Their own reports: status and top.
        let status = try Self.document(cli.run(["status", "--json"]).stdout) as? [String: Any]
        #expect(status?["running"] as? Bool == true)
        let top = try Self.document(cli.run(["top", "--json", "--interval", "0.2"]).stdout) as? [String: Any]
        #expect((top?["agents"] as? [Any])?.count == 2)
        #expect(
            (top?["tasks"] as? [[String: Any]])?.contains { ($0["id"] as? String)?.hasPrefix("json_sleeper") == true }
                == true)

        // Colour: none into a pipe, bold headings when forced (NO_COLOR empty counts as unset, and the test's own
        // environment may set it), none when NO_COLOR is set as well.
        #expect(!(try cli.run(["agents"]).stdout.contains("\u{1B}[")))
        let forced = try CLI.execute(
            CLI.binary, ["agents"],
            environment: ["CLUSTERBOX_DATA_DIR": cli.dataDirectory, "CLICOLOR_FORCE": "1", "NO_COLOR": ""],
            timeout: 30)
        #expect(Array(forced.stdout.utf8.prefix(6)) == Array("\u{1B}[1mID".utf8), "\(forced.stdout.debugDescription)")
        let plain = try CLI.execute(
            CLI.binary, ["agents"],
            environment: ["CLUSTERBOX_DATA_DIR": cli.dataDirectory, "CLICOLOR_FORCE": "1", "NO_COLOR": "1"],
            timeout: 30)
        #expect(plain.stdout.hasPrefix("ID"), "\(plain.stdout)")

        // Bad input: --json with --watch, a job that does not exist; nothing printed on stdout.
        let watching = try cli.run(["offers", "--json", "--watch"])
        #expect(watching.status != 0 && watching.stdout.isEmpty)
        #expect(watching.stderr.contains("does not go with --watch"), "\(watching.stderr)")
        let unknown = try cli.run(["job", "history", "nosuch", "--json"])
        #expect(unknown.status != 0 && unknown.stdout.isEmpty, "\(unknown.stdout)")
    }

    /// With no cluster, a listing's --json fails with the usual message and prints no half document.
    @Test func noClusterNoDocument() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            for command in [["agents"], ["app", "list"], ["job", "list"], ["role", "list"], ["shares"]] {
                let result = try cli.run(command + ["--json"])
                #expect(result.status != 0 && result.stdout.isEmpty, "\(command): \(result.stdout)")
                #expect(result.stderr.contains("no cluster is running"), "\(command): \(result.stderr)")
            }
        }
    }

    /// Whether a line starting with `prefix` ends with a timing such as `(0.02 s)`.
    static func timed(_ output: String, _ prefix: String) -> Bool {
        output.split(separator: "\n").contains { line in
            guard line.hasPrefix(prefix), line.hasSuffix(" s)"), let open = line.lastIndex(of: "(") else {
                return false
            }
            return Double(line[line.index(after: open)...].dropLast(3)) != nil
        }
    }

    static func document(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The document without its tasks' `statistics`: CPU and memory read from the cgroups at each request, so no two
    /// readings agree (`timestamp` at least moves).
    static func withoutReadings(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { $0.key != "statistics" }.mapValues(withoutReadings)
        }
        if let array = value as? [Any] { return array.map(withoutReadings) }
        return value
    }

    /// Sorted keys, no spaces: two documents with the same content give the same text.
    static func canonical(_ value: Any) throws -> String {
        guard JSONSerialization.isValidJSONObject(value) else { return "not a JSON object or array: \(value)" }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }
}
