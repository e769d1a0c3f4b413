import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox run [--cpus X] [--mem MiB] [--agent ID] [--image REF] [-- CMD…]`: creates a one-off job of the batch
/// framework, waits for an offer that fits, streams the task's output and exits with its exit code.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command on an agent through the batch framework and stream its output.",
        discussion: """
            One argument is passed to /bin/sh -c as it is (run -- 'echo $HOST; ls'); several are quoted and joined \
            (run -- echo hello). The exit code is the task's. With --image the command runs in that image (from \
            `clusterbox image ls`) under the image's /bin/sh -c; with --image and no command, the image's own \
            entrypoint and cmd run.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "CPUs for the task.")
    var cpus = 0.1

    @Option(name: .long, help: "Memory for the task, in MiB.")
    var mem = 32.0

    @Option(name: .long, help: "Run on this agent (id or hostname).")
    var agent: String?

    @Option(name: .long, help: "Run in this image (`clusterbox image ls`); without a command, its entrypoint and cmd.")
    var image: String?

    @Argument(parsing: .postTerminator, help: "The command.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty && image == nil {
            throw ValidationError(
                "give the command after --, for example: clusterbox run -- echo hello (or an image: --image busybox)")
        }
    }

    func run() throws {
        let (_, client) = try cluster.connect()
        var body: [String: Any] = ["cmd": command.isEmpty ? "" : Self.shellCommand(command), "cpus": cpus, "mem": mem]
        if let agent { body["agent"] = agent }
        if let image { body["image"] = image }
        let created = try client.request(
            "POST", "/batch/v1/jobs", json: try JSONSerialization.data(withJSONObject: body))
        guard created.status == 201 else { throw CLIError(created.errorMessage) }
        guard let run = try created.decode(JobView.self).last_run else { throw CLIError("the job did not start") }
        try Self.follow(run, client: client, waiting: "cpus:\(format(cpus)) mem:\(Int(mem))")
    }

    /// Waits for the run to start, streams its output until it ended and everything it wrote is shown, and
    /// exits as it did.
    static func follow(_ run: RunView, client: HTTPClient, waiting shape: String) throws {
        var run = run
        JobInterrupt.install(client: client, runID: run.id)
        var waitingSaid = false
        while run.state == "queued" {
            run = try client.json(RunView.self, "/batch/v1/runs/\(run.id)?wait=queued&timeout=2")
            if run.state == "queued" && !waitingSaid {
                FileHandle.standardError.write(Data("clusterbox: waiting for an offer that fits \(shape)…\n".utf8))
                waitingSaid = true
            }
        }
        var offsets = ["stdout": 0, "stderr": 0]
        while true {
            if !run.isDone {
                run = try client.json(RunView.self, "/batch/v1/runs/\(run.id)?wait=\(run.state)&timeout=0.2")
            }
            var wrote = false
            for stream in ["stdout", "stderr"] {
                guard
                    let chunk = try? client.json(
                        LogChunk.self,
                        "/clusterbox/v1/tasks/\(run.task_id)/logs?stream=\(stream)&offset=\(offsets[stream]!)"),
                    !chunk.data.isEmpty
                else { continue }
                (stream == "stdout" ? FileHandle.standardOutput : FileHandle.standardError).write(Data(chunk.data.utf8))
                offsets[stream] = chunk.offset
                wrote = true
            }
            if run.isDone && !wrote { break }
        }
        switch run.state {
        case "finished":
            return
        case "failed" where run.exit_code != nil:
            if let reason = run.reason, reason != "REASON_COMMAND_EXECUTOR_FAILED" {
                FileHandle.standardError.write(Data("clusterbox: task failed: \(run.message ?? "") (\(reason))\n".utf8))
            }
            throw ExitCode(run.exit_code!)
        default:
            FileHandle.standardError.write(Data("clusterbox: task \(run.state): \(run.message ?? "no message")\n".utf8))
            throw ExitCode(run.state == "killed" ? 130 : 1)
        }
    }

    /// One argument is a shell command already; several are words to quote.
    static func shellCommand(_ words: [String]) -> String {
        if words.count == 1 { return words[0] }
        return words.map { word in
            let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// Ctrl-C while `run` waits kills the run rather than leaving it behind.
enum JobInterrupt {
    nonisolated(unsafe) static var source: (any DispatchSourceSignal)?  // set once on the main thread, then only read

    static func install(client: HTTPClient, runID: String) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            _ = try? client.request("DELETE", "/batch/v1/runs/\(runID)")
            FileHandle.standardError.write(Data("\nclusterbox: killed run \(runID)\n".utf8))
            exit(130)
        }
        source.resume()
        Self.source = source
    }
}
