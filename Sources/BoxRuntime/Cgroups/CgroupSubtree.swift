public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// clusterbox's own part of every cgroup hierarchy it uses: `<mount point><own cgroup>/<root>`, for example
/// `/sys/fs/cgroup/cpu/clusterbox` and `/sys/fs/cgroup/memory/process_api/b7ed…/clusterbox` on a hybrid host.
/// Task cgroups are created inside it and nothing outside it is ever written (the v2 parent's
/// `cgroup.subtree_control` excepted, and only when it is not the hierarchy root: see `enableV2Controllers`).
///
/// Immutable after `detect`; its methods block briefly on cgroupfs, so call them off an event loop.
public final class CgroupSubtree: Sendable {
    public let layout: CgroupLayout
    /// The subtree's name under our own cgroup, one path component.
    public let root: String
    /// One directory per hierarchy used: the v1 ones for cpu, cpuacct, memory, pids, freezer, then the v2 one.
    let directories: [CgroupDirectory]
    let logger: Logger

    /// The subtree's directories, one per hierarchy used.
    public var paths: [String] { directories.map(\.path) }

    /// Reads the layout from /proc/self/mountinfo and /proc/self/cgroup, and creates `root` in every hierarchy
    /// used (an existing one is kept, with any leftovers in it: see `removeLeftovers()`).
    public static func detect(root: String = "clusterbox", logger: Logger) throws -> CgroupSubtree {
        try CgroupDirectory.validate(root)
        let layout = try CgroupLayout.parse(
            mountinfo: CgroupFS.readText("/proc/self/mountinfo"),
            procSelfCgroup: CgroupFS.readText("/proc/self/cgroup"),
            systemdIsInit: CgroupFS.isDirectory("/run/systemd/system"))
        return try CgroupSubtree(layout: layout, root: root, logger: logger)
    }

    init(layout: CgroupLayout, root: String, logger: Logger) throws {
        var layout = layout
        var directories: [CgroupDirectory] = []
        var created: [String] = []
        do {
            for hierarchy in layout.hierarchies {
                let used = hierarchy.controllers.filter { CgroupLayout.v1Controllers.contains($0) }
                guard !used.isEmpty else { continue }
                let path = hierarchy.ownDirectory + "/" + root
                if try CgroupFS.makeDirectory(path) { created.append(path) }
                directories.append(CgroupDirectory(path: path, version: .v1, controllers: used))
            }
            if let unified = layout.unified {
                let path = unified.ownDirectory + "/" + root
                if try CgroupFS.makeDirectory(path) { created.append(path) }
                let fromV1 = Set(directories.flatMap(\.controllers))
                let wanted = CgroupLayout.v2Controllers.filter { !fromV1.contains($0) }
                let enabled = Self.enableV2Controllers(wanted, parent: unified, subtree: path, logger: logger)
                layout.unified?.controllers = enabled
                directories.append(CgroupDirectory(path: path, version: .v2, controllers: enabled))
            }
        } catch {
            for path in created.reversed() { _ = CgroupFS.removeDirectory(path) }
            throw error
        }
        self.layout = layout
        self.root = root
        self.directories = directories
        self.logger = logger
        logger.info(
            "cgroups: \(layout.description)", metadata: ["cgroup.subtree": "\(directories.map(\.path))"])
    }

    // MARK: - Task cgroups

    /// Creates the task's directory in every hierarchy used and applies the limits. Fails, leaving nothing behind,
    /// if the name exists already or a limit cannot be applied.
    public func create(_ name: String, limits: CgroupLimits) throws -> TaskCgroup {
        try CgroupDirectory.validate(name)
        for controller in limits.controllers where !directories.contains(where: { $0.controllers.contains(controller) })
        {
            throw CgroupError.controllerUnavailable(controller)
        }
        var made: [CgroupDirectory] = []
        do {
            for directory in directories {
                let child = directory.child(name)
                guard try CgroupFS.makeDirectory(child.path) else { throw CgroupError.alreadyExists(child.path) }
                made.append(child)
            }
            let task = TaskCgroup(name: name, directories: made, logger: logger)
            try task.update(limits)
            logger.debug("cgroup created", metadata: ["cgroup.name": "\(name)", "cgroup.limits": "\(limits)"])
            return task
        } catch {
            try? TaskCgroup(name: name, directories: made, logger: logger).remove()
            throw error
        }
    }

    /// Task cgroups a previous run left in the subtree (after `kill -9` of the daemon): kills their processes and
    /// removes them. Returns how many were removed; failures are logged and the rest are still tried.
    public func removeLeftovers() -> Int {
        let names = Set(directories.flatMap { CgroupFS.subdirectories(of: $0.path) }).sorted()
        var removed = 0
        for name in names {
            let existing = directories.map { $0.child(name) }.filter { CgroupFS.isDirectory($0.path) }
            let task = TaskCgroup(name: name, directories: existing, logger: logger)
            do {
                try task.killAll()
                try task.remove()
                removed += 1
                logger.info("removed a leftover task cgroup", metadata: ["cgroup.name": "\(name)"])
            } catch {
                logger.warning("cannot remove a leftover task cgroup: \(error)", metadata: ["cgroup.name": "\(name)"])
            }
        }
        return removed
    }

    /// Removes the subtree's own directories, which must be empty (call `removeLeftovers()` first).
    public func remove() throws {
        var firstError: (any Error)?
        for directory in directories.reversed() {
            do { try CgroupFS.removeDirectory(directory.path, retryingFor: .milliseconds(500)) } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    // MARK: - v2 controllers

    /// Enables `wanted` for our tasks, where the parent offers them: `+x` in our own cgroup's subtree_control
    /// (never at the hierarchy root, which is the host's), then in the subtree's. Returns the controllers enabled
    /// for the subtree's children. A failure only limits what tasks get, so it is logged, not thrown: EBUSY means
    /// our own cgroup holds processes (the no-internal-process rule), and clusterbox should run in a delegated
    /// leaf.
    static func enableV2Controllers(
        _ wanted: [String], parent: CgroupHierarchy, subtree: String, logger: Logger
    ) -> [String] {
        let offered = words(CgroupFS.readIfPresent(parent.ownDirectory + "/cgroup.controllers"))
        for controller in wanted where offered.contains(controller) {
            let parentControl = parent.ownDirectory + "/cgroup.subtree_control"
            if !words(CgroupFS.readIfPresent(parentControl)).contains(controller) {
                guard parent.ownPath != "/" else {
                    logger.warning("cgroup v2: \(controller) is not enabled in \(parentControl); not writing the root")
                    continue
                }
                do { try CgroupFS.writeText("+" + controller, to: parentControl) } catch {
                    logger.warning("cgroup v2: cannot enable \(controller): \(error)")
                    continue
                }
            }
            do { try CgroupFS.writeText("+" + controller, to: subtree + "/cgroup.subtree_control") } catch {
                logger.warning("cgroup v2: cannot enable \(controller): \(error)")
            }
        }
        let enabled = words(CgroupFS.readIfPresent(subtree + "/cgroup.subtree_control"))
        return wanted.filter { enabled.contains($0) }
    }

    private static func words(_ text: String?) -> Set<String> {
        Set((text ?? "").split(whereSeparator: \.isWhitespace).map(String.init))
    }
}
