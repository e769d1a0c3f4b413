import BoxCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Waiting

/// Reaps child processes that `ShellProcess.waitUntilExited` has seen exit.
enum ProcessWatcher {
    /// Reaps `pid`, which `waitUntilExited` has seen exit, so this never blocks.
    static func reap(_ pid: pid_t) -> ProcessExit {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return ProcessExit(waitStatus: status) }
            if result == 0 { return .unknown("waitpid: process \(pid) has not exited") }
            let error = errno
            if error != EINTR { return .unknown("waitpid: \(ProcessSignals.errorText(error))") }
        }
    }
}

// MARK: - Exit status

/// How a task's main process ended.
enum ProcessExit: Hashable, Sendable {
    case exited(Int32)
    case signaled(Int32)
    /// The status could not be read; the text says why.
    case unknown(String)

    /// Decodes a `waitpid` status (the `WIFEXITED`/`WTERMSIG` macros, which Swift does not import). We wait
    /// with `WEXITED` only, so "stopped" cannot occur.
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }
}

/// The terminal update a process exit turns into, as Mesos' command executor words it.
struct TerminalOutcome: Hashable, Sendable {
    var state: TaskState
    var message: String
    var reason: StatusReason?
    var exitCode: Int32?

    /// `exit 0` → `TASK_FINISHED`; any other end → `TASK_FAILED` (`commandExecutorFailed`), or `TASK_KILLED`
    /// when the executor was asked to kill the task. A signal's exit code is 128 + its number, as in shells.
    init(exit: ProcessExit, killRequested: Bool) {
        switch exit {
        case .exited(let code):
            message = "Command exited with status \(code)"
            exitCode = code
        case .signaled(let signal):
            message = "Command terminated by signal \(ProcessSignals.name(of: signal))"
            exitCode = 128 + signal
        case .unknown(let why):
            message = "Command exit status unknown: \(why)"
            exitCode = nil
        }
        if killRequested {
            state = .killed
            reason = nil
        } else if exit == .exited(0) {
            state = .finished
            reason = nil
        } else {
            state = .failed
            reason = .commandExecutorFailed
        }
    }
}

// MARK: - Signals

enum ProcessSignals {
    /// Signals the process group led by `pid`; false when it failed, typically ESRCH because the group is
    /// already gone, which callers expect.
    @discardableResult
    static func signalGroup(_ pid: pid_t, _ signal: Int32) -> Bool {
        precondition(pid > 1, "refusing to signal process group \(pid)")
        return kill(-pid, signal) == 0
    }

    /// `SIGSEGV` for 11; "signal 40" for numbers without a portable name.
    static func name(of signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGTTIN: "SIGTTIN",
            SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM",
            SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO", SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// `strerror` text, e.g. "No such file or directory".
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
