import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP server on 127.0.0.1 and a free port, for health probe tests. Each connection's request head is recorded;
/// the connection then gets `reply` and is closed, or, with `reply == nil`, is held open unanswered until `stop()`.
/// One thread polls the listener every 20 ms, so `stop()` returns within about that.
final class LoopbackServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let reply: String?
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        var stopping = false
        var requests: [String] = []
        var heldOpen: [Int32] = []
    }

    init(reply: String?) throws {
        listener = try LoopbackSocket.bound()
        guard listen(listener, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        port = LoopbackSocket.port(of: listener)
        self.reply = reply
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "health-test-server-\(port)"
        thread.start()
    }

    var requests: [String] { state.withLock { $0.requests } }

    func stop() {
        state.withLock { $0.stopping = true }
        finished.wait()
        let held = state.withLock { $0.heldOpen }
        for descriptor in held { close(descriptor) }
        close(listener)
    }

    private func serve() {
        while !state.withLock({ $0.stopping }) {
            var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 20) == 1 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let head = readHead(connection)
            state.withLock { $0.requests.append(head) }
            guard let reply else {
                state.withLock { $0.heldOpen.append(connection) }
                continue
            }
            LoopbackSocket.transmit(reply, to: connection)
            close(connection)
        }
    }

    /// Reads until the blank line that ends a request head, for at most 2 s.
    private func readHead(_ connection: Int32) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline, !String(decoding: bytes, as: UTF8.self).contains("\r\n\r\n") {
            var pollDescriptor = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 20) == 1 else { continue }
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

enum LoopbackSocket {
    /// A TCP socket bound to 127.0.0.1 on a free port, not yet listening: connecting to it is refused.
    static func bound() throws -> Int32 {
        #if os(Linux)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return descriptor
    }

    static func port(of descriptor: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Best effort; never raises SIGPIPE when the client has gone.
    static func transmit(_ text: String, to descriptor: Int32) {
        #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            var on: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
            let flags: Int32 = 0
        #endif
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, flags) }
            if sent <= 0 { return }
            offset += sent
        }
    }
}
