import BoxCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Crash cleanup

extension ProcessExecutor {
    /// Kills the process groups of tasks left running by an executor that died without cleaning up (the agent
    /// was SIGKILLed). Looks at each `<sandboxRoot>/<agent>/<framework>/<task>/pid` checkpoint; a group is
    /// killed only when its leader still exists with the recorded start time and still leads its own group,
    /// so a recycled pid is never hit. Every checkpoint is removed. Returns how many groups were killed.
    ///
    /// Blocking file IO: call it from a command-line tool or a thread pool, not from an event loop.
    public static func killLeftovers(sandboxRoot: String) -> Int {
        var killed = 0
        for file in ProcessSandbox.checkpointFiles(under: sandboxRoot) {
            defer { unlink(file) }
            guard let text = ProcessSandbox.readSmallFile(file),
                let checkpoint = ProcessCheckpoint(parsing: text),
                let stat = ProcStat.read(pid: checkpoint.pid),
                stat.startTime == checkpoint.startTime,
                getpgid(checkpoint.pid) == checkpoint.pid
            else { continue }
            if ProcessSignals.signalGroup(checkpoint.pid, SIGKILL) { killed += 1 }
        }
        return killed
    }
}

/// What `<sandbox>/pid` records: "<pid> <starttime>", the start time telling the process from a later one
/// that reuses its pid.
struct ProcessCheckpoint: Hashable, Sendable {
    var pid: pid_t
    var startTime: UInt64

    init(pid: pid_t, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    init?(parsing text: String) {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let pid = pid_t(fields[0]), pid > 1, let startTime = UInt64(fields[1]) else {
            return nil
        }
        self.init(pid: pid, startTime: startTime)
    }

    var text: String { "\(pid) \(startTime)\n" }
}

/// The fields of `/proc/<pid>/stat` the executor needs.
struct ProcStat: Hashable, Sendable {
    /// `R`, `S`, `Z`…
    var state: Character
    /// Field 22: clock ticks after boot when the process started.
    var startTime: UInt64

    /// Parses a stat line. The command name (field 2) is in parentheses and may hold spaces or `)`, so the
    /// fields are counted from the last `)`.
    init?(parsing line: String) {
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, let state = fields[0].first, let startTime = UInt64(fields[19]) else { return nil }
        self.state = state
        self.startTime = startTime
    }

    /// nil when the process does not exist (or there is no /proc).
    static func read(pid: pid_t) -> ProcStat? {
        ProcessSandbox.readSmallFile("/proc/\(pid)/stat").flatMap(ProcStat.init(parsing:))
    }
}

// MARK: - Sandboxes

enum ProcessSandbox {
    static let checkpointName = ".clusterbox-pid"

    /// Makes `<root>/<agentID>/<frameworkID>/<taskID>`, or `<taskID>-2`, `-3`… when an earlier run of the same
    /// task left its directory, with empty `stdout` and `stderr` files. Errors read "sandbox: <reason>".
    static func create(
        root: String, agentID: AgentID, frameworkID: FrameworkID, taskID: TaskID
    ) -> Result<String, LaunchError> {
        let parent = root + "/" + component(agentID.value) + "/" + component(frameworkID.value)
        if let code = makeDirectories(parent) { return .failure(LaunchError(step: "sandbox", code: code)) }
        let base = parent + "/" + component(taskID.value)
        var sandbox = base
        var attempt = 1
        while mkdir(sandbox, 0o755) != 0 {
            let code = errno
            guard code == EEXIST, attempt < 10_000 else { return .failure(LaunchError(step: "sandbox", code: code)) }
            attempt += 1
            sandbox = "\(base)-\(attempt)"
        }
        for name in ["stdout", "stderr"] {
            let fd = open(sandbox + "/" + name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode_t(0o644))
            if fd < 0 { return .failure(LaunchError(step: "sandbox", code: errno)) }
            close(fd)
        }
        return .success(sandbox)
    }

    /// An id as one safe path component: `/` and other unusual characters become `_`, and a name made only of
    /// dots cannot climb out of the tree.
    static func component(_ id: String) -> String {
        let safe = String(
            id.map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber || "._-@:+".contains(character))
                    ? character : "_"
            })
        if safe.isEmpty { return "_" }
        return safe.allSatisfy({ $0 == "." }) ? String(repeating: "_", count: safe.count) : safe
    }

    /// `mkdir -p`; returns the errno of the step that failed.
    static func makeDirectories(_ path: String) -> Int32? {
        var prefix = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { return errno }
        }
        var info = stat()
        if stat(path, &info) != 0 { return errno }
        return (info.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
    }

    /// Records the spawned group for `killLeftovers`. Returns an error text when it could not.
    static func writeCheckpoint(sandbox: String, pid: pid_t) -> String? {
        guard let stat = ProcStat.read(pid: pid) else { return "no /proc/\(pid)/stat" }
        let path = sandbox + "/" + checkpointName
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(0o644))
        if fd < 0 { return "\(path): \(ProcessSignals.errorText(errno))" }
        defer { close(fd) }
        let bytes = Array(ProcessCheckpoint(pid: pid, startTime: stat.startTime).text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? nil : "\(path): short write"
    }

    static func removeCheckpoint(sandbox: String) {
        unlink(sandbox + "/" + checkpointName)
    }

    /// The checkpoint files at exactly `<root>/*/*/*/pid`; files deeper in a sandbox belong to the task.
    static func checkpointFiles(under root: String) -> [String] {
        var files: [String] = []
        for agent in subdirectories(of: root) {
            for framework in subdirectories(of: agent) {
                for task in subdirectories(of: framework) {
                    let file = task + "/" + checkpointName
                    var info = stat()
                    if lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { files.append(file) }
                }
            }
        }
        return files
    }

    private static func subdirectories(of path: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }.filter { child in
            var info = stat()
            return lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
    }

    /// Reads a small file such as `/proc/<pid>/stat`, whose reported size is 0, up to 64 KiB.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
