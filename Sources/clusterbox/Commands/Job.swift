import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox job create|list|run|delete|history`: the batch framework's jobs, Chronos-style.
struct Job: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, run and delete batch jobs (one-off, scheduled or dependent), and show their runs.",
        subcommands: [Create.self, List.self, RunNow.self, Delete.self, History.self], defaultSubcommand: List.self)

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a job.",
            discussion: """
                --schedule takes an ISO 8601 repeating interval (R/2026-01-01T03:00:00Z/P1D: daily from that time; \
                R5//PT1M: five times, a minute apart, from now) or a cron expression ('*/5 * * * *'), in UTC. \
                With --parent the job runs each time all its parents have succeeded. With neither it runs once, now.
                """)

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The job's name: lower-case letters, digits, '-' and '_'.")
        var name: String

        @Option(name: .long, help: "ISO 8601 repeating interval or cron expression (UTC).")
        var schedule: String?

        @Option(name: .long, help: "A job that must succeed first (repeat for several).")
        var parent: [String] = []

        @Option(name: .long, help: "Further attempts after a failed run.")
        var retries = 0

        @Option(name: .long, help: "Seconds before the first retry; doubles for each further one.")
        var backoff = 10.0

        @Option(name: .long, help: "CPUs for each run.")
        var cpus = 0.1

        @Option(name: .long, help: "Memory for each run, in MiB.")
        var mem = 32.0

        @Option(name: .long, help: "Run only on this agent (id or hostname).")
        var agent: String?

        @Option(name: .long, help: "Run in this image; without a command, its entrypoint and cmd.")
        var image: String?

        @Argument(parsing: .postTerminator, help: "The command.")
        var command: [String] = []

        func validate() throws {
            if command.isEmpty && image == nil {
                throw ValidationError("give the command after --, for example: -- echo hello (or --image REF)")
            }
        }

        func run() throws {
            let (_, client) = try cluster.connect()
            var body: [String: Any] = [
                "name": name, "cmd": command.isEmpty ? "" : Run.shellCommand(command), "cpus": cpus, "mem": mem,
                "retries": retries,
                "retry_backoff_seconds": backoff,
            ]
            if let schedule { body["schedule"] = schedule }
            if !parent.isEmpty { body["parents"] = parent }
            if let agent { body["agent"] = agent }
            if let image { body["image"] = image }
            let response = try client.request(
                "POST", "/batch/v1/jobs", json: try JSONSerialization.data(withJSONObject: body))
            guard response.status == 201 else { throw CLIError(response.errorMessage) }
            List.show([try response.decode(JobView.self)])
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs: schedule, next run, last run.")

        @OptionGroup var cluster: ClusterOptions

        @Flag(name: .long, help: "Print JSON: the document of GET /batch/v1/jobs.")
        var json = false

        func run() throws {
            let (_, client) = try cluster.connect()
            if json { return try Terminal.printJSON(body: client.body("/batch/v1/jobs")) }
            struct Jobs: Decodable { var jobs: [JobView] }
            Self.show(try client.json(Jobs.self, "/batch/v1/jobs").jobs)
        }

        static func show(_ jobs: [JobView]) {
            let now = Date().timeIntervalSince1970
            printTable(
                ["NAME", "SCHEDULE", "NEXT", "LAST RUN", "STATE", "OK", "FAILED"],
                jobs.map { job in
                    let when =
                        job.schedule ?? (job.parents.isEmpty ? "once" : "after " + job.parents.joined(separator: ","))
                    let next =
                        job.retry_at.map { "retry " + relative($0, now) } ?? job.next_run_at.map { relative($0, now) }
                    return [
                        job.name, when, next ?? "-", job.last_run?.id ?? "-", job.last_run.map(Self.outcome) ?? "-",
                        String(job.success_count), String(job.failure_count),
                    ]
                })
        }

        static func outcome(_ run: RunView) -> String {
            run.exit_code.map { "\(run.state) (exit \($0))" } ?? run.state
        }
    }

    struct RunNow: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run a job now, whatever its schedule; --follow streams its output.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The job.")
        var name: String

        @Flag(name: .shortAndLong, help: "Stream the run's output and exit with its exit code.")
        var follow = false

        func run() throws {
            let (_, client) = try cluster.connect()
            let response = try client.request("POST", "/batch/v1/jobs/\(name)/runs")
            guard response.status == 201 else { throw CLIError(response.errorMessage) }
            let run = try response.decode(RunView.self)
            guard follow else {
                print("started \(run.id)")
                return
            }
            try Run.follow(run, client: client, waiting: "job \(name)")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a job and its history, killing its runs.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The job.")
        var name: String

        func run() throws {
            let (_, client) = try cluster.connect()
            let response = try client.request("DELETE", "/batch/v1/jobs/\(name)")
            guard response.status == 204 else { throw CLIError(response.errorMessage) }
            print("deleted \(name)")
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A job's runs, newest first.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The job.")
        var name: String

        @Option(name: .long, help: "Show at most this many runs (in the table; --json prints them all).")
        var limit = 20

        @Flag(name: .long, help: "Print JSON: the document of GET /batch/v1/jobs/NAME/runs.")
        var json = false

        func run() throws {
            let (_, client) = try cluster.connect()
            if json { return try Terminal.printJSON(body: client.body("/batch/v1/jobs/\(name)/runs")) }
            struct Runs: Decodable { var runs: [RunView] }
            let runs = try client.json(Runs.self, "/batch/v1/jobs/\(name)/runs").runs
            let now = Date().timeIntervalSince1970
            printTable(
                ["RUN", "STATE", "EXIT", "ATTEMPT", "TRIGGER", "STARTED", "DURATION", "MESSAGE"],
                runs.prefix(limit).map { run in
                    [
                        run.id, run.state, run.exit_code.map(String.init) ?? "-", String(run.attempt), run.trigger,
                        (run.started_at ?? run.finished_at).map { relative($0, now) } ?? "-",
                        run.duration_seconds.map { String(format: "%.2fs", $0) } ?? "-", run.message ?? "",
                    ]
                })
        }
    }
}

/// "in 42s", "3m ago": a time next to now, as kubectl shows ages.
func relative(_ seconds: Double, _ now: Double) -> String {
    let delta = seconds - now
    let span = abs(delta)
    let text =
        span < 120
        ? "\(Int(span))s"
        : span < 7200
            ? "\(Int(span / 60))m"
            : span < 172_800
                ? "\(Int(span / 3600))h"
                : "\(Int(span / 86400))d"
    return delta >= 0 ? "in " + text : text + " ago"
}
