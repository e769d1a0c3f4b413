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
        switch CommandSpawner.spawn(command: command, directory: directory, environment: environment) {
        case .success(let spawned): pid = spawned
        case .failure(let failure): return .dead("cannot run the command: \(failure)")
        }
        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask { .exited(await waitUntilExited(pid)) }
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

    /// Suspends until `pid` has exited without reaping it (`WNOWAIT`), blocking a dedicated thread rather than a
    /// cooperative one. Returns 0, or the errno of `waitid` (ECHILD when someone else reaped the child).
    static func waitUntilExited(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                var info = siginfo_t()
                while true {
                    if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0 {
                        return continuation.resume(returning: 0)
                    }
                    let error = errno
                    if error != EINTR { return continuation.resume(returning: error) }
                }
            }
            thread.name = "clusterbox-health-\(pid)"
            thread.stackSize = 256 * 1024
            thread.start()
        }
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

// MARK: - Spawning

/// `posix_spawn` of `/bin/sh -c <command>` in a new session, as the agent's executor does (BoxMarathon does not
/// depend on BoxAgent, so this is a small copy without the sandbox log files).
enum CommandSpawner {
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    // Swift's Glibc module does not import the GNU extensions of <spawn.h> (they need _GNU_SOURCE), so they are
    // looked up by name. Addresses are kept as integers to stay Sendable.
    static let addChdirAddress = symbolAddress("posix_spawn_file_actions_addchdir_np")
    static let addCloseFromAddress = symbolAddress("posix_spawn_file_actions_addclosefrom_np")

    /// glibc's `POSIX_SPAWN_SETSID` (0x80), hidden by the same missing macro. Elsewhere a new process group
    /// (`POSIX_SPAWN_SETPGROUP`, pgroup 0) gives the same pgid = pid.
    #if os(Linux)
        static let newSessionFlag: Int32 = 0x80
    #else
        static let newSessionFlag = Int32(POSIX_SPAWN_SETPGROUP)
    #endif

    struct Failure: Error, CustomStringConvertible {
        var step: String
        var code: Int32
        var description: String { "\(step): \(String(cString: strerror(code)))" }
    }

    /// Starts the command and returns its pid, which is also its process group id. The signal mask and
    /// dispositions are reset (the server may ignore SIGPIPE); descriptors above 2 are closed where glibc can.
    /// A missing `PATH` gets the usual default.
    static func spawn(command: String, directory: String, environment: [String: String]) -> Result<pid_t, Failure> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        var fullSet = sigset_t()
        sigfillset(&fullSet)
        posix_spawnattr_setsigmask(&attributes, &emptySet)
        posix_spawnattr_setsigdefault(&attributes, &fullSet)
        let flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | newSessionFlag
        posix_spawnattr_setflags(&attributes, Int16(flags))

        for descriptor: Int32 in 0...2 {
            let mode = descriptor == 0 ? O_RDONLY : O_WRONLY
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", mode, 0)
        }
        if let addCloseFrom = function(addCloseFromAddress, as: AddCloseFrom.self) { _ = addCloseFrom(&actions, 3) }
        guard let addChdir = function(addChdirAddress, as: AddChdir.self) else {
            return .failure(Failure(step: "posix_spawn_file_actions_addchdir_np", code: ENOSYS))
        }
        let chdirResult = directory.withCString { addChdir(&actions, $0) }
        if chdirResult != 0 { return .failure(Failure(step: "chdir \(directory)", code: chdirResult)) }

        var variables = environment
        if variables["PATH"]?.isEmpty ?? true { variables["PATH"] = CommandProbe.defaultPath }
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let environ: [UnsafeMutablePointer<CChar>?] =
            variables.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in arguments + environ { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environ)
        if result == ENOENT, access(directory, F_OK) != 0 {
            return .failure(Failure(step: "working directory \(directory)", code: result))
        }
        return result == 0 ? .success(pid) : .failure(Failure(step: "posix_spawn", code: result))
    }

    static func symbolAddress(_ name: String) -> UInt {
        guard let handle = dlopen(nil, RTLD_NOW) else { return 0 }
        defer { dlclose(handle) }
        return UInt(bitPattern: dlsym(handle, name))
    }

    static func function<F>(_ address: UInt, as type: F.Type) -> F? {
        guard let pointer = UnsafeRawPointer(bitPattern: address) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }
}
