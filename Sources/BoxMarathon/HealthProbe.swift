public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of one run of one health check against one task.
public struct ProbeResult: Hashable, Sendable {
    public var alive: Bool
    /// Why the check failed, worded for `lastFailureCause`: "connection refused", "HTTP 503",
    /// "timed out after 2s waiting for a response", "exit status 1". nil when alive.
    public var cause: String?

    public init(alive: Bool, cause: String? = nil) {
        self.alive = alive
        self.cause = cause
    }

    public static let alive = ProbeResult(alive: true)
    public static func dead(_ cause: String) -> ProbeResult { ProbeResult(alive: false, cause: cause) }
}

/// Runs Marathon health checks: the IO half of health checking (the pure `HealthCheck` bookkeeping decides when to
/// probe and what a result means). HTTP and TCP checks connect through NIO; COMMAND checks spawn `/bin/sh -c` in
/// their own session and wait on a dedicated thread. No probe holds a cooperative thread while it waits, and each is
/// bounded by the check's `timeoutSeconds`.
///
///     probe ─┬▶ HTTP, MESOS_HTTP ───▶ connect ─▶ GET path ─▶ status 200–399: alive (1xx skipped if asked)
///            ├▶ TCP, MESOS_TCP ─────▶ connect: alive
///            ├▶ COMMAND ────────────▶ /bin/sh -c ─▶ exit 0: alive; at the timeout SIGKILL its process group
///            └▶ HTTPS, MESOS_HTTPS ─▶ not supported (no TLS stack in BoxMarathon)
public struct HealthProbe: Sendable {
    private let eventLoopGroup: any EventLoopGroup

    /// Uses NIO's shared event loop group.
    public init() { self.init(eventLoopGroup: MultiThreadedEventLoopGroup.singleton) }

    public init(eventLoopGroup: any EventLoopGroup) { self.eventLoopGroup = eventLoopGroup }

    /// Runs one check of one task and never throws: every failure becomes `alive == false` with a cause. Returns
    /// within `check.timeoutSeconds` plus scheduling slack. `ports` are the task's host ports (for `portIndex`);
    /// `environment` (the task's: PORT0…, HOST, MESOS_SANDBOX…) and `sandbox` (working directory, "/" when nil)
    /// matter only to COMMAND checks. Cancelling the calling task ends the probe early, killing a command.
    public func probe(
        _ check: HealthCheck, host: String, ports: [UInt16], environment: [String: String], sandbox: String?
    ) async -> ProbeResult {
        let timeoutSeconds = Self.clampedTimeout(check.timeoutSeconds)
        switch check.protocol {
        case .command:
            guard let command = check.command, !command.isEmpty else {
                return .dead("COMMAND health check has no command")
            }
            return await CommandProbe.run(
                command, environment: environment, directory: sandbox ?? "/", timeoutSeconds: timeoutSeconds)
        case .https, .mesosHTTPS:
            // BoxMarathon has no TLS stack (swift-nio-ssl is not a dependency of clusterbox), so HTTPS checks
            // fail rather than silently falling back to plain HTTP.
            return .dead("HTTPS checks are not supported yet")
        case .http, .mesosHTTP, .tcp, .mesosTCP:
            let port: Int
            switch Self.port(of: check, ports: ports) {
            case .success(let value): port = value
            case .failure(let failure): return .dead(failure.cause)
            }
            let isHTTP = check.protocol == .http || check.protocol == .mesosHTTP
            let request = isHTTP ? Self.httpRequest(path: check.path, host: host, port: port) : nil
            return await connect(
                host: host, port: port, request: request, ignoreHttp1xx: check.ignoreHttp1xx,
                timeoutSeconds: timeoutSeconds)
        }
    }

    // MARK: - Network probes

    /// Connects within the timeout; for HTTP then sends `request` and reads status lines until the deadline.
    private func connect(
        host: String, port: Int, request: String?, ignoreHttp1xx: Bool, timeoutSeconds: Double
    ) async -> ProbeResult {
        let deadline = NIODeadline.now() + Self.timeAmount(timeoutSeconds)
        let loop = eventLoopGroup.next()
        var bootstrap = ClientBootstrap(group: loop).connectTimeout(Self.timeAmount(timeoutSeconds))
        // The handler completes the promise exactly once, at the latest when it is removed with the channel, so
        // no path leaks it; cancelling the caller closes the channel, which completes it too.
        let promise = request.map { _ in loop.makePromise(of: ProbeResult.self) }
        if let request, let promise {
            let timeoutCause = "timed out after \(Self.secondsText(timeoutSeconds)) waiting for a response"
            bootstrap = bootstrap.channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPStatusHandler(
                            request: request, ignoreInformational: ignoreHttp1xx, deadline: deadline,
                            timeoutCause: timeoutCause, promise: promise))
                }
            }
        }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let failure = ProbeResult.dead(
                Self.connectFailure(error, host: host, port: port, timeoutSeconds: timeoutSeconds))
            promise?.succeed(failure)  // a no-op if the handler got there first
            return failure
        }
        guard let verdict = promise?.futureResult else {
            try? await channel.close()
            return .alive
        }
        return await withTaskCancellationHandler {
            do {
                return try await verdict.get()
            } catch {
                channel.close(promise: nil)
                return .dead("HTTP exchange failed: \(error)")
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// "connection refused", "timed out after 2s connecting to h:p", "cannot resolve host h", …
    static func connectFailure(_ error: any Error, host: String, port: Int, timeoutSeconds: Double) -> String {
        let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch error {
        case ChannelError.connectTimeout:
            return "timed out after \(secondsText(timeoutSeconds)) connecting to \(target)"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                return connectFailure(first.error, host: host, port: port, timeoutSeconds: timeoutSeconds)
            }
            return "cannot resolve host \(host)"
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return "connection refused"
        case let error as IOError:
            return "cannot connect to \(target): \(String(cString: strerror(error.errnoCode)))"
        default:
            return "cannot connect to \(target): \(error)"
        }
    }

    // MARK: - Helpers

    struct PortFailure: Error {
        var cause: String
    }

    /// `check.port` when set, else the task's host port at `portIndex` (0 by default).
    static func port(of check: HealthCheck, ports: [UInt16]) -> Result<Int, PortFailure> {
        if let port = check.port {
            guard (1...65535).contains(port) else {
                return .failure(PortFailure(cause: "health check port \(port) is invalid"))
            }
            return .success(port)
        }
        let index = check.portIndex ?? 0
        guard ports.indices.contains(index) else {
            return .failure(
                PortFailure(cause: "portIndex \(index) is out of range: the task has \(ports.count) port(s)"))
        }
        guard ports[index] != 0 else {
            return .failure(PortFailure(cause: "the task's port at portIndex \(index) is 0"))
        }
        return .success(Int(ports[index]))
    }

    /// The request line and headers; bytes a request target may not carry (controls, space, DEL, non-ASCII)
    /// are percent-encoded so a path can never inject a header.
    static func httpRequest(path: String, host: String, port: Int) -> String {
        var target = ""
        for byte in path.utf8 {
            if byte <= 0x20 || byte >= 0x7F {
                target += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            } else {
                target.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        if !target.hasPrefix("/") { target = "/" + target }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "GET \(target) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
            + "User-Agent: clusterbox-marathon\r\nAccept: */*\r\n\r\n"
    }

    /// At least 1 ms (a zero timeout would fail every check before it starts), at most a day.
    static func clampedTimeout(_ seconds: Double) -> Double {
        guard seconds.isFinite else { return 86_400 }
        return min(max(seconds, 0.001), 86_400)
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }

    /// "2s", "0.5s".
    static func secondsText(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
