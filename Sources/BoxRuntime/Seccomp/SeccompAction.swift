/// What a seccomp filter does with a matching system call (libseccomp's `SCMP_ACT_*`).
public enum SeccompAction: Sendable, Hashable {
    case allow
    /// Fail the call with this error number (EPERM for refusals programs handle, ENOSYS for "fall back").
    case errno(Int32)
    /// Kill the calling thread only (`SCMP_ACT_KILL`).
    case killThread
    /// Kill the whole process; the right choice when a call means an attack.
    case killProcess
    /// Allow, and log the call (to audit a profile before enforcing it).
    case log
    /// Send SIGSYS.
    case trap
}
