import BoxDiscovery
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct TestSocketError: Error, CustomStringConvertible {
    var description: String
}

/// Blocking loopback sockets for the live-server tests, with receive timeouts. Run them on a thread of their own
/// (`onOwnThread`): they block.
class TestSocket {
    let fd: Int32

    init(type: Int32, host: String, port: Int, receiveTimeout: Duration) throws {
        fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw TestSocketError(description: "socket: errno \(errno)") }
        var timeout = timeval(
            tv_sec: Int(receiveTimeout.components.seconds),
            tv_usec: Int(receiveTimeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw TestSocketError(description: "connect to \(host):\(port): errno \(errno)")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return }  // the peer is gone: what was not sent does not matter to these tests
            offset += sent
        }
    }
}

/// A connected UDP socket: datagrams from anyone but the server are not received.
final class UDPTestSocket: TestSocket {
    init(host: String = "127.0.0.1", port: Int, receiveTimeout: Duration = .seconds(2)) throws {
        try super.init(type: Int32(SOCK_DGRAM.rawValue), host: host, port: port, receiveTimeout: receiveTimeout)
    }

    /// Sends `packet` as one datagram, even an empty one.
    override func send(_ packet: [UInt8]) {
        _ = packet.withUnsafeBytes { Glibc.send(fd, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), $0.count, 0) }
    }

    /// The next datagram, nil after the receive timeout.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count >= 0 ? Array(buffer.prefix(count)) : nil
    }

    /// Sends `query` and returns the first reply with its id.
    func exchange(_ query: DNSMessage) throws -> DNSMessage {
        send(query.serialized())
        while let bytes = receive() {
            if DNSMessage.peekID(bytes) == query.id { return try DNSMessage(parsing: bytes) }
        }
        throw TestSocketError(description: "no UDP reply to \(query.questions)")
    }
}

/// A TCP connection speaking DNS frames (a two-octet length, then the message). Its receive timeout is longer than
/// a UDP socket's: TCP loses nothing, so only a failure waits it out, and a server on a loaded machine took over 2 s.
final class TCPTestSocket: TestSocket {
    init(host: String = "127.0.0.1", port: Int, receiveTimeout: Duration = .seconds(10)) throws {
        try super.init(type: Int32(SOCK_STREAM.rawValue), host: host, port: port, receiveTimeout: receiveTimeout)
    }

    func sendFrame(_ message: [UInt8]) { send(Self.frame(message)) }

    static func frame(_ message: [UInt8]) -> [UInt8] {
        [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }

    /// Exactly `count` octets, nil on EOF or timeout first.
    func receive(exactly count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            guard got > 0 else { return nil }
            filled += got
        }
        return buffer
    }

    /// The next framed message, nil on EOF or timeout.
    func receiveFrame() -> [UInt8]? {
        guard let length = receive(exactly: 2) else { return nil }
        return receive(exactly: Int(length[0]) << 8 | Int(length[1]))
    }

    func exchange(_ query: DNSMessage) throws -> DNSMessage {
        sendFrame(query.serialized())
        guard let bytes = receiveFrame() else {
            throw TestSocketError(description: "no TCP reply to \(query.questions)")
        }
        return try DNSMessage(parsing: bytes)
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// True when the server closes the connection (recv sees EOF) before the receive timeout.
    func closedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

/// A UDP socket and a listening TCP socket on one loopback address and port that never answer: an upstream
/// resolver that has hung. The kernel still completes TCP handshakes into the backlog and queues datagrams.
final class SilentPeer {
    let host: String
    let port: Int
    private let udp: Int32
    private let tcp: Int32

    init(host: String) throws {
        for _ in 0..<8 {
            let udp = try Self.bound(Int32(SOCK_DGRAM.rawValue), host: host, port: 0)
            let port = Self.port(of: udp)
            if let tcp = try? Self.bound(Int32(SOCK_STREAM.rawValue), host: host, port: port) {
                listen(tcp, 16)
                (self.host, self.port, self.udp, self.tcp) = (host, port, udp, tcp)
                return
            }
            close(udp)
        }
        throw TestSocketError(description: "no port free for both UDP and TCP on \(host)")
    }

    deinit {
        close(udp)
        close(tcp)
    }

    /// A port on `host` where nothing listens now, for UDP or TCP: connecting gets refused.
    static func closedPort(host: String) throws -> Int {
        let udp = try bound(Int32(SOCK_DGRAM.rawValue), host: host, port: 0)
        defer { close(udp) }
        return port(of: udp)
    }

    static func bound(_ type: Int32, host: String, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, type, 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw TestSocketError(description: "bind \(host):\(port): errno \(errno)")
        }
        return fd
    }

    static func port(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
