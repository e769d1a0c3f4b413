import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox run [--cpus X] [--mem MiB] [--agent ID] -- CMD…`: submits a one-off command to the batch framework,
/// waits for an offer that fits, streams the task's output and exits with its exit code.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command on an agent through the batch framework and stream its output.",
        discussion: """
            One argument is passed to /bin/sh -c as it is (run -- 'echo $HOST; ls'); several are quoted and joined \
            (run -- echo hello). The exit code is the task's.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "CPUs for the task.")
    var cpus = 0.1

    @Option(name: .long, help: "Memory for the task, in MiB.")
    var mem = 32.0

    @Option(name: .long, help: "Run on this agent (id or hostname).")
    var agent: String?

    @Argument(parsing: .postTerminator, help: "The command.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty {
            throw ValidationError("give the command after --, for example: clusterbox run -- echo hello")
        }
    }

    func run() throws {
        let (_, client) = try cluster.connect()
        var body: [String: Any] = ["cmd": Self.shellCommand(command), "cpus": cpus, "mem": mem]
        if let agent { body["agent"] = agent }
        let submitted = try client.request(
            "POST", "/batch/v1/jobs", json: try JSONSerialization.data(withJSONObject: body))
        guard submitted.status == 201 else { throw CLIError(submitted.errorMessage) }
        var job = try submitted.decode(JobView.self)
        JobInterrupt.install(client: client, jobID: job.id)

        // Wait for an offer that fits.
        var waitingSaid = false
        while job.state == "queued" {
            job = try client.json(JobView.self, "/batch/v1/jobs/\(job.id)?wait=queued&timeout=2")
            if job.state == "queued" && !waitingSaid {
                FileHandle.standardError.write(
                    Data("clusterbox: waiting for an offer that fits cpus:\(format(cpus)) mem:\(Int(mem))…\n".utf8))
                waitingSaid = true
            }
        }
        // Stream output until the task ended and everything it wrote is shown.
        var offsets = ["stdout": 0, "stderr": 0]
        while true {
            if !job.isDone {
                job = try client.json(JobView.self, "/batch/v1/jobs/\(job.id)?wait=\(job.state)&timeout=0.2")
            }
            var wrote = false
            for stream in ["stdout", "stderr"] {
                guard
                    let chunk = try? client.json(
                        LogChunk.self,
                        "/clusterbox/v1/tasks/\(job.task_id)/logs?stream=\(stream)&offset=\(offsets[stream]!)"),
                    !chunk.data.isEmpty
                else { continue }
                (stream == "stdout" ? FileHandle.standardOutput : FileHandle.standardError).write(Data(chunk.data.utf8))
                offsets[stream] = chunk.offset
                wrote = true
            }
            if job.isDone && !wrote { break }
        }
        switch job.state {
        case "finished":
            return
        case "failed" where job.exit_code != nil:
            throw ExitCode(job.exit_code!)
        default:
            FileHandle.standardError.write(Data("clusterbox: task \(job.state): \(job.message ?? "no message")\n".utf8))
            throw ExitCode(job.state == "killed" ? 130 : 1)
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

/// Ctrl-C while `run` waits kills the job rather than leaving it behind.
enum JobInterrupt {
    nonisolated(unsafe) static var source: (any DispatchSourceSignal)?  // set once on the main thread, then only read

    static func install(client: HTTPClient, jobID: String) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            _ = try? client.request("DELETE", "/batch/v1/jobs/\(jobID)")
            FileHandle.standardError.write(Data("\nclusterbox: killed job \(jobID)\n".utf8))
            exit(130)
        }
        source.resume()
        Self.source = source
    }
}
