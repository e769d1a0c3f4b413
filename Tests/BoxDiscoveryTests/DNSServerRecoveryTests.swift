import BoxTestSupport
import NIOCore
import Testing

@testable import BoxDiscovery

/// A send error closes a NIO datagram channel (a firewall's EPERM on one reply would end UDP service), so the server
/// binds its UDP socket again on the same port; and it never tries to reply to a source no reply can reach.
@Suite struct DNSServerRecoveryTests {
    @Test func udpSocketClosedByAnErrorIsBoundAgain() async throws {
        try await withDNSServer { server, _ in
            let port = server.port
            let query = DNSMessage.query(id: 1, name: "leader.mesos", type: .a)
            #expect(try await onOwnThread { try UDPTestSocket(port: port).exchange(query) }.answers.count == 1)
            await server.closeUDPSocketForTesting()
            // The new socket is bound a moment later; a fresh client socket asks until it answers (at most ~15 s: the
            // rebind is scheduled on Swift concurrency's threads, which the suite's start keeps busy for seconds).
            let answered = try await onOwnThread {
                for _ in 0..<150 {
                    let socket = try UDPTestSocket(port: port, receiveTimeout: .milliseconds(100))
                    if let reply = try? socket.exchange(query) { return reply.answers.count == 1 }
                }
                return false
            }
            #expect(answered && server.statistics.udpRebinds == 1 && server.port == port)
        }
    }

    @Test(arguments: [
        ("127.0.0.1", 5353, true), ("::1", 53, true), ("127.0.0.1", 0, false), ("255.255.255.255", 53, false),
        ("0.0.0.0", 53, false), ("224.0.0.251", 5353, false), ("ff02::1", 53, false),
    ])
    func repliesGoOnlyToUnicastSources(_ host: String, _ port: Int, _ replyable: Bool) throws {
        #expect(DNSUDPHandler.canReply(to: try SocketAddress(ipAddress: host, port: port)) == replyable)
    }
}
