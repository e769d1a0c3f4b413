import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd how a `Type=notify` service is doing (runtime.md §3.4): `READY=1` once the API listens,
/// `STATUS=` lines for `systemctl status`, `STOPPING=1` at shutdown, `WATCHDOG=1` pings. Each notification is one
/// datagram of newline-separated `KEY=VALUE` lines to `$NOTIFY_SOCKET`, which is all `sd_notify` does, so no
/// libsystemd is needed. Without `NOTIFY_SOCKET` every call is a no-op.
///
/// Each call opens, sends and closes its own socket (as `sd_notify` does): nothing is shared, calls may come
/// from any thread, and a send never blocks for long (a datagram to a full queue fails with EAGAIN).
public struct ServiceNotifier: Sendable {
    public let settings: NotifySettings

    public init(settings: NotifySettings) { self.settings = settings }

    /// From this process's environment.
    public static func fromEnvironment() -> ServiceNotifier {
        ServiceNotifier(settings: .parse(environment: ProcessInfo.processInfo.environment, pid: getpid()))
    }

    /// True when notifications go anywhere.
    public var isActive: Bool { settings.address != nil }

    // MARK: - Messages

    /// The service is up: systemd's start job finishes and `systemctl start` returns.
    public func ready(status: String) throws(NotifyError) {
        try send(["READY=1", Self.status(status)])
    }

    /// A one-line status that `systemctl status` shows.
    public func status(_ text: String) throws(NotifyError) {
        try send([Self.status(text)])
    }

    /// The service is shutting down (systemd then shows "deactivating" rather than a failure).
    public func stopping(status: String) throws(NotifyError) {
        try send(["STOPPING=1", Self.status(status)])
    }

    /// Still alive: sent every `settings.watchdogPingInterval` while `WatchdogSec=` is set.
    public func watchdog() throws(NotifyError) {
        try send(["WATCHDOG=1"])
    }

    /// Pings the watchdog at half its timeout until the task is cancelled; returns at once when there is no
    /// watchdog. Failures go to `onError` and the pings go on (systemd restarts us if they keep failing).
    public func runWatchdog(onError: @Sendable (NotifyError) -> Void = { _ in }) async {
        guard isActive, let interval = settings.watchdogPingInterval else { return }
        while !Task.isCancelled {
            do { try watchdog() } catch { onError(error) }
            try? await Task.sleep(for: interval)
        }
    }

    /// One datagram with `lines` joined by newlines. A no-op without an address.
    public func send(_ lines: [String]) throws(NotifyError) {
        guard let address = settings.address else { return }
        try Self.send(Array(lines.joined(separator: "\n").utf8), to: address)
    }

    /// `STATUS=` takes one line: newlines would start new keys.
    static func status(_ text: String) -> String {
        "STATUS=" + text.replacingOccurrences(of: "\n", with: " ")
    }
}

/// A notification that could not be sent: the socket call that failed and its errno.
public struct NotifyError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var address: String
    public var code: Int32

    public var description: String { "sd_notify to \(address): \(call): \(String(cString: strerror(code)))" }
}
