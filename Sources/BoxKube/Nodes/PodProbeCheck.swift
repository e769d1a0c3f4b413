import BoxCore

#if canImport(Glibc)
    import Glibc
#endif

/// A probe ready to run: its port resolved to the host port, its exec command to a shell line with the
/// container's environment. Runs blocking socket work on a thread of its own (never on Swift concurrency's
/// threads) and answers success, or the failure message of the kubelet's `Unhealthy` events.
enum ProbeCheck: Hashable, Sendable {
    case http(host: String, port: UInt16, path: String, headers: [String: String])
    case tcp(host: String, port: UInt16)
    case exec(line: String, environment: [String: String], directory: String)
    case fail(String)

    func run(timeout: Duration) async -> Result<Void, ProbeFailure> {
        switch self {
        case .http(let host, let port, let path, let headers):
            return await OwnThread.run { Self.httpGet(host: host, port: port, path: path, headers: headers, timeout) }
        case .tcp(let host, let port):
            return await OwnThread.run {
                Self.connect(host: host, port: port, timeout: timeout).map { descriptor in close(descriptor) }
            }
        case .exec(let line, let environment, let directory):
            return await ExecProbe.run(line, environment: environment, directory: directory, timeout: timeout)
        case .fail(let message):
            return .failure(ProbeFailure(message))
        }
    }

    /// `GET path HTTP/1.0`: success for a status of 200 to 399, as Kubernetes.
    static func httpGet(
        host: String, port: UInt16, path: String, headers: [String: String], _ timeout: Duration
    ) -> Result<Void, ProbeFailure> {
        let descriptor: Int32
        switch connect(host: host, port: port, timeout: timeout) {
        case .success(let value): descriptor = value
        case .failure(let failure): return .failure(failure)
        }
        defer { close(descriptor) }
        var request = "GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.37\r\nAccept: */*\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "Connection: close\r\n\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if count <= 0 { return .failure(ProbeFailure("Get \"http://\(host):\(port)\(path)\": write failed")) }
            sent += count
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !response.contains(10) && response.count < 8192 {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                return .failure(
                    ProbeFailure(
                        "Get \"http://\(host):\(port)\(path)\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                    ))
            }
            if count == 0 { break }
            response += buffer[0..<count]
        }
        // "HTTP/1.0 200 OK"
        let line = String(decoding: response.prefix { $0 != 10 && $0 != 13 }, as: UTF8.self)
        let words = line.split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), let code = Int(words[1]) else {
            return .failure(ProbeFailure("Get \"http://\(host):\(port)\(path)\": malformed HTTP response"))
        }
        if (200..<400).contains(code) { return .success(()) }
        return .failure(ProbeFailure("HTTP probe failed with statuscode: \(code)"))
    }

    /// A connected TCP socket (blocking, with send/receive timeouts), or why not: connects without blocking and
    /// waits at most `timeout`.
    static func connect(host: String, port: UInt16, timeout: Duration) -> Result<Int32, ProbeFailure> {
        let target = "\(host):\(port)"
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let literal = host == "localhost" ? "127.0.0.1" : host
        guard inet_pton(AF_INET, literal, &address.sin_addr) == 1 else {
            return .failure(ProbeFailure("dial tcp \(target): only IPv4 addresses are probed"))
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return .failure(ProbeFailure("dial tcp \(target): \(errorText(errno))")) }
        let flags = fcntl(descriptor, F_GETFL, 0)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var failure: Int32 = result == 0 ? 0 : errno
        if failure == EINPROGRESS {
            var poll = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(clamping: timeout.components.seconds * 1000)
            let ready = Glibc.poll(&poll, 1, milliseconds)
            if ready == 0 {
                close(descriptor)
                return .failure(ProbeFailure("dial tcp \(target): i/o timeout"))
            }
            var length = socklen_t(MemoryLayout<Int32>.size)
            failure = 0
            if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) != 0 { failure = errno }
        }
        if failure != 0 {
            close(descriptor)
            return .failure(ProbeFailure("dial tcp \(target): connect: \(errorText(failure))"))
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        return .success(descriptor)
    }

    /// `connection refused`, as Go words errnos (lower case).
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)).lowercased() }
}

/// Runs a blocking function on a new detached POSIX thread and resumes with its answer, so that sockets and
/// waits never hold one of Swift concurrency's few threads.
enum OwnThread {
    private final class Job: @unchecked Sendable {
        // Written once before the thread starts, read once on it: no sharing.
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let job = Job { continuation.resume(returning: body()) }
            let context = Unmanaged.passRetained(job).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(
                &thread, nil,
                { context in
                    guard let context else { return nil }
                    let job = Unmanaged<Job>.fromOpaque(context).takeRetainedValue()
                    job.body()
                    return nil
                }, context)
            if started == 0 {
                pthread_detach(thread)
            } else {
                // No thread to be had: run here rather than never (rare; the work is bounded by its timeout).
                Unmanaged<Job>.fromOpaque(context).takeRetainedValue().body()
            }
        }
    }
}
