import ArgumentParser
import BoxAgent
import BoxServer
import Foundation
import Logging

/// `clusterbox down`: stops the daemon, which kills every task first; then makes sure no task outlived it.
struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the cluster and every task it started.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds to wait for a graceful stop before SIGKILL.")
    var timeout = 20.0

    func run() throws {
        let directory = cluster.directory
        guard let info = ClusterInfo.read(from: directory), processExists(info.pid), isClusterbox(info.pid) else {
            let leftovers = Self.stopLeftovers(directory)
            try? FileManager.default.removeItem(atPath: directory + "/" + ClusterInfo.fileName)
            print(
                "no cluster is running (data directory \(directory))"
                    + (leftovers > 0 ? "; killed \(leftovers) leftover tasks" : ""))
            return
        }
        print("Stopping clusterbox (pid \(info.pid))…")
        kill(info.pid, SIGTERM)
        let started = Date()
        while processExists(info.pid), Date().timeIntervalSince(started) < timeout { usleep(50_000) }
        if processExists(info.pid) {
            print("It did not stop within \(Int(timeout)) s: sending SIGKILL")
            kill(info.pid, SIGKILL)
            while processExists(info.pid), Date().timeIntervalSince(started) < timeout + 5 { usleep(50_000) }
        }
        // A daemon that had to be killed stopped none of its tasks; one that is somehow still there keeps its own.
        let leftovers = processExists(info.pid) ? 0 : Self.stopLeftovers(directory)
        try? FileManager.default.removeItem(atPath: directory + "/" + ClusterInfo.fileName)
        print("clusterbox stopped" + (leftovers > 0 ? " (killed \(leftovers) tasks it left behind)" : "") + ".")
    }

    /// Stops the tasks a dead daemon of `directory` left: process tasks by the pids their sandboxes record,
    /// container tasks by their cgroups (a container's init is not a process group leader, and its processes are
    /// all in the task's cgroup). Answers how many.
    private static func stopLeftovers(_ directory: String) -> Int {
        var logger = Logger(label: "clusterbox.down")
        logger.logLevel = .warning
        return ProcessExecutor.killLeftovers(sandboxRoot: directory + "/sandboxes")
            + Cluster.removeLeftoverContainers(dataDirectory: directory, logger: logger)
    }

    /// Guards against a recycled pid: the process must be a clusterbox daemon.
    private func isClusterbox(_ pid: Int32) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains("--foreground") && (arguments.first?.hasSuffix("clusterbox") ?? false)
    }
}
