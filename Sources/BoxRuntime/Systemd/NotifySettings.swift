/// What systemd tells a `Type=notify` service through its environment (runtime.md §3.4): where to send
/// notifications, and how often the watchdog wants to hear from us. Pure: read once at start-up, from a dictionary
/// the caller passes in, so tests need no real environment.
public struct NotifySettings: Sendable, Hashable {
    /// An `AF_UNIX` datagram socket: a file path, or a name in the abstract namespace (`@name` in the variable).
    public enum Address: Sendable, Hashable, CustomStringConvertible {
        case path(String)
        case abstract(String)

        public var description: String {
            switch self {
            case .path(let path): path
            case .abstract(let name): "@" + name
            }
        }
    }

    /// nil: not started by systemd as a notify service (or an address we cannot use; see `problem`), so every
    /// notification is a no-op, as `sd_notify` returns 0 when `NOTIFY_SOCKET` is unset.
    public var address: Address?
    /// `WATCHDOG_USEC`, kept only when `WATCHDOG_PID` is unset or names this process: systemd sets the pid so that
    /// a child that inherits the environment does not ping for us (`sd_watchdog_enabled` checks the same).
    public var watchdogTimeout: Duration?
    /// Why a variable that was set is ignored, for the daemon to log.
    public var problem: String?

    public init(address: Address? = nil, watchdogTimeout: Duration? = nil, problem: String? = nil) {
        self.address = address
        self.watchdogTimeout = watchdogTimeout
        self.problem = problem
    }

    /// Half the watchdog timeout, as systemd recommends, so that one late ping is not yet a missed one.
    public var watchdogPingInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` for the process `pid`.
    public static func parse(environment: [String: String], pid: Int32) -> NotifySettings {
        var settings = NotifySettings()
        var problems: [String] = []
        if let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty {
            if socket.hasPrefix("/") {
                settings.address = .path(socket)
            } else if socket.hasPrefix("@"), socket.count > 1 {
                settings.address = .abstract(String(socket.dropFirst()))
            } else {
                // systemd 254 also passes vsock:CID:PORT (for VMs); a daemon on the host never gets one.
                problems.append("NOTIFY_SOCKET=\(socket) is neither a path nor an @abstract name")
            }
            // A path needs its terminating NUL in sun_path, an abstract name its leading one.
            if socket.utf8.count >= maxPathBytes {
                problems.append("NOTIFY_SOCKET is longer than sockaddr_un allows (\(maxPathBytes - 1) bytes)")
                settings.address = nil
            }
        }
        if let text = environment["WATCHDOG_USEC"] {
            let owner = environment["WATCHDOG_PID"]
            if let owner, Int32(owner) != pid {
                // Not ours: another process (our parent, a wrapper) is the watched one.
            } else if let microseconds = UInt64(text), microseconds > 0, microseconds <= UInt64(Int64.max) {
                settings.watchdogTimeout = .microseconds(Int64(microseconds))
            } else {
                problems.append("WATCHDOG_USEC=\(text) is not a positive number of microseconds")
            }
        }
        settings.problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return settings
    }

    /// `sun_path` holds 108 bytes on Linux, the terminating NUL of a path included.
    static let maxPathBytes = 108
}
