import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox logs TASK [--follow]`: a task's output from its sandbox. A batch job id works too.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a task's output (stdout, or stderr).")

    @OptionGroup var cluster: ClusterOptions

    @Argument(help: "A task id, or the id of a job from clusterbox run.")
    var task: String

    @Flag(name: .shortAndLong, help: "Keep printing new output until the task ends.")
    var follow = false

    @Flag(name: .long, help: "Print stderr instead of stdout.")
    var stderr = false

    func run() throws {
        let (_, client) = try cluster.connect()
        let stream = stderr ? "stderr" : "stdout"
        var taskID = task
        var offset = 0
        var first = true
        while true {
            let response = try client.get("/clusterbox/v1/tasks/\(taskID)/logs?stream=\(stream)&offset=\(offset)")
            if response.status == 404, first, !taskID.hasPrefix("batch-") {
                taskID = "batch-" + task  // maybe a job id
                first = false
                continue
            }
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            first = false
            let chunk = try response.decode(LogChunk.self)
            FileHandle.standardOutput.write(Data(chunk.data.utf8))
            offset = chunk.offset
            let ended = chunk.state.map { Self.terminal.contains($0) } ?? true
            if !follow || (ended && chunk.data.isEmpty) { return }
            if chunk.data.isEmpty { usleep(100_000) }
        }
    }

    static let terminal: Set<String> = [
        "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE",
        "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN",
    ]
}
