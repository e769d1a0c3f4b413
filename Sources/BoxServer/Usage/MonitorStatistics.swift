import BoxCore
import BoxMaster

/// One entry of `GET /monitor/statistics`, the Mesos agent endpoint, for every agent of the cluster at once
/// (agents answer on the master's port): the command executor's naming (executor id = source = task id), the
/// task's `ResourceStatistics`, plus the agent it runs on.
struct MonitorStatistics: Codable, Sendable {
    var executor_id: String
    var executor_name: String
    var framework_id: String
    var source: String
    var agent_id: String
    var statistics: ResourceStatistics

    /// Entries for every measured task, named as Mesos' command executor names its tasks.
    static func entries(_ usage: ClusterUsage, core: MasterCore) -> [MonitorStatistics] {
        usage.entries.map { entry in
            let task = entry.usage
            let command = core.tasks[TaskRef(task.frameworkID, task.taskID)]?.info.command?.value ?? ""
            let shown = command.count > 20 ? String(command.prefix(20)) + "..." : command
            return MonitorStatistics(
                executor_id: task.taskID.value,
                executor_name: "Command Executor (Task: \(task.taskID.value)) (Command: sh -c '\(shown)')",
                framework_id: task.frameworkID.value, source: task.taskID.value, agent_id: entry.agentID.value,
                statistics: task.statistics)
        }
    }
}
