#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A cgroup operation that failed, worded for a log line or a task's status message.
public enum CgroupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// /proc/self/mountinfo lists no cgroup file system.
    case noCgroupFilesystem
    /// A system call on a cgroup file failed: "write /sys/fs/cgroup/cpu/clusterbox/t1/cpu.cfs_quota_us: Invalid
    /// argument".
    case system(operation: String, path: String, errno: Int32)
    /// A subtree root or task name that is not one plain path component.
    case invalidName(String)
    /// A limit needs a controller that no hierarchy we can write offers.
    case controllerUnavailable(String)
    /// The task cgroup exists already, in this hierarchy directory (a leftover: call `removeLeftovers()` first).
    case alreadyExists(String)
    /// Processes were still in the cgroup when the kill loop ran out of rounds.
    case killTimedOut(path: String, remaining: [Int32])
    /// `rmdir` still answered EBUSY when the retries ran out.
    case removeTimedOut(path: String)

    public var description: String {
        switch self {
        case .noCgroupFilesystem: "no cgroup file system is mounted (/proc/self/mountinfo)"
        case .system(let operation, let path, let code): "\(operation) \(path): \(String(cString: strerror(code)))"
        case .invalidName(let name): "invalid cgroup name \"\(name)\": use one path component, not starting with ."
        case .controllerUnavailable(let name): "the \(name) controller is not available to clusterbox's cgroups"
        case .alreadyExists(let path): "\(path) exists already (left by an earlier run?)"
        case .killTimedOut(let path, let remaining): "processes \(remaining) were still in \(path) after the kill loop"
        case .removeTimedOut(let path): "rmdir \(path): still busy after retrying"
        }
    }

    /// The errno of a failed system call, if that is what this is.
    public var errno: Int32? {
        if case .system(_, _, let code) = self { return code }
        return nil
    }
}
