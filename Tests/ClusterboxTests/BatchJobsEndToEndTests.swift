import BoxTestSupport
import Foundation
import Testing

/// `clusterbox job …` against a running daemon: scheduled, dependent and retried jobs run real processes, the
/// history shows how they ended, bad requests are refused with the reason, and jobs outlive a restart.
@Suite(.serialized) struct BatchJobsEndToEndTests {
    @Test func jobsFromTheCommandLine() async throws { try await onOwnThread { try Self.jobs() } }

    static func jobs() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "1"]).status == 0)

        // Every second, three times, from 15 s on (the child must exist before the first run ends, and a loaded
        // machine took over 4 s for the two commands); a child after each; a job that fails and is retried once.
        let firstRun = Date().addingTimeInterval(15)
        let start = ISO8601DateFormatter().string(from: firstRun)
        let ticker = try cli.run(["job", "create", "ticker", "--schedule", "R3/\(start)/PT1S", "--", "echo", "tick"])
        #expect(ticker.status == 0, "\(ticker.stderr)")
        #expect(ticker.stdout.contains("R3/"))
        #expect(try cli.run(["job", "create", "after", "--parent", "ticker", "--", "echo after"]).status == 0)
        try #require(Date() < firstRun, "creating two jobs took over 15 s: the ticker ran before its child existed")
        let flaky = try cli.run(["job", "create", "flaky", "--retries", "1", "--backoff", "1", "--", "exit 3"])
        #expect(flaky.status == 0, "\(flaky.stderr)")

        var history = ""
        let deadline = firstRun.addingTimeInterval(60)
        repeat {
            history = try cli.run(["job", "history", "after"]).stdout
            if history.components(separatedBy: "finished").count - 1 == 3 { break }
            usleep(100_000)
        } while Date() < deadline
        let tickerRuns = try cli.run(["job", "history", "ticker"]).stdout
        #expect(history.components(separatedBy: "finished").count - 1 == 3, "\(history)\n\(tickerRuns)")
        #expect(history.contains("parents"))
        let tickerHistory = try cli.run(["job", "history", "ticker"]).stdout
        #expect(tickerHistory.contains("ticker.3"), "\(tickerHistory)")
        #expect(!tickerHistory.contains("ticker.4"))
        #expect(try cli.run(["logs", "ticker.2"]).stdout == "tick\n")

        var flakyHistory = ""
        for _ in 0..<100 {
            flakyHistory = try cli.run(["job", "history", "flaky"]).stdout
            if flakyHistory.contains("flaky.2") && flakyHistory.components(separatedBy: "failed").count - 1 == 2 {
                break
            }
            usleep(100_000)
        }
        let lines = flakyHistory.split(separator: "\n")
        #expect(lines.count == 3, "\(flakyHistory)")
        #expect(lines.dropFirst().first?.contains("failed") == true)
        #expect(lines.dropFirst().first?.contains(" 3 ") == true, "exit code 3: \(flakyHistory)")
        #expect(flakyHistory.contains("retry"))

        // Run now, following the output; the exit code is the run's.
        let now = try cli.run(["job", "run", "--follow", "flaky"])
        #expect(now.status == 3)
        let list = try cli.run(["job", "list"]).stdout
        #expect(list.contains("ticker") && list.contains("after ticker") && list.contains("once"), "\(list)")

        // Refusals keep every job.
        let cases: [([String], String)] = [
            (["job", "create", "bad", "--schedule", "R/2026-13-01T00:00:00Z/PT1M", "--", "true"], "month 13"),
            (["job", "create", "bad", "--schedule", "61 * * * *", "--", "true"], "minute 61"),
            (["job", "create", "bad", "--parent", "nope", "--", "true"], "parents: no job nope"),
            (["job", "create", "Bad", "--", "true"], "lower-case letters"),
            (["job", "create", "ticker", "--", "true"], "job ticker already exists"),
            (["job", "delete", "ticker"], "job ticker is a parent of after"),
            (["job", "run", "nope"], "job nope not found"),
            (["job", "history", "nope"], "job nope not found"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }

        // Jobs and their history are in the store.
        #expect(try cli.run(["down"]).status == 0)
        #expect(try cli.up(["--agents", "1"]).status == 0)
        let restored = try cli.run(["job", "history", "after"]).stdout
        #expect(restored.components(separatedBy: "finished").count - 1 == 3, "\(restored)")
        #expect(try cli.run(["job", "delete", "after"]).status == 0)
        #expect(try cli.run(["job", "delete", "ticker"]).status == 0)
        #expect(!(try cli.run(["job", "list"]).stdout.contains("ticker")))
    }
}
