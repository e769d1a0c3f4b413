import CSystemd
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One sd-bus connection to systemd's manager (`org.freedesktop.systemd1`), listening for `JobRemoved` from the
/// moment it connects, so that a job that finishes before its start call returns is never missed (runtime.md
/// §3.3). Blocking: every call waits on the socket; call it off an event loop.
///
/// sd-bus objects are not thread-safe, so the connection and everything its callbacks touch live behind `lock`.
public final class SystemdBus: @unchecked Sendable {  // bus, slot and jobs are only used while holding `lock`
    /// Where the manager is.
    public enum Address: Sendable, Hashable, CustomStringConvertible {
        /// The system bus (`/run/dbus/system_bus_socket`), through dbus-daemon.
        case system
        /// systemd's own peer-to-peer socket, root only, with no dbus-daemon in between.
        case systemdPrivate
        /// Any D-Bus address (`unix:path=/tmp/…/bus`), as a bus client (true: a dbus-daemon is in between) or a
        /// direct peer.
        case address(String, busClient: Bool)

        public var description: String {
            switch self {
            case .system: "the system bus"
            case .systemdPrivate: Self.privateSocket
            case .address(let address, _): address
            }
        }

        /// Root's choice where systemd runs: its private socket when present, else the system bus.
        public static var preferred: Address {
            geteuid() == 0 && access(privateSocket, W_OK) == 0 ? .systemdPrivate : .system
        }

        static let privateSocket = "/run/systemd/private"
    }

    public let address: Address
    private let lock = Mutex(())
    private let bus: OpaquePointer
    private var slot: OpaquePointer?
    private let jobs = FinishedJobs()

    public init(_ address: Address) throws(SystemdError) {
        self.address = address
        var bus: OpaquePointer?
        let operation = "connect to \(address)"
        var result: Int32
        switch address {
        case .system:
            result = sd_bus_open_system(&bus)
        case .systemdPrivate, .address:
            result = sd_bus_new(&bus)
            if result >= 0, let bus {
                let (text, busClient) =
                    switch address {
                    case .address(let text, let busClient): (text, busClient)
                    default: ("unix:path=" + Self.Address.privateSocket, false)
                    }
                result = sd_bus_set_address(bus, text)
                if result >= 0, busClient { result = sd_bus_set_bus_client(bus, 1) }
                if result >= 0 { result = sd_bus_start(bus) }
            }
        }
        guard result >= 0, let bus else {
            if let bus { sd_bus_flush_close_unref(bus) }
            throw SystemdError(operation: operation, code: -result)
        }
        self.bus = bus
        // On a peer connection there is no sender name to match: everything comes from the manager.
        let sender: String? =
            switch address {
            case .system, .address(_, busClient: true): Self.destination
            default: nil
            }
        var slot: OpaquePointer?
        let matched = sd_bus_match_signal(
            bus, &slot, sender, Self.path, Self.interface, "JobRemoved", jobRemovedCallback,
            Unmanaged.passUnretained(jobs).toOpaque())
        guard matched >= 0 else {
            sd_bus_flush_close_unref(bus)
            throw SystemdError(operation: "\(operation): subscribe to JobRemoved", code: -matched)
        }
        self.slot = slot
    }

    deinit {
        if let slot { sd_bus_slot_unref(slot) }
        sd_bus_flush_close_unref(bus)
    }

    static let destination = "org.freedesktop.systemd1"
    static let path = "/org/freedesktop/systemd1"
    static let interface = "org.freedesktop.systemd1.Manager"

    // MARK: - Calls

