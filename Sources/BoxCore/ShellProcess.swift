import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starting `/bin/sh -c <command>` in a session of its own, and waiting for it without holding a cooperative
/// thread. The agent's process executor runs tasks this way and Marathon its COMMAND health checks.
public enum ShellProcess {
    /// A failed step, worded for a status message: "posix_spawn: No such file or directory".
    public struct SpawnError: Error, Hashable, Sendable, CustomStringConvertible {
        public var step: String
        public var code: Int32

        public init(step: String, code: Int32) {
            self.step = step
            self.code = code
        }

        public var description: String { "\(step): \(String(cString: strerror(code)))" }
    }

    /// Starts the command and returns its pid (a `pid_t`), which is also its process group id. stdin is /dev/null; stdout
    /// and stderr append to the given files (else /dev/null); the signal mask and dispositions are reset (the
    /// parent may ignore SIGPIPE) and descriptors above 2 are closed where glibc can.
    public static func spawn(
        command: String, directory: String, environment: [String: String], stdout: String? = nil,
        stderr: String? = nil
    ) -> Result<Int32, SpawnError> {
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

        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (descriptor, path) in [(Int32(1), stdout), (Int32(2), stderr)] {
            let flags = path == nil ? O_WRONLY : O_WRONLY | O_CREAT | O_APPEND
            posix_spawn_file_actions_addopen(&actions, descriptor, path ?? "/dev/null", flags, mode_t(0o644))
        }
        if let addCloseFrom = function(addCloseFromAddress, as: AddCloseFrom.self) { _ = addCloseFrom(&actions, 3) }
        guard let addChdir = function(addChdirAddress, as: AddChdir.self) else {
            return .failure(SpawnError(step: "posix_spawn_file_actions_addchdir_np", code: ENOSYS))
        }
        let chdirResult = directory.withCString { addChdir(&actions, $0) }
        if chdirResult != 0 { return .failure(SpawnError(step: "chdir \(directory)", code: chdirResult)) }

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in arguments + variables { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
        if result == ENOENT, access(directory, F_OK) != 0 {
            return .failure(SpawnError(step: "working directory \(directory)", code: result))
        }
        return result == 0 ? .success(pid) : .failure(SpawnError(step: "posix_spawn", code: result))
    }

    /// Suspends until `pid` has exited, without reaping it (`WNOWAIT`): the zombie keeps the pid, and so the
    /// process group id, reserved until the caller reaps it, so no signal sent before that can reach a recycled
    /// pid. Blocks a dedicated thread, not a cooperative one. Returns 0, or the errno of `waitid` (ECHILD when
    /// someone else reaped the child).
    public static func waitUntilExited(_ pid: Int32) async -> Int32 {
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
            thread.name = "clusterbox-wait-\(pid)"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    // MARK: - glibc extensions

    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    // Swift's Glibc module does not import the GNU extensions of <spawn.h> (they need _GNU_SOURCE), so they are
    // looked up by name. Addresses are kept as integers to stay Sendable.
    static let addChdirAddress = symbolAddress("posix_spawn_file_actions_addchdir_np")
    static let addCloseFromAddress = symbolAddress("posix_spawn_file_actions_addclosefrom_np")

    /// glibc's `POSIX_SPAWN_SETSID` (0x80), which the same missing macro hides. Elsewhere a new process group
    /// (`POSIX_SPAWN_SETPGROUP` with pgroup 0) gives the same pgid = pid.
    #if os(Linux)
        static let newSessionFlag: Int32 = 0x80
    #else
        static let newSessionFlag = Int32(POSIX_SPAWN_SETPGROUP)
    #endif

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

/// Starts a program detached from the caller: a new session, stdin from /dev/null, stdout and stderr appended to
/// `log`, and no other inherited descriptor (so it cannot hold a caller's pipe open). `clusterbox up` starts its
/// daemon this way.
public enum DetachedProcess {
    public static func spawn(executable: String, arguments: [String], log: String) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(ShellProcess.newSessionFlag))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_APPEND | O_CREAT, mode_t(0o644))
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let addCloseFrom = ShellProcess.function(
            ShellProcess.addCloseFromAddress, as: ShellProcess.AddCloseFrom.self)
        {
            _ = addCloseFrom(&actions, 3)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw ShellProcess.SpawnError(step: "posix_spawn \(executable)", code: result)
        }
        return pid
    }
}
