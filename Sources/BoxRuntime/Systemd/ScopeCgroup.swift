import BoxCore
public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A task's cgroup made by systemd: the transient scope `clusterbox-<task>.scope` with `Delegate=yes` and the
/// task's limits (runtime.md §3.2 way 2), started the way crun and podman do it so that the task is in its cgroup
/// before it execs. systemd needs a process to put in a scope, and the task does not exist yet, so a placeholder
/// (`sleep infinity`, a child of ours) goes in first; once the job is done, the placeholder's `/proc/<pid>/cgroup`
/// names the scope's directories, and `cgroup` opens their `cgroup.procs` for the launcher like any task cgroup.
/// After the launch, `releasePlaceholder()` kills and reaps it (systemd stops a scope that becomes empty, so it
/// must outlive the task's joining).
///
/// Blocking (D-Bus job waits, cgroupfs): call it off an event loop.
public final class ScopeCgroup: Sendable {
    public let unit: String
    /// The scope's directories, one per hierarchy systemd put it in that clusterbox uses: processes, kill, usage
    /// and OOM kills work as for a cgroupfs task cgroup.
    public let cgroup: TaskCgroup
    let driver: SystemdScopeDriver
    private let placeholder: Mutex<pid_t?>
    let logger: Logger

    private init(unit: String, cgroup: TaskCgroup, driver: SystemdScopeDriver, placeholder: pid_t, logger: Logger) {
        self.unit = unit
        self.cgroup = cgroup
        self.driver = driver
        self.placeholder = Mutex(placeholder)
        self.logger = logger
    }

    /// Starts the scope around a new placeholder and returns once systemd's job is done. On failure nothing is
    /// left: no placeholder, no scope.
    public static func start(
        task: String, limits: CgroupLimits, description: String, layout: CgroupLayout, driver: SystemdScopeDriver,
        logger: Logger
    ) throws -> ScopeCgroup {
        let pid: pid_t
        switch ShellProcess.spawn(command: "exec /bin/sleep infinity", directory: "/", environment: [:]) {
        case .success(let spawned): pid = spawned
        case .failure(let error): throw error
        }
        let unit: String
        do {
            unit = try driver.startScope(task: task, pids: [pid], limits: limits, description: description)
        } catch {
            reap(pid)
            throw error
        }
        let membership = CgroupFS.readIfPresent("/proc/\(pid)/cgroup") ?? ""
        let directories = Self.directories(procCgroup: membership, layout: layout, unit: unit)
        guard !directories.isEmpty else {
            reap(pid)
            try? driver.stopScope(unit)
            throw SystemdError(
                operation: "scope \(unit)", message: "the placeholder is in no cgroup of the scope: \(membership)",
                code: ENOENT)
        }
        let cgroup = TaskCgroup(name: unit, directories: directories, logger: logger)
        logger.debug("systemd scope ready", metadata: ["unit": "\(unit)", "cgroup.paths": "\(cgroup.paths)"])
        return ScopeCgroup(unit: unit, cgroup: cgroup, driver: driver, placeholder: pid, logger: logger)
    }

    /// Kills and reaps the placeholder; call it once the task is in the scope. Idempotent.
    public func releasePlaceholder() {
        if let pid = placeholder.withLock({ pid in
            defer { pid = nil }
            return pid
        }) {
            Self.reap(pid)
        }
    }

    /// Ends the task's scope: the placeholder and every process in the scope are killed, systemd stops the unit
    /// (`StopUnit`, `ResetFailedUnit`), and directories it left are removed. Tries every step, then throws the
    /// first failure.
    public func stop() throws {
        releasePlaceholder()
        var firstError: (any Error)?
        do { try cgroup.killAll() } catch { firstError = error }
        do { try driver.stopScope(unit) } catch { firstError = firstError ?? error }
        do { try cgroup.remove() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
        logger.debug("systemd scope stopped", metadata: ["unit": "\(unit)"])
    }

    // MARK: - Helpers

    /// Pure: the scope's directories from a `/proc/<pid>/cgroup` text, for each hierarchy of `layout` with a
    /// controller clusterbox uses (and the v2 tree), where the process's cgroup is the scope (ends in `/<unit>`).
    /// A hierarchy systemd did not put the scope in (v1 freezer, say) is left out: the task stays in the
    /// daemon's cgroup there, as with systemd's own units. v2 controllers are the scope's `cgroup.controllers`.
    static func directories(procCgroup: String, layout: CgroupLayout, unit: String) -> [CgroupDirectory] {
        var v1: [(controllers: Set<String>, path: String)] = []
        var v2Path: String?
        for line in procCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasSuffix("/" + unit) else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                v2Path = String(fields[2])
            } else {
                v1.append((Set(fields[1].split(separator: ",").map(String.init)), String(fields[2])))
            }
        }
        var directories: [CgroupDirectory] = []
        for hierarchy in layout.hierarchies {
            let used = hierarchy.controllers.filter { CgroupLayout.v1Controllers.contains($0) }
            guard !used.isEmpty, let entry = v1.first(where: { $0.controllers == Set(hierarchy.controllers) }),
                let path = directory(of: entry.path, in: hierarchy)
            else { continue }
            directories.append(CgroupDirectory(path: path, version: .v1, controllers: used))
        }
        if let unified = layout.unified, let v2Path, let path = directory(of: v2Path, in: unified) {
            let fromV1 = Set(directories.flatMap(\.controllers))
            let offered = (CgroupFS.readIfPresent(path + "/cgroup.controllers") ?? "").split(separator: " ").map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let controllers = CgroupLayout.v2Controllers.filter { offered.contains($0) && !fromV1.contains($0) }
            directories.append(CgroupDirectory(path: path, version: .v2, controllers: controllers))
        }
        return directories
    }

    /// The directory of cgroup `path` (as `/proc/<pid>/cgroup` names it) in `hierarchy`'s mount, whose root is
    /// what our own cgroup path has beyond our own directory; nil when the mount does not show it.
    static func directory(of path: String, in hierarchy: CgroupHierarchy) -> String? {
        let relativeOwn = String(hierarchy.ownDirectory.dropFirst(hierarchy.mountPoint.count))
        guard hierarchy.ownPath.hasSuffix(relativeOwn) else { return nil }
        var root = String(hierarchy.ownPath.dropLast(relativeOwn.count))
        if root.hasSuffix("/") { root.removeLast() }
        guard root.isEmpty || path.hasPrefix(root + "/") else { return nil }
        return hierarchy.mountPoint + path.dropFirst(root.count)
    }

    /// SIGKILL and `waitpid` the placeholder (ECHILD: someone reaped it already).
    static func reap(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
