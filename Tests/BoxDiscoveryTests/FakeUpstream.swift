import BoxDiscovery
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An upstream resolver scripted by the test: a UDP socket on a loopback address that answers each query it
/// receives with whatever `replies` makes of it, as raw datagrams. Blocks: run `serve` on a thread of its own.
final class FakeUpstream: @unchecked Sendable {  // the socket is used by one thread at a time: serve, then deinit
    let host: String
    let port: Int
    private let fd: Int32

    init(host: String) throws {
        self.host = host
        fd = try SilentPeer.bound(Int32(SOCK_DGRAM.rawValue), host: host, port: 0)
        port = SilentPeer.port(of: fd)
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Answers `count` queries, each with the datagrams `replies` returns for it, in order; returns the queries.
    func serve(count: Int, replies: (DNSMessage) -> [[UInt8]]) throws -> [DNSMessage] {
        var queries: [DNSMessage] = []
        for _ in 0..<count {
            var buffer = [UInt8](repeating: 0, count: 65536)
            var from = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let received = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard received >= 0 else { throw TestSocketError(description: "the fake upstream got no query") }
            let query = try DNSMessage(parsing: Array(buffer.prefix(received)))
            queries.append(query)
            for reply in replies(query) {
                _ = reply.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, bytes.baseAddress, bytes.count, 0, $0, length)
                        }
                    }
                }
            }
        }
        return queries
    }
}
