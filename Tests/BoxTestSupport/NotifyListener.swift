import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A listening `AF_UNIX` datagram socket standing in for systemd's notify socket: bound to a fresh path in the
/// temporary directory, or to a fresh abstract name; `NOTIFY_SOCKET` is `environmentValue`. Closed (and its file
/// removed) by `close()`.
public final class NotifyListener: @unchecked Sendable {  // fd and path are set once in init; close() is the owner's
    public let environmentValue: String
    private let fd: Int32
    private let path: String?

    public init(abstract: Bool) throws {
        let name = "clusterbox-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        if abstract {
            path = nil
            environmentValue = "@" + name
            bytes = [0] + Array(name.utf8)
        } else {
            let file = NSTemporaryDirectory() + "/" + name + ".sock"
            path = file
            environmentValue = file
            bytes = Array(file.utf8) + [0]
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
    }

    /// The next datagram, or nil when none arrives within `timeout`. Blocks: call it on a thread of its own.
    public func receive(within timeout: Duration) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        // A negative timeout would make poll wait forever.
        let milliseconds = Int32(
            max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Datagrams until one contains `line` (as a whole line), or nil after `timeout`; returns every datagram read.
    public func receive(until line: String, within timeout: Duration) -> [String]? {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            guard let message = receive(within: deadline - ContinuousClock.now) else { return nil }
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(line)) { return seen }
        }
        return nil
    }

    public func close() {
        Glibc.close(fd)
        if let path { unlink(path) }
    }
}
