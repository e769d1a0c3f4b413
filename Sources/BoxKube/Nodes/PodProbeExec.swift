import BoxCore

#if canImport(Glibc)
    import Glibc
#endif

/// `exec` probes: the command runs on the agent's host as `/bin/sh -c <quoted argv>`, in a session of its own,
/// with the container's environment (the one its task was launched with). Success iff it exits 0 before the
/// timeout; at the timeout the whole process group gets SIGKILL. Pods with an image run the command on the host
/// too: clusterbox does not enter the image's filesystem for probes, so the command must exist on the host.
enum ExecProbe {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    private enum Ending: Sendable {
        /// 0, or the errno of `waitid`.
        case exited(Int32)
        case timedOut
    }

    static func run(
        _ line: String, environment: [String: String], directory: String, timeout: Duration
    ) async -> Result<Void, ProbeFailure> {
        var environment = environment
        if environment["PATH"]?.isEmpty ?? true { environment["PATH"] = defaultPath }
        let pid: Int32
        switch ShellProcess.spawn(command: line, directory: directory, environment: environment) {
        case .success(let spawned): pid = spawned
        case .failure(let failure): return .failure(ProbeFailure("cannot run the command: \(failure)"))
        }
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { .exited(await ShellProcess.waitUntilExited(pid)) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            var first = Ending.timedOut
            if let next = await group.next() { first = next }
            if case .exited = first {
                group.cancelAll()
                return first
            }
            killGroup(pid)
            // The waiter ends once the killed process has exited; its answer says whether it may be reaped.
            for await case .exited(let waitError) in group where waitError != 0 { return .exited(waitError) }
            return first
        }
        switch ending {
        case .exited(let waitError) where waitError != 0:
            return .failure(ProbeFailure("exit status unknown: waitid: \(String(cString: strerror(waitError)))"))
        case .exited:
            killGroup(pid)  // what the command left running in its group
            return verdict(reap(pid), line: line)
        case .timedOut:
            _ = reap(pid)
            return .failure(ProbeFailure("command \"\(line)\" timed out"))
        }
    }

    /// SIGKILL to the process group led by `pid`, only ever before `pid` is reaped (so neither can be reused).
    private static func killGroup(_ pid: Int32) {
        guard pid > 1 else { return }
        kill(-pid, SIGKILL)
    }

    /// Reaps `pid`, which has exited, so this does not block. The wait status, or nil when unreadable.
    private static func reap(_ pid: Int32) -> Int32? {
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, 0) == pid { return status }
            if errno != EINTR { return nil }
        }
    }

    /// Decodes a wait status (Swift does not import the `WIFEXITED` macros).
    private static func verdict(_ status: Int32?, line: String) -> Result<Void, ProbeFailure> {
        guard let status else { return .failure(ProbeFailure("exit status unknown")) }
        let signal = status & 0x7f
        if signal != 0 { return .failure(ProbeFailure("command \"\(line)\" terminated by signal \(signal)")) }
        let code = (status >> 8) & 0xff
        return code == 0 ? .success(()) : .failure(ProbeFailure("command \"\(line)\" exited with \(code)"))
    }
}
