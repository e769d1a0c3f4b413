import BoxCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed launch step, worded for the task's status message: "posix_spawn: No such file or directory".
struct LaunchError: Error, Hashable, Sendable, CustomStringConvertible {
    var step: String
    var code: Int32

    var description: String { "\(step): \(ProcessSignals.errorText(code))" }
}

// MARK: - Environment

/// The environment a task sees, as Mesos' command executor sets it.
enum ProcessEnvironment {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// `PATH`, `HOME`, `HOST`, `PORT0…PORTn`/`PORT`/`PORTS` from the task's ports (lowest first), the
    /// `MESOS_*` variables, then the command's own environment on top.
    static func make(
        task: TaskInfo, frameworkID: FrameworkID, agentID: AgentID, sandbox: String, hostname: String,
        agentPath: String?
    ) -> [String: String] {
        var environment: [String: String] = [
            "PATH": agentPath.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath,
            "HOME": sandbox,
            "HOST": hostname,
            "MESOS_TASK_ID": task.taskID.value,
            "MESOS_SANDBOX": sandbox,
            "MESOS_DIRECTORY": sandbox,
            "MESOS_AGENT_ID": agentID.value,
            "MESOS_FRAMEWORK_ID": frameworkID.value,
        ]
        let ports = task.resources.ports.ports
        for (index, port) in ports.enumerated() { environment["PORT\(index)"] = String(port) }
        if let first = ports.first {
            environment["PORT"] = String(first)
            environment["PORTS"] = ports.map(String.init).joined(separator: ",")
        }
        environment.merge(task.command?.environment ?? [:]) { _, own in own }
        return environment
    }
}

// MARK: - Spawning

/// `posix_spawn` of `/bin/sh -c <command>` in a new session, with the sandbox as working directory.
enum ProcessSpawner {
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>)
        -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    // Swift's Glibc module does not import the GNU extensions of <spawn.h> (they need _GNU_SOURCE), so they
    // are looked up by name. Addresses are kept as integers to stay Sendable.
    static let addChdirAddress = symbolAddress("posix_spawn_file_actions_addchdir_np")
    static let addCloseFromAddress = symbolAddress("posix_spawn_file_actions_addclosefrom_np")

    /// glibc's `POSIX_SPAWN_SETSID` (0x80), which the same missing macro hides. Elsewhere a new process group
    /// (`POSIX_SPAWN_SETPGROUP` with pgroup 0) gives the same pgid = pid.
    #if os(Linux)
        static let newSessionFlag: Int32 = 0x80
    #else
        static let newSessionFlag = Int32(POSIX_SPAWN_SETPGROUP)
    #endif

    /// Starts the command and returns its pid, which is also its process group id. stdin is /dev/null and
    /// stdout/stderr append to the sandbox files; the signal mask and dispositions are reset (the agent may
    /// ignore SIGPIPE) and descriptors above 2 are closed where glibc can.
    static func spawn(command: String, sandbox: String, environment: [String: String]) -> Result<pid_t, LaunchError> {
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
        posix_spawn_file_actions_addopen(
            &actions, 1, sandbox + "/stdout", O_WRONLY | O_CREAT | O_APPEND, mode_t(0o644))
        posix_spawn_file_actions_addopen(
            &actions, 2, sandbox + "/stderr", O_WRONLY | O_CREAT | O_APPEND, mode_t(0o644))
        if let addCloseFrom = function(addCloseFromAddress, as: AddCloseFrom.self) {
            _ = addCloseFrom(&actions, 3)
        }
        guard let addChdir = function(addChdirAddress, as: AddChdir.self) else {
            return .failure(LaunchError(step: "posix_spawn_file_actions_addchdir_np", code: ENOSYS))
        }
        let chdirResult = sandbox.withCString { addChdir(&actions, $0) }
        if chdirResult != 0 {
            return .failure(LaunchError(step: "posix_spawn_file_actions_addchdir_np", code: chdirResult))
        }

        let words: [String] = ["/bin/sh", "-c", command]
        let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in arguments + variables { free(pointer) } }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, variables)
        return result == 0 ? .success(pid) : .failure(LaunchError(step: "posix_spawn", code: result))
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

/// Starts a program detached from the caller: a new session, stdin from /dev/null, stdout and stderr appended to
/// `log`, and no other inherited descriptor (so it cannot hold a caller's pipe open). `clusterbox up` starts its
/// daemon this way.
public enum DetachedProcess {
    public static func spawn(executable: String, arguments: [String], log: String) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(ProcessSpawner.newSessionFlag))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_APPEND | O_CREAT, mode_t(0o644))
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let addCloseFrom = ProcessSpawner.function(
            ProcessSpawner.addCloseFromAddress, as: ProcessSpawner.AddCloseFrom.self)
        {
            _ = addCloseFrom(&actions, 3)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw LaunchError(step: "posix_spawn \(executable)", code: result) }
        return pid
    }
}
