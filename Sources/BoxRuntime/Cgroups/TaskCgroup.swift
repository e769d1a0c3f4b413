import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One task's cgroup: a directory named after the task in every hierarchy the subtree uses (cpu, cpuacct, memory,
/// pids, freezer on v1; the v2 leaf on hybrid and unified hosts). Immutable; the kernel holds the state. Its
/// methods block briefly on cgroupfs (`killAll` and `remove` for up to a few seconds), so call them off an event
/// loop.
public final class TaskCgroup: Sendable {
    public let name: String
    let directories: [CgroupDirectory]
    let logger: Logger
    /// The OOM-kill counter when we took the cgroup over, so that `oomKilled()` sees a rise.
    let oomKillsAtStart: Int

    init(name: String, directories: [CgroupDirectory], logger: Logger) {
        self.name = name
        self.directories = directories
        self.logger = logger
        self.oomKillsAtStart = Self.oomKills(in: directories) ?? 0
    }

    /// The task's directories, one per hierarchy.
    public var paths: [String] { directories.map(\.path) }

    // MARK: - Placement

    /// `cgroup.procs` of every directory, opened `O_WRONLY | O_CLOEXEC`. The launched child writes "0" into each
    /// as its first step, before exec, so nothing of the task runs outside its cgroups (runtime.md §2.3). With
    /// clone3(CLONE_INTO_CGROUP) the v2 one is redundant but harmless. The caller closes them.
    public func openProcsFDs() throws -> [Int32] {
        var fds: [Int32] = []
        do {
            for directory in directories {
                fds.append(try CgroupFS.openDescriptor(directory.path + "/cgroup.procs", flags: O_WRONLY))
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        return fds
    }

    /// A descriptor of the v2 directory for clone3(CLONE_INTO_CGROUP), or nil on a v1-only host (a v1 directory
    /// gives EBADF there). The caller closes it.
    public func openDirectoryFD() throws -> Int32? {
        guard let unified = unifiedDirectory else { return nil }
        return try CgroupFS.openDescriptor(unified.path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Moves an existing process (all its threads) into every directory. Its children forked earlier stay where
    /// they are: a launch should use `openProcsFDs()`; this is for tests and as a fallback.
    public func add(pid: Int32) throws {
        precondition(pid > 1 && pid != getpid(), "only a task's process can join its cgroup, not \(pid)")
        for directory in directories {
            try CgroupFS.writeText(String(pid), to: directory.path + "/cgroup.procs")
        }
    }

    /// The processes in the cgroup now, over all hierarchies, sorted.
    public func processes() -> [Int32] {
        let all = directories.flatMap { CgroupText.pids(CgroupFS.readIfPresent($0.path + "/cgroup.procs")) }
        return Set(all).sorted()
    }

    // MARK: - Limits

    /// Writes the limits into the directories of their controllers (a v1 hierarchy where one has the controller,
    /// else the v2 leaf); nil fields are left as they are.
    public func update(_ limits: CgroupLimits) throws {
        for controller in limits.controllers {
            guard let directory = directory(for: controller) else {
                throw CgroupError.controllerUnavailable(controller)
            }
            let current =
                directory.version == .v1 && controller == "memory"
                ? CgroupText.number(CgroupFS.readIfPresent(directory.path + "/memory.limit_in_bytes")) : nil
            for write in limits.writes(version: directory.version, currentMemoryBytes: current)
            where write.controller == controller {
                let path = directory.path + "/" + write.file
                if write.optional && !CgroupFS.exists(path) { continue }
                try CgroupFS.writeText(write.value, to: path)
            }
        }
    }

    // MARK: - Helpers

    func directory(for controller: String) -> CgroupDirectory? {
        directories.first { $0.controllers.contains(controller) }
    }

    var unifiedDirectory: CgroupDirectory? { directories.first { $0.version == .v2 } }
}
