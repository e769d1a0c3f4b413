/// How the host mounts its cgroup hierarchies (runtime.md §2.1).
public enum CgroupMode: String, Sendable, Hashable {
    /// A cgroup2 file system at `/sys/fs/cgroup`: every controller lives in one tree.
    case unified
    /// v1 controllers in directories under a tmpfs at `/sys/fs/cgroup`, plus a v2 tree at `/sys/fs/cgroup/unified`
    /// that holds whatever controllers v1 did not claim (often none).
    case hybrid
    /// v1 hierarchies only.
    case legacy
}

/// The cgroup version of one hierarchy.
public enum CgroupVersion: Sendable, Hashable {
    case v1
    case v2
}

/// One mounted cgroup hierarchy, and where this process sits in it.
public struct CgroupHierarchy: Sendable, Hashable {
    public var version: CgroupVersion
    /// v1: the controllers bound to this hierarchy (`["cpu", "cpuacct"]`, `["name=systemd"]`), from the mount's
    /// super options. v2: left empty by parsing; `CgroupSubtree` reads `cgroup.controllers`.
    public var controllers: [String]
    /// Where the hierarchy is mounted (`/sys/fs/cgroup/memory`).
    public var mountPoint: String
    /// This process's cgroup, as `/proc/self/cgroup` names it (`/process_api/b7ed…`).
    public var ownPath: String
    /// The directory of this process's cgroup: the mount point plus the own path relative to the mount's root.
    public var ownDirectory: String

    public init(
        version: CgroupVersion, controllers: [String], mountPoint: String, ownPath: String, ownDirectory: String
    ) {
        self.version = version
        self.controllers = controllers
        self.mountPoint = mountPoint
        self.ownPath = ownPath
        self.ownDirectory = ownDirectory
    }
}

/// The host's cgroup layout: the mode, every v1 hierarchy, the v2 tree, and whether systemd is the init.
public struct CgroupLayout: Sendable, Hashable {
    public var mode: CgroupMode
    /// v1 hierarchies in mount order (empty on `.unified`), including ones clusterbox does not use.
    public var hierarchies: [CgroupHierarchy]
    /// The v2 tree: the whole host on `.unified`, `/sys/fs/cgroup/unified` on `.hybrid`, nil on `.legacy`.
    public var unified: CgroupHierarchy?
    /// `/run/systemd/system` exists: systemd owns the tree, and only a delegated subtree may be written.
    public var systemdIsInit: Bool

    /// The v1 controllers clusterbox drives, in the order it lists them.
    public static let v1Controllers = ["cpu", "cpuacct", "memory", "pids", "freezer"]
    /// The v2 controllers clusterbox enables for its tasks (cpu accounting and `cgroup.kill` need none).
    public static let v2Controllers = ["cpu", "memory", "pids"]

    public init(mode: CgroupMode, hierarchies: [CgroupHierarchy], unified: CgroupHierarchy?, systemdIsInit: Bool) {
        self.mode = mode
        self.hierarchies = hierarchies
        self.unified = unified
        self.systemdIsInit = systemdIsInit
    }

    /// The v1 hierarchy a controller is bound to, if any.
    public func hierarchy(for controller: String) -> CgroupHierarchy? {
        hierarchies.first { $0.controllers.contains(controller) }
    }

    /// For `clusterbox up`: "cgroup v1 (hybrid): cpu, cpuacct, memory, pids, freezer; v2 for tracking and kill".
    public var description: String {
        var text: String
        switch mode {
        case .unified:
            let enabled = unified?.controllers.filter { Self.v2Controllers.contains($0) } ?? []
            text = "cgroup v2: " + (enabled.isEmpty ? "no controllers" : enabled.joined(separator: ", "))
        case .hybrid, .legacy:
            let found = Self.v1Controllers.filter { hierarchy(for: $0) != nil }
            let missing = Self.v1Controllers.filter { hierarchy(for: $0) == nil }
            text = "cgroup v1" + (mode == .hybrid ? " (hybrid): " : ": ") + found.joined(separator: ", ")
            if !missing.isEmpty { text += " (missing: \(missing.joined(separator: ", ")))" }
            if mode == .hybrid, unified != nil { text += "; v2 for tracking and kill" }
        }
        if systemdIsInit {
            text +=
                mode == .unified
                ? "; systemd is PID 1: clusterbox needs a delegated subtree (Delegate=yes) or the systemd cgroup"
                    + " driver (transient scopes over D-Bus, SystemdScopeDriver), which the executor does not use yet"
                : "; systemd is PID 1: clusterbox must run in a delegated subtree (Delegate=yes)"
        }
        return text
    }
}
