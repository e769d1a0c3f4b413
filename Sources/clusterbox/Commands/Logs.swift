import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox logs TASK [--follow]`: a task's output from its sandbox. A batch run id or job name works too.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a task's output (stdout, or stderr).")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "A task id, a batch run id (backup.3), or a batch job name (its last run).")
    var task: String

    @Flag(name: .shortAndLong, help: "Keep printing new output until the task ends.")
    var follow = false

    @Flag(name: .long, help: "Print stderr instead of stdout.")
    var stderr = false

    func run() throws {
        let (_, client) = try cluster.connect()
        let stream = stderr ? "stderr" : "stdout"
        let taskID = try resolve(client)
        var offset = 0
        while true {
            let response = try client.get("/clusterbox/v1/tasks/\(taskID)/logs?stream=\(stream)&offset=\(offset)")
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            let chunk = try response.decode(LogChunk.self)
            FileHandle.standardOutput.write(Data(chunk.data.utf8))
            offset = chunk.offset
            let ended = chunk.state.map { Self.terminal.contains($0) } ?? true
            if !follow || (ended && chunk.data.isEmpty) { return }
            if chunk.data.isEmpty { usleep(100_000) }
        }
    }

    /// A task id as it is; a batch run id (`backup.3`) or job name (its last run) as the run's task.
    private func resolve(_ client: HTTPClient) throws -> String {
        guard !task.hasPrefix("batch-") else { return task }
        if try client.get("/clusterbox/v1/tasks/\(task)/logs?offset=0").status == 200 { return task }
        if let run = try? client.json(RunView.self, "/batch/v1/runs/\(task)") { return run.task_id }
        if let job = try? client.json(JobView.self, "/batch/v1/jobs/\(task)"), let run = job.last_run {
            return run.task_id
        }
        return task
    }

    static let terminal: Set<String> = [
        "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
        "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
    ]
}
