public import BoxCore

extension KubeNodes {
    /// The files holding a container's output: `[stdout, stderr]` in its task's sandbox, of the current task or
    /// (`previous`) the one before. `container` nil means the pod's only (first) container. Nil when the pod, the
    /// container or the task is unknown, or its agent keeps no sandbox (simulated agents). The HTTP layer reads
    /// and streams the files (`follow`, `tailLines`).
    public func logFiles(namespace: String, pod: String, container: String?, previous: Bool) async -> [String]? {
        guard let run = runs["\(namespace)/\(pod)"] else { return nil }
        let chosen = container.flatMap { name in run.containers.first { $0.name == name } } ?? run.containers.first
        guard let chosen, container == nil || chosen.name == container else { return nil }
        guard let task = previous ? chosen.previousTaskID : chosen.taskID, let sandbox else { return nil }
        guard let directory = await sandbox(task) else { return nil }
        return [directory + "/stdout", directory + "/stderr"]
    }

    /// The task currently running a container (for `exec`-style tools and tests).
    public func taskID(namespace: String, pod: String, container: String) -> TaskID? {
        runs["\(namespace)/\(pod)"]?.containers.first { $0.name == container }?.taskID
    }

    /// Counts for `/metrics` and tests: agents seen, offers held, pods pending and running.
    public func counts() -> (agents: Int, offers: Int, pending: Int, running: Int) {
        (agents.values.filter { !$0.failed }.count, offers.count, pending.count, runs.count)
    }

    /// What KubeNodes knows of each pod it tracks, by `namespace/name`, for tests that compare it with the API:
    /// its uid, and for a run whether its bind was written and whether it is being deleted.
    func tracked() -> (runs: [String: (uid: String, bound: Bool, deleting: Bool)], pending: [String: String]) {
        (runs.mapValues { ($0.uid, $0.bound, $0.deleting) }, pending.mapValues(\.pod.uid))
    }
}
