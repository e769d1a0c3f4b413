// Pure: works out the layout from the text of /proc/self/mountinfo and /proc/self/cgroup, so tests can feed the
// shapes of hosts we do not have (systemd hybrid with cpu,cpuacct co-mounted, unified v2, containers).

extension CgroupLayout {
    /// Parses the layout. Mode: cgroup2 at `cgroupRoot` is unified; a tmpfs there with cgroup2 at
    /// `<cgroupRoot>/unified` is hybrid; anything else is legacy. Each v1 `cgroup` mount is matched to the
    /// `/proc/self/cgroup` line whose controllers it carries; a mount whose root does not contain our cgroup (a
    /// bind mount of some other subtree) is skipped.
    public static func parse(
        mountinfo: String, procSelfCgroup: String, systemdIsInit: Bool, cgroupRoot: String = "/sys/fs/cgroup"
    ) throws(CgroupError) -> CgroupLayout {
        let mounts = mountinfo.split(separator: "\n").compactMap { MountEntry(line: $0) }
        let memberships = procSelfCgroup.split(separator: "\n").compactMap { Membership(line: $0) }
        // The last mount at a path is the one on top.
        let rootType = mounts.last { $0.mountPoint == cgroupRoot }?.fsType
        let v2Path = mounts.last { $0.fsType == "cgroup2" && $0.mountPoint == cgroupRoot + "/unified" }

        let mode: CgroupMode
        let unifiedMount: MountEntry?
        if rootType == "cgroup2" {
            mode = .unified
            unifiedMount = mounts.last { $0.mountPoint == cgroupRoot }
        } else if rootType == "tmpfs", let v2Path {
            mode = .hybrid
            unifiedMount = v2Path
        } else {
            mode = .legacy
            unifiedMount = nil
        }

        let unified = unifiedMount.flatMap { mount in
            memberships.first { $0.controllers.isEmpty }.flatMap { hierarchy(mount, $0, version: .v2) }
        }
        var v1: [CgroupHierarchy] = []
        var claimed: Set<Int> = []  // hierarchy ids already matched: a hierarchy mounted twice counts once
        if mode != .unified {
            for mount in mounts where mount.fsType == "cgroup" {
                let options = Set(mount.superOptions)
                guard
                    let membership = memberships.first(where: {
                        !$0.controllers.isEmpty && !claimed.contains($0.id) && options.isSuperset(of: $0.controllers)
                    }),
                    let found = hierarchy(mount, membership, version: .v1)
                else { continue }
                claimed.insert(membership.id)
                v1.append(found)
            }
        }
        guard unified != nil || !v1.isEmpty else { throw .noCgroupFilesystem }
        return CgroupLayout(mode: mode, hierarchies: v1, unified: unified, systemdIsInit: systemdIsInit)
    }

    private static func hierarchy(_ mount: MountEntry, _ membership: Membership, version: CgroupVersion)
        -> CgroupHierarchy?
    {
        guard let relative = relativePath(membership.path, under: mount.root) else { return nil }
        return CgroupHierarchy(
            version: version, controllers: membership.controllers, mountPoint: mount.mountPoint,
            ownPath: membership.path, ownDirectory: relative == "/" ? mount.mountPoint : mount.mountPoint + relative)
    }

    /// `/a/b` under root `/a` is `/b`; under `/` it is itself; under `/c` it is not visible (nil).
    static func relativePath(_ path: String, under root: String) -> String? {
        if root == "/" { return path }
        if path == root { return "/" }
        guard path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count))
    }
}

// MARK: - Lines

/// One line of /proc/self/cgroup: `4:memory:/process_api/b7ed…`, `1:cpu,cpuacct:/`, `0::/` (v2).
struct Membership: Hashable {
    var id: Int
    var controllers: [String]
    var path: String

    init?(line: Substring) {
        let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let id = Int(parts[0]) else { return nil }
        self.id = id
        controllers = parts[1].split(separator: ",").map(String.init)
        path = String(parts[2])
    }
}
