#if canImport(Glibc)
    import Glibc
#endif

/// A failed step of a launch (or of stopping a task), worded for a status message: "pivot_root: Invalid argument".
/// `step` names what failed (the child's setup steps are named after their system call or mount); `errno` is the
/// error number it returned.
public struct LaunchFailure: Error, Hashable, Sendable, CustomStringConvertible {
    public var step: String
    public var errno: Int32
    /// The child that failed before exec and was reaped, for logs; nil when no child was created.
    public var pid: Int32?

    public init(step: String, errno: Int32, pid: Int32? = nil) {
        self.step = step
        self.errno = errno
        self.pid = pid
    }

    public var description: String { "\(step): \(String(cString: strerror(errno)))" }
}
