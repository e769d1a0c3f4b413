internal import CBoxRuntime

#if canImport(Glibc)
    public import Glibc  // pid_t and the signal numbers in the public API
#endif

extension ContainerLauncher {
    /// How `stop` ended.
    public enum StopOutcome: Sendable, Hashable {
        /// The task exited within the grace period.
        case exited
        /// The grace period ran out and the task was sent SIGKILL.
        case killed
        /// There was no such process (already reaped).
        case notRunning
    }

    /// Sends `signal` to a task, waits up to `grace` for it to exit, then sends SIGKILL. Signals go through a pidfd,
    /// so they never reach a recycled pid. Does not reap: the parent still collects the status with `waitpid`.
    /// Blocks for up to `grace`: call it off an event loop.
    ///
    /// Why the grace matters here more than for a plain process: the task is PID 1 of its pid namespace, and the
    /// kernel delivers to a namespace's init only the signals it has a handler for (SIGKILL and SIGSTOP from an
    /// ancestor namespace excepted). A busybox shell or `sleep` as PID 1 ignores SIGTERM, so only the SIGKILL after
    /// the grace ends it. When PID 1 dies, the kernel kills everything else in the namespace.
    public static func stop(_ pid: Glibc.pid_t, signal: Int32 = Glibc.SIGTERM, grace: Duration) throws(LaunchFailure)
        -> StopOutcome
    {
        let (seconds, attoseconds) = grace.components
        let graceMilliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let result = cbox_signal_then_kill(pid, signal, graceMilliseconds)
        switch result {
        case 0: return .exited
        case 1: return .killed
        case -ESRCH: return .notRunning
        default: throw LaunchFailure(step: "stop pid \(pid)", errno: -result)
        }
    }
}