    /// Calls a manager method whose arguments `append` writes; returns the object path it answers (a job), or
    /// nil when the reply has none.
    func call(
        _ method: String, operation: String, append: (MessageWriter) -> Int32
    ) throws(SystemdError) -> String? {
        try lock.withLock { _ throws(SystemdError) -> String? in
            var message: OpaquePointer?
            var result = sd_bus_message_new_method_call(
                bus, &message, Self.destination, Self.path, Self.interface, method)
            guard result >= 0, let message else { throw SystemdError(operation: operation, code: -result) }
            defer { sd_bus_message_unref(message) }
            result = append(MessageWriter(message: message))
            guard result >= 0 else { throw SystemdError(operation: "\(operation): build the message", code: -result) }
            var error = sd_bus_error()
            defer { sd_bus_error_free(&error) }
            var reply: OpaquePointer?
            result = sd_bus_call(bus, message, Self.callTimeoutMicroseconds, &error, &reply)
            guard result >= 0, let reply else {
                throw SystemdError(
                    operation: operation, name: error.name.map { String(cString: $0) },
                    message: error.message.map { String(cString: $0) }, code: -result)
            }
            defer { sd_bus_message_unref(reply) }
            guard sd_bus_message_peek_type(reply, nil, nil) > 0 else { return nil }
            var path: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(reply, MessageWriter.code("o"), &path) > 0, let path else { return nil }
            return String(cString: path)
        }
    }

    /// Waits until the manager says the job `path` is removed, and returns its result ("done", "failed",
    /// "canceled", "timeout", "dependency", "skipped").
    func waitForJob(_ path: String, operation: String, timeout: Duration) throws(SystemdError) -> String {
        let deadline = ContinuousClock.now + timeout
        return try lock.withLock { _ throws(SystemdError) -> String in
            while true {
                if let result = jobs.take(path) { return result }
                let processed = sd_bus_process(bus, nil)
                guard processed >= 0 else { throw SystemdError(operation: operation, code: -processed) }
                if processed > 0 { continue }
                let left = deadline - ContinuousClock.now
                guard left > .zero else {
                    throw SystemdError(
                        operation: "\(operation): no JobRemoved for \(path) within \(timeout)", code: ETIME)
                }
                let microseconds =
                    UInt64(left.components.seconds) * 1_000_000
                    + UInt64(left.components.attoseconds / 1_000_000_000_000)
                let waited = sd_bus_wait(bus, max(1, microseconds))
                guard waited >= 0 else { throw SystemdError(operation: operation, code: -waited) }
            }
        }
    }

    /// sd-bus's default, stated: systemd answers at once, the job is waited for separately.
    static let callTimeoutMicroseconds: UInt64 = 25_000_000
}

/// `JobRemoved(u id, o job, s unit, s result)` signals seen and not yet waited for, by job path. Touched only
/// from sd-bus callbacks and `waitForJob`, both under the bus's lock.
final class FinishedJobs {
    private var results: [(path: String, result: String)] = []
    /// Other clients' jobs are announced too; the oldest are forgotten past this many.
    static let capacity = 1024

    func add(path: String, result: String) {
        if results.count >= Self.capacity { results.removeFirst(results.count - Self.capacity + 1) }
        results.append((path, result))
    }

    func take(_ path: String) -> String? {
        guard let index = results.firstIndex(where: { $0.path == path }) else { return nil }
        return results.remove(at: index).result
    }
}

/// The `JobRemoved` handler: reads `uoss` and records the job's path and result. A plain function, so that it
/// converts to a C function pointer.
private func jobRemovedCallback(
    _ message: OpaquePointer?, _ userdata: UnsafeMutableRawPointer?, _ error: UnsafeMutablePointer<sd_bus_error>?
) -> Int32 {
    guard let message, let userdata else { return 0 }
    let jobs = Unmanaged<FinishedJobs>.fromOpaque(userdata).takeUnretainedValue()
    var id: UInt32 = 0
    var path: UnsafePointer<CChar>?
    var unit: UnsafePointer<CChar>?
    var result: UnsafePointer<CChar>?
    guard sd_bus_message_read_basic(message, MessageWriter.code("u"), &id) > 0,
        sd_bus_message_read_basic(message, MessageWriter.code("o"), &path) > 0,
        sd_bus_message_read_basic(message, MessageWriter.code("s"), &unit) > 0,
        sd_bus_message_read_basic(message, MessageWriter.code("s"), &result) > 0, let path, let result
    else { return 0 }
    jobs.add(path: String(cString: path), result: String(cString: result))
    return 0
}
