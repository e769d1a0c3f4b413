import CSystemd

#if canImport(Glibc)
    import Glibc
#endif

/// Who creates the tasks' cgroups: clusterbox itself through cgroupfs (`CgroupSubtree`), or systemd's manager,
/// one transient scope per task (`SystemdScopeDriver`). runtime.md §3.1: cgroupfs unless systemd is PID 1 and the
/// cgroup we would write in is not ours, since systemd is the single writer of its tree outside delegated
/// subtrees.
public struct CgroupDriverChoice: Sendable, Hashable, CustomStringConvertible {
    public enum Driver: String, Sendable, Hashable {
        case cgroupfs
        case systemd
    }

    public var driver: Driver
    /// For `clusterbox up`: why this driver.
    public var reason: String

    public var description: String { "\(driver.rawValue) (\(reason))" }

    /// Pure: the choice from what `detect` found.
    /// - Parameters:
    ///   - systemdIsInit: systemd is PID 1 (`/run/systemd/system` exists and `/proc/1/comm` is systemd).
    ///   - delegated: systemd delegated our own cgroup to us (`Delegate=yes`: the `trusted.delegate` attribute).
    public static func choose(systemdIsInit: Bool, delegated: Bool, mode: CgroupMode) -> CgroupDriverChoice {
        guard systemdIsInit else {
            return CgroupDriverChoice(
                driver: .cgroupfs, reason: "systemd is not PID 1: the cgroup tree is ours to write")
        }
        if delegated {
            return CgroupDriverChoice(
                driver: .cgroupfs, reason: "systemd delegated our cgroup (Delegate=yes): task cgroups go inside it")
        }
        return CgroupDriverChoice(
            driver: .systemd,
            reason: "systemd is PID 1 and our cgroup is not delegated (\(mode.rawValue) host): "
                + "a transient scope per task over D-Bus")
    }

    /// Reads the host: PID 1, and the `trusted.delegate` extended attribute systemd (250 and later) sets on the
    /// cgroup of a unit with `Delegate=yes`, on our own v2 cgroup (or, on v1 and hybrid hosts, our
    /// `name=systemd` one).
    public static func detect(layout: CgroupLayout) -> CgroupDriverChoice {
        let initIsSystemd =
            layout.systemdIsInit && (CgroupFS.readIfPresent("/proc/1/comm")?.hasPrefix("systemd") ?? false)
        let own =
            layout.mode == .unified
            ? layout.unified?.ownDirectory
            : layout.hierarchies.first { $0.controllers.contains("name=systemd") }?.ownDirectory
                ?? layout.unified?.ownDirectory
        let delegated = own.map(hasDelegateAttribute) ?? false
        return choose(systemdIsInit: initIsSystemd, delegated: delegated, mode: layout.mode)
    }

    /// `trusted.delegate` = "1" on the directory.
    static func hasDelegateAttribute(_ directory: String) -> Bool {
        var value = [UInt8](repeating: 0, count: 8)
        let count = getxattr(directory, "trusted.delegate", &value, value.count)
        return count > 0 && value[0] == UInt8(ascii: "1")
    }
}
