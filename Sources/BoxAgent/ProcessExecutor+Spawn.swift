import BoxCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed launch step, worded for the task's status message: "posix_spawn: No such file or directory".
typealias LaunchError = ShellProcess.SpawnError

// MARK: - Environment

/// The environment a task sees, as Mesos' command executor sets it.
enum ProcessEnvironment {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// `PATH`, `HOME`, `HOST`, `PORT0…PORTn`/`PORT`/`PORTS` from the task's ports (lowest first), the
    /// `MESOS_*` variables, then the command's own environment on top.
    static func make(
        task: TaskInfo, frameworkID: FrameworkID, agentID: AgentID, sandbox: String, hostname: String,
        agentPath: String?
    ) -> [String: String] {
        var environment: [String: String] = [
            "PATH": agentPath.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath,
            "HOME": sandbox,
            "HOST": hostname,
            "MESOS_TASK_ID": task.taskID.value,
            "MESOS_SANDBOX": sandbox,
            "MESOS_DIRECTORY": sandbox,
            "MESOS_AGENT_ID": agentID.value,
            "MESOS_FRAMEWORK_ID": frameworkID.value,
        ]
        let ports = task.resources.ports.ports
        for (index, port) in ports.enumerated() { environment["PORT\(index)"] = String(port) }
        if let first = ports.first {
            environment["PORT"] = String(first)
            environment["PORTS"] = ports.map(String.init).joined(separator: ",")
        }
        environment.merge(task.command?.environment ?? [:]) { _, own in own }
        return environment
    }
}
