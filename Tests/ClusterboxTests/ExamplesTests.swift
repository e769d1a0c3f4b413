import BoxTestSupport
import Foundation
import Testing

/// Each example's README walkthrough, run as written: every `$ ` command in order, in bash, from the example's
/// folder, against a cluster of the example's own; each command must exit 0 and show the lines the README shows
/// (`…` stands for any text). Two changes only, both documented in examples/README.md: `clusterbox up` is the
/// test's own cluster (its own data directory, ports, DNS address and virtual IP ranges, so examples run side by
/// side), and the default addresses in commands (`127.0.0.1:5050`, `:8080`, `:6443`) become that cluster's.
/// `clusterbox` on the PATH is the binary under test, `kubectl` and `python3` the ones in .venv.
/// A command that fails or does not show its lines yet (a run still going, a load balancer that has not seen the
/// new pods yet) is run again for up to a minute, as a reader would; a step that never passes ends the example.
@Suite(.serialized) struct ExamplesTests {
    /// Run here; discovery has a test of its own (DiscoveryEndToEndTests: its walkthrough needs dig on the DNS port
    /// and checks the load balancer's spread).
    static let examples = ["hello", "batch-pipeline", "marathon", "guestbook", "pymesos-framework"]

    @Test(.serialized, arguments: examples)
    func walkthroughRunsAsWritten(example: String) async throws {
        try await onOwnThread { try Self.run(example) }
    }

    /// The parser: commands in order, their shown lines, `…` lines dropped; prose and blocks without `$` ignored.
    @Test func parsesWalkthroughs() {
        let markdown = """
            Intro with `$ not a command`.

            ```
            $ clusterbox run -- echo hi
            hi
            …
            $ clusterbox job list
            NAME   SCHEDULE
            ```

            ```python
            print("no commands here")
            ```
            """
        let steps = Walkthrough(markdown: markdown).steps
        #expect(
            steps == [
                .init(command: "clusterbox run -- echo hi", expected: ["hi"], line: 4),
                .init(command: "clusterbox job list", expected: ["NAME   SCHEDULE"], line: 7),
            ])
    }

    /// Matching: whitespace runs are one space, `…` any text, the rest exact; a missing line is reported.
    @Test func matchesShownLines() {
        let output = "NAME      STATE\nextract   finished (exit 0)\nrun in 0.42 s\n"
        #expect(Walkthrough.missing(["NAME STATE", "extract … (exit 0)", "run in … s"], in: output).isEmpty)
        #expect(Walkthrough.missing(["extract failed"], in: output) == ["extract failed"])
        #expect(Walkthrough.missing(["…xtract"], in: output) == ["…xtract"], "a whole line, not a prefix")
        #expect(Walkthrough.missing(["run in …", "run in …"], in: output) == ["run in …"], "one line per shown line")
        #expect(Walkthrough.matches("a…b…c", "a1b2c"))
        #expect(!Walkthrough.matches("a…b…c", "a1c2b"))
        #expect(!Walkthrough.matches("abc…", "ab"))
        #expect(Walkthrough.matches("NAME … AGE", "NAME AGE") && Walkthrough.matches("NAME … AGE", "NAME READY AGE"))
    }

    // MARK: - Running one walkthrough

    static func run(_ example: String) throws {
        let folder = CLI.root + "/examples/" + example
        let markdown = try String(contentsOfFile: folder + "/README.md", encoding: .utf8)
        let steps = Walkthrough(markdown: markdown).steps
        #expect(steps.count >= 3, "examples/\(example)/README.md has \(steps.count) commands")
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up()  // three agents, as `clusterbox up`
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        let environment = try Self.environment(cli)
        for step in steps where !Self.skipped(step.command) {
            let command = Self.localized(step.command, cli)
            let deadline = Date().addingTimeInterval(60)
            var result: ChildProcess
            var missing: [String]
            repeat {
                result = try ChildProcess.run(
                    "/bin/bash", ["-c", "cd \(Self.quoted(folder)) && \(command)"], environment: environment,
                    timeoutSeconds: 120)
                missing = Walkthrough.missing(step.expected, in: result.stdout + "\n" + result.stderr)
                if result.status == 0 && missing.isEmpty { break }
                Thread.sleep(forTimeInterval: 0.5)
            } while Date() < deadline
            let where_ = "examples/\(example)/README.md:\(step.line) $ \(step.command)"
            #expect(result.status == 0, "\(where_) exited \(result.status):\n\(result.stdout)\(result.stderr)")
            #expect(
                missing.isEmpty,
                "\(where_) did not show:\n\(missing.joined(separator: "\n"))\n--- it printed:\n\(result.stdout)\(result.stderr)"
            )
            if result.status != 0 || !missing.isEmpty {
                print("examples/\(example): the cluster when \(where_) failed:\n\(Self.diagnostics(environment, cli))")
                return  // later steps build on this one
            }
        }
    }

    /// What a reader would look at when a step fails: frameworks and their tasks, services, pods, the latest events,
    /// the end of the daemon's log.
    static func diagnostics(_ environment: [String: String], _ cli: CLI) -> String {
        let commands = [
            "clusterbox frameworks", "clusterbox services", "kubectl get pods -o wide",
            "kubectl get events | tail -n 30",
            "tail -n 40 \(Self.quoted(cli.dataDirectory + "/clusterbox.log"))",
        ]
        return commands.map { command in
            let result = try? ChildProcess.run(
                "/bin/bash", ["-c", command], environment: environment, timeoutSeconds: 30)
            return "$ \(command)\n\(result.map { $0.stdout + $0.stderr } ?? "(did not run)")"
        }.joined(separator: "\n")
    }

    /// `clusterbox up` is the test's cluster; `cd examples/NAME` is where the commands run already.
    static func skipped(_ command: String) -> Bool {
        command.hasPrefix("clusterbox up") || command.hasPrefix("cd examples/")
    }

    /// The defaults' addresses become the test cluster's.
    static func localized(_ command: String, _ cli: CLI) -> String {
        var text = command
        for host in ["127.0.0.1", "localhost"] {
            text = text.replacingOccurrences(of: "\(host):5050", with: "127.0.0.1:\(cli.port)")
            text = text.replacingOccurrences(of: "\(host):8080", with: "127.0.0.1:\(cli.marathonPort)")
            text = text.replacingOccurrences(of: "\(host):6443", with: "127.0.0.1:\(cli.kubePort)")
        }
        return text
    }

    /// `clusterbox` → the binary under test (a symlink in a directory first on the PATH), `kubectl` and `python3`
    /// from .venv, the cluster's data directory and kubeconfig, and a HOME of the test's own (kubectl's cache).
    static func environment(_ cli: CLI) throws -> [String: String] {
        let bin = cli.dataDirectory + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: bin + "/clusterbox")
        try FileManager.default.createSymbolicLink(atPath: bin + "/clusterbox", withDestinationPath: CLI.binary)
        let path = [bin, CLI.root + "/.venv/bin", "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        return [
            "PATH": path.joined(separator: ":"), "CLUSTERBOX_DATA_DIR": cli.dataDirectory,
            "KUBECONFIG": cli.kubeconfig, "HOME": cli.dataDirectory, "NO_COLOR": "1",
        ]
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
