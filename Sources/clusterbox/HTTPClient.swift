import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small blocking HTTP/1.1 client for the CLI, which only ever talks to its own cluster on loopback. One
/// request per connection (`Connection: close`); bodies framed by Content-Length, chunked encoding or the end of
/// the connection; streaming for server-sent events.
struct HTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }

        /// The `message` of a JSON error body, or the body itself.
        var errorMessage: String {
            if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
                let message = object["message"] as? String
            {
                // Marathon's 422s list each failing field.
                let details = (object["details"] as? [[String: Any]] ?? []).map { detail in
                    "\(detail["path"] as? String ?? "?"): \((detail["errors"] as? [String] ?? []).joined(separator: ", "))"
                }
                return details.isEmpty ? message : message + ": " + details.joined(separator: "; ")
            }
            return text.isEmpty ? "HTTP \(status)" : text
        }
    }

    enum Failure: Error, CustomStringConvertible {
        case connect(String, Int, String)
        case protocolError(String)

        var description: String {
            switch self {
            case .connect(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
            case .protocolError(let reason): "bad HTTP response: \(reason)"
            }
        }
    }

    var host: String
    var port: Int
    var timeoutSeconds = 70

    func get(_ path: String) throws -> Response { try request("GET", path) }

    func request(_ method: String, _ path: String, json: Data? = nil) throws -> Response {
        let connection = try Connection(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { connection.close() }
        try connection.send(requestHead(method, path, body: json))
        var reader = ResponseReader(connection: connection)
        let (status, headers) = try reader.readHead()
        var body = Data()
        try reader.readBody(headers: headers) {
            body.append($0)
            return true
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Streams a response body to `onData` as it arrives, until the server ends it or `onData` returns false.
    func stream(_ path: String, onData: (Data) -> Bool) throws -> Int {
        let connection = try Connection(host: host, port: port, timeoutSeconds: 0)
        defer { connection.close() }
        try connection.send(requestHead("GET", path, body: nil, accept: "text/event-stream"))
        var reader = ResponseReader(connection: connection)
        let (status, headers) = try reader.readHead()
        try reader.readBody(headers: headers, onData: onData)
        return status
    }

    private func requestHead(_ method: String, _ path: String, body: Data?, accept: String = "application/json") -> Data
    {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: \(accept)\r\nConnection: close\r\n"
        head += "User-Agent: clusterbox-cli\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var data = Data((head + "\r\n").utf8)
        if let body { data.append(body) }
        return data
    }
}

/// A blocking TCP connection.
final class Connection {
    private let fd: Int32

    init(host: String, port: Int, timeoutSeconds: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPClient.Failure.connect(host, port, String(cString: strerror(errno))) }
        if timeoutSeconds > 0 {
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw HTTPClient.Failure.connect(host, port, "not an IPv4 address")
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw HTTPClient.Failure.connect(host, port, reason)
        }
    }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw HTTPClient.Failure.protocolError("send: \(String(cString: strerror(errno)))") }
                sent += n
            }
        }
    }

    /// Up to 64 KiB, or empty at the end of the stream.
    func receive() throws -> Data {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw HTTPClient.Failure.protocolError("receive: \(String(cString: strerror(errno)))") }
            return Data(buffer[0..<n])
        }
    }

    func close() { Glibc.close(fd) }
}

/// Parses one HTTP/1.1 response from a connection.
struct ResponseReader {
    let connection: Connection
    private var pending = Data()
    private var ended = false

    init(connection: Connection) { self.connection = connection }

    private mutating func fill() throws -> Bool {
        guard !ended else { return false }
        let data = try connection.receive()
        if data.isEmpty {
            ended = true
            return false
        }
        pending.append(data)
        return true
    }

    private mutating func readLine() throws -> String {
        while true {
            if let range = pending.range(of: Data("\r\n".utf8)) {
                let line = String(decoding: pending[pending.startIndex..<range.lowerBound], as: UTF8.self)
                pending.removeSubrange(pending.startIndex..<range.upperBound)
                return line
            }
            guard try fill() else { throw HTTPClient.Failure.protocolError("connection closed mid-header") }
        }
    }

    mutating func readHead() throws -> (Int, [String: String]) {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw HTTPClient.Failure.protocolError("status line '\(statusLine)'")
        }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (status, headers)
    }

    mutating func readBody(headers: [String: String], onData: (Data) -> Bool) throws {
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16)
                else {
                    throw HTTPClient.Failure.protocolError("chunk size '\(sizeLine)'")
                }
                if size == 0 { return }
                while pending.count < size + 2 {
                    guard try fill() else { throw HTTPClient.Failure.protocolError("connection closed mid-chunk") }
                }
                let chunk = pending.prefix(size)
                pending.removeFirst(size + 2)
                if !onData(Data(chunk)) { return }
            }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            while pending.count < length {
                guard try fill() else { throw HTTPClient.Failure.protocolError("connection closed mid-body") }
            }
            _ = onData(Data(pending.prefix(length)))
        } else {
            if !pending.isEmpty, !onData(pending) { return }
            pending.removeAll()
            while try fill() {
                if !onData(pending) { return }
                pending.removeAll()
            }
        }
    }
}
