import BoxCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// COMMAND checks: `/bin/sh -c <command>` in its own session (so its pid is its process group id), with the task's
/// environment and its sandbox as working directory, and stdin, stdout and stderr on /dev/null. Healthy iff it exits
/// 0 before the timeout. At the timeout (or when the caller is cancelled) the whole process group gets SIGKILL, and
/// so do processes the command left running in its group when it exits.
enum CommandProbe {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    private enum Ending: Sendable {
        /// 0, or the errno of `waitid`.
        case exited(Int32)
        case timedOut
        case cancelled
    }

    static func run(
        _ command: String, environment: [String: String], directory: String, timeoutSeconds: Double
    ) async -> ProbeResult {
        let pid: pid_t
        var environment = environment
        if environment["PATH"]?.isEmpty ?? true { environment["PATH"] = defaultPath }
        switch ShellProcess.spawn(command: command, directory: directory, environment: environment) {
        case .success(let spawned): pid = spawned
        case .failure(let failure): return .dead("cannot run the command: \(failure)")
        }
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { .exited(await ShellProcess.waitUntilExited(pid)) }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(timeoutSeconds))
                    return .timedOut
                } catch {
                    return .cancelled
                }
            }
            let first = await group.next()!
            if case .exited = first {
                group.cancelAll()
                return first
            }
            killGroup(pid)
            for await case .exited(let waitError) in group where waitError != 0 { return .exited(waitError) }
            return first
        }
        switch ending {
        case .exited(let waitError) where waitError != 0:
            // Someone else reaped the child: its status is lost, and its pid must not be touched again.
            return .dead("exit status unknown: waitid: \(String(cString: strerror(waitError)))")
        case .exited:
            // Background processes the command left behind go too; the unreaped leader still holds the group id.
            killGroup(pid)
            return verdict(reap(pid))
        case .timedOut:
            _ = reap(pid)
            return .dead("timed out after \(HealthProbe.secondsText(timeoutSeconds))")
        case .cancelled:
            _ = reap(pid)
            return .dead("cancelled")
        }
    }

    /// SIGKILL to the process group led by `pid`. Only called before `pid` is reaped, so the pid (and the group
    /// id) cannot have been reused.
    static func killGroup(_ pid: pid_t) {
        precondition(pid > 1, "refusing to signal process group \(pid)")
        kill(-pid, SIGKILL)
    }

    /// Reaps `pid`, which has exited, so this never blocks. Returns the wait status, or nil when unreadable.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, 0) == pid { return status }
            if errno != EINTR { return nil }
        }
    }

    /// Decodes a wait status (Swift does not import the `WIFEXITED`/`WTERMSIG` macros; stops are not waited for).
    static func verdict(_ status: Int32?) -> ProbeResult {
        guard let status else { return .dead("exit status unknown") }
        let signal = status & 0x7f
        if signal != 0 { return .dead("terminated by signal \(signal)") }
        let code = (status >> 8) & 0xff
        return code == 0 ? .alive : .dead("exit status \(code)")
    }
}
