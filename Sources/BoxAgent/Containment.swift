import BoxCore
public import BoxImages
public import BoxRuntime
import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// How the process executor confines tasks when it runs them as containers, as the Mesos containerizer runs a
/// command without an image: the host's filesystem with the sandbox as working directory, a private /proc and
/// /tmp, new pid, mount, uts and ipc namespaces, a cgroup of its own with the task's cpus, mem and a pids limit,
/// Docker's default capabilities (none left for the default user), no new privileges and the default seccomp
/// filter.
public struct Containment: Sendable {
    public let cgroups: CgroupSubtree
    /// Who should create task cgroups on this host, and why (runtime.md §3.1): cgroupfs, or systemd's manager where
    /// systemd is PID 1 and our cgroup is not delegated.
    public let cgroupDriver: CgroupDriverChoice
    /// Set: each task's cgroup is a transient systemd scope (`ScopeCgroup`) made through this driver; nil: a
    /// directory of `cgroups` made through cgroupfs. `detect` sets it when `cgroupDriver` says systemd.
    public var scopes: SystemdScopeDriver?
    public var seccomp: SeccompProfile = .default
    /// Tasks that name no user run as nobody (65534).
    public var defaultUser: ContainerSpec.User = .nobody
    /// A fork bomb stops here.
    public var pidsLimit = 1024
    /// Where image tasks find their images (`<data dir>/images`); nil runs no image tasks.
    public var images: ImageStore?
    /// The `/etc/resolv.conf` image tasks get: the cluster DNS and its search domains. nil gives them the host's
    /// (the cluster DNS is not on port 53, which resolv.conf cannot name).
    public var resolvConf: String?

    /// A task with this label set to `process` runs as a plain process group even on a container-capable agent
    /// (a Marathon app's labels are its tasks' labels).
    public static let executorLabel = "clusterbox.io/executor"

    public init(cgroups: CgroupSubtree, cgroupDriver: CgroupDriverChoice? = nil) {
        self.cgroups = cgroups
        self.cgroupDriver = cgroupDriver ?? CgroupDriverChoice.detect(layout: cgroups.layout)
    }

    /// Containment when this process may make namespaces and cgroups (root, a writable hierarchy); otherwise why
    /// not, for `clusterbox up` to say. `cluster` names the cgroup subtree (`clusterbox-<cluster>`), so that two
    /// clusters never touch each other's task cgroups.
    public static func detect(cluster: String, logger: Logger) -> Result<Containment, ContainmentUnavailable> {
        guard getuid() == 0 else {
            return .failure(ContainmentUnavailable(reason: "not root: namespaces and cgroups need root"))
        }
        var containment: Containment
        do {
            containment = Containment(cgroups: try CgroupSubtree.detect(root: "clusterbox-\(cluster)", logger: logger))
        } catch {
            return .failure(ContainmentUnavailable(reason: "no usable cgroup hierarchy: \(error)"))
        }
        if containment.cgroupDriver.driver == .systemd {
            do {
                containment.scopes = SystemdScopeDriver(
                    bus: try SystemdBus(.preferred), unified: containment.cgroups.layout.mode == .unified,
                    logger: logger)
            } catch {
                return .failure(ContainmentUnavailable(reason: "systemd cgroup driver: \(error)"))
            }
        }
        return .success(containment)
    }

    /// The cgroup limits for a task's resources.
    func limits(for resources: Resources) -> CgroupLimits {
        CgroupLimits(
            cpus: resources.cpus > 0 ? resources.cpus : nil,
            memoryBytes: resources.memoryMiB > 0 ? UInt64(resources.memoryMiB) << 20 : nil, pids: pidsLimit)
    }

    /// The task's user: a uid number or a name from the host's passwd (`CommandInfo.user`), else the default.
    func user(named name: String?) -> ContainerSpec.User? {
        guard let name, !name.isEmpty else { return defaultUser }
        if let uid = UInt32(name) { return ContainerSpec.User(uid: uid, gid: uid) }
        guard let entry = getpwnam(name) else { return nil }
        return ContainerSpec.User(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// A hostname from the task's name: a DNS label.
    static func hostname(for name: String) -> String {
        let label = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }.prefix(63))
        let trimmed = label.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return trimmed.isEmpty ? "task" : trimmed
    }
}

public struct ContainmentUnavailable: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
