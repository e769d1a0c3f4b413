#if canImport(Glibc)
    import Glibc
#endif

/// A failure talking to systemd's manager: the D-Bus error (name and message) when the manager answered with
/// one, else the errno of the sd-bus call that failed.
public struct SystemdError: Error, Sendable, CustomStringConvertible {
    /// What was being done: "connect to unix:path=/run/systemd/private", "StartTransientUnit clusterbox-t1.scope".
    public var operation: String
    /// `org.freedesktop.DBus.Error.PropertyReadOnly`, `org.freedesktop.systemd1.UnitExists`, …
    public var name: String?
    public var message: String?
    public var code: Int32

    public init(operation: String, name: String? = nil, message: String? = nil, code: Int32) {
        self.operation = operation
        self.name = name
        self.message = message
        self.code = code
    }

    public var description: String {
        if let name { return "\(operation): \(name): \(message ?? "")" }
        return "\(operation): \(String(cString: strerror(code)))"
    }

    /// The property an older systemd refuses ("Cannot set property TasksAccounting, or unknown property."), which
    /// crun then leaves out and retries without.
    public var refusedProperty: String? {
        guard let message, let range = message.range(of: "Cannot set property ") else { return nil }
        let name = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }

    /// A unit of that name exists already (a failed scope of a task with the same name): reset it and retry.
    public var unitExists: Bool { name == "org.freedesktop.systemd1.UnitExists" }

    /// The unit is not loaded: stopping it is already done.
    public var noSuchUnit: Bool { name == "org.freedesktop.systemd1.NoSuchUnit" }
}
