public import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The systemd cgroup driver: one transient scope per task, created and stopped by systemd's manager over D-Bus,
/// as runc's and crun's systemd cgroup managers do (runtime.md §3.2 way 2, §3.3). Used where systemd is PID 1 and
/// our cgroup is not delegated to us (`CgroupDriverChoice`), since cgroupfs then belongs to systemd alone. It
/// costs a D-Bus round trip and a job wait per start and per stop, and the tasks show in `systemctl status`.
///
/// Blocking: each call waits for systemd's job. Call it off an event loop.
public final class SystemdScopeDriver: Sendable {
    public let bus: SystemdBus
    /// Slice the scopes go in; nil: systemd's default for transient scopes (`system.slice`).
    public let slice: String?
    /// v2 host: `CPUWeight`; otherwise `CPUShares`.
    public let unified: Bool
    /// Properties this systemd refused as unknown, left out of later scopes (crun keeps the same memory).
    private let refused = Mutex<Set<String>>([])
    public let logger: Logger

    /// The job mode: fail rather than replace a job queued for a unit of the same name.
    static let jobMode = "fail"
    /// Starting or stopping a scope is immediate for systemd; this bounds a manager that never answers.
    static let jobTimeout: Duration = .seconds(30)

    public init(bus: SystemdBus, unified: Bool, slice: String? = nil, logger: Logger) {
        self.bus = bus
        self.unified = unified
        self.slice = slice
        self.logger = logger
    }

    /// `clusterbox-<task>.scope`: characters outside systemd's unit-name set become `_`.
    public static func unitName(task: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\")
        return "clusterbox-" + String(task.map { allowed.contains($0) ? $0 : "_" }) + ".scope"
    }

    /// Puts `pids` into a new scope for the task with `limits`, and returns once systemd's job for it is done.
    /// Returns the unit's name.
    @discardableResult
    public func startScope(
        task: String, pids: [Int32], limits: CgroupLimits, description: String
    ) throws(SystemdError) -> String {
        let unit = Self.unitName(task: task)
        let request = ScopeProperties(
            description: description, pids: pids, limits: limits, unified: unified, slice: slice)
        var resetOnce = false
        // Each retry leaves out one more property, or resets a failed unit once: bounded by the property count.
        for _ in 0...(request.properties.count + 1) {
            let skipped = refused.withLock { $0 }
            let properties = request.properties.filter { !skipped.contains($0.name) }
            do throws(SystemdError) {
                try start(unit, properties: properties)
                logger.debug("systemd scope started", metadata: ["unit": "\(unit)", "pids": "\(pids)"])
                return unit
            } catch let error where error.refusedProperty.map({ !skipped.contains($0) }) == true {
                let property = error.refusedProperty ?? ""
                logger.warning("systemd refuses \(property); scopes go without it", metadata: ["unit": "\(unit)"])
                _ = refused.withLock { $0.insert(property) }
            } catch let error where error.unitExists && !resetOnce {
                resetOnce = true
                try resetFailed(unit)
            }
        }
        preconditionFailure("startScope: more retries than properties")
    }

    /// Stops the scope (systemd kills what is left in it) and forgets it if it failed. A scope that is gone
    /// already is not an error.
    public func stopScope(_ unit: String) throws(SystemdError) {
        let operation = "StopUnit \(unit)"
        do throws(SystemdError) {
            if let job = try bus.call(
                "StopUnit", operation: operation,
                append: { writer in
                    let named = writer.string(unit)
                    return named < 0 ? named : writer.string("replace")
                })
            {
                let result = try bus.waitForJob(job, operation: operation, timeout: Self.jobTimeout)
                guard result == "done" else {
                    throw SystemdError(operation: operation, message: "job \(job) finished with \(result)", code: EIO)
                }
            }
        } catch let error where error.noSuchUnit {
            return
        }
        try? resetFailed(unit)
    }

    /// `ResetFailedUnit`: a failed unit keeps its name taken until reset.
    public func resetFailed(_ unit: String) throws(SystemdError) {
        _ = try bus.call("ResetFailedUnit", operation: "ResetFailedUnit \(unit)") { $0.string(unit) }
    }

    // MARK: - Helpers

    /// One `StartTransientUnit` call and the wait for its job ("done", or an error naming the result).
    private func start(_ unit: String, properties: [UnitProperty]) throws(SystemdError) {
        let operation = "StartTransientUnit \(unit)"
        let job = try bus.call("StartTransientUnit", operation: operation) { writer in
            var result = writer.string(unit)
            if result >= 0 { result = writer.string(Self.jobMode) }
            if result >= 0 { result = writer.properties(properties) }
            if result >= 0 { result = writer.container("a", "(sa(sv))") { 0 } }  // no auxiliary units
            return result
        }
        guard let job else { throw SystemdError(operation: operation, message: "no job in the reply", code: EPROTO) }
        let result = try bus.waitForJob(job, operation: operation, timeout: Self.jobTimeout)
        guard result == "done" else {
            throw SystemdError(operation: operation, message: "job \(job) finished with \(result)", code: EIO)
        }
    }
}
