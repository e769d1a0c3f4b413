import BoxDiscovery
import BoxTestSupport
import Foundation
import Testing

/// Names outside our zones go to the forwarders when the answerer's policy is `.forward`. The upstream here is a
/// second `DNSServer` on 127.0.0.2 serving `example.test.`; ours listens on 127.0.0.1. A UDP query is forwarded
/// over UDP and a TCP query over TCP; the reply comes back as the upstream sent it, with the client's id.
@Suite struct DNSServerForwardingTests {
    static let upstreamZone = DNSZone(
        apex: "example.test",
        soa: DNSSOA(primaryServer: "ns.example.test", responsibleMailbox: "root.example.test", serial: 11),
        nameServers: ["ns.example.test"],
        records: [DNSRecord(name: "www.example.test", data: .a(IPv4Octets(127, 96, 6, 1)))]
            + (0..<60).map { DNSRecord(name: "big.example.test", data: .a(IPv4Octets(127, 96, 7, UInt8($0)))) })

    /// Runs `body` with the upstream on 127.0.0.2 and our server forwarding to `forwarders(upstreamPort)`. The
    /// forward timeout and the test sockets' receive timeouts are long, for a loaded machine, wherever a test does
    /// not measure them.
    func withForwarding(
        forwardTimeout: Duration = .seconds(8), _ forwarders: @escaping (Int) -> [String],
        _ body: @escaping @Sendable (_ ours: DNSServer, _ upstream: DNSServer) async throws -> Void
    ) async throws {
        try await withDNSServer(
            DNSZoneAnswerer(zones: [Self.upstreamZone]), DNSServerConfiguration(host: "127.0.0.2", port: 0)
        ) {
            upstream, _ in
            let configuration = DNSServerConfiguration(
                port: 0, forwarders: forwarders(upstream.port), forwardTimeout: forwardTimeout)
            try await withDNSServer(ServerTestZones.answerer(outsideZones: .forward), configuration) { ours, _ in
                try await body(ours, upstream)
            }
        }
    }

    @Test func forwardsOverUDPAndTCPWithTheClientsID() async throws {
        try await withForwarding({ ["127.0.0.2:\($0)"] }) { ours, upstream in
            let port = ours.port
            try await onOwnThread {
                let udp = try UDPTestSocket(port: port, receiveTimeout: .seconds(15))
                let tcp = try TCPTestSocket(port: port, receiveTimeout: .seconds(15))
                let www = DNSMessage.query(id: 0xBEEF, name: "WWW.example.test", type: .a)
                for reply in [try udp.exchange(www), try tcp.exchange(www)] {
                    #expect(reply.id == 0xBEEF && reply.isAuthoritative && reply.questions == www.questions)
                    #expect(reply.answers.map(\.data) == [.a(IPv4Octets(127, 96, 6, 1))])
                }
                let nope = try udp.exchange(DNSMessage.query(id: 7, name: "nope.example.test", type: .a))
                #expect(nope.rcode == .nameError && nope.authority.map(\.name) == ["example.test"])
                // Our own zones never go upstream.
                #expect(try udp.exchange(DNSMessage.query(id: 8, name: "leader.mesos", type: .a)).answers.count == 1)
            }
            #expect(ours.statistics.forwarded == 3 && ours.statistics.forwardFailures == 0)
            #expect(upstream.statistics.udpQueries == 2 && upstream.statistics.tcpQueries == 1)
            #expect(ours.statistics.replies(.nameError) == 1 && ours.statistics.replies(.noError) == 3)
        }
    }

    /// 60 records do not fit the 512 octets of a query without EDNS: the upstream truncates, we relay TC, and the
    /// client's retry over TCP is forwarded over TCP and gets all 60.
    @Test func truncatedUpstreamReplyThenTCP() async throws {
        try await withForwarding({ ["127.0.0.2:\($0)"] }) { ours, _ in
            let port = ours.port
            try await onOwnThread {
                let query = DNSMessage.query(id: 60, name: "big.example.test", type: .a)
                let cut = try UDPTestSocket(port: port, receiveTimeout: .seconds(15)).exchange(query)
                #expect(cut.isTruncated && cut.answers.count < 60)
                #expect(try TCPTestSocket(port: port, receiveTimeout: .seconds(15)).exchange(query).answers.count == 60)
            }
            #expect(ours.statistics.truncated == 1)
        }
    }

    /// A forwarder that takes the query and never answers: SERVFAIL once the 300 ms forward timeout is up.
    @Test func silentForwarderGivesSERVFAIL() async throws {
        let silent = try SilentPeer(host: "127.0.0.3")
        let forwarder = "127.0.0.3:\(silent.port)"
        try await withForwarding(forwardTimeout: .milliseconds(300), { _ in [forwarder] }) { ours, _ in
            let port = ours.port
            try await onOwnThread {
                let query = DNSMessage.query(id: 3, name: "www.example.test", type: .a, edns: DNSEDNS())
                for transport in ["UDP", "TCP"] {
                    let start = Date()
                    let reply =
                        transport == "UDP"
                        ? try UDPTestSocket(port: port, receiveTimeout: .seconds(15)).exchange(query)
                        : try TCPTestSocket(port: port, receiveTimeout: .seconds(15)).exchange(query)
                    let elapsed = Date().timeIntervalSince(start)
                    #expect(reply.id == 3 && reply.rcode == .serverFailure && reply.questions == query.questions)
                    #expect(reply.edns != nil, "the query had EDNS, so the reply does")
                    #expect(elapsed >= 0.25 && elapsed < 1.5, "\(transport): \(elapsed) s")
                }
            }
            #expect(ours.statistics.forwardFailures == 2 && ours.statistics.replies(.serverFailure) == 2)
        }
        withExtendedLifetime(silent) {}
    }

    /// The first forwarder refuses (nothing listens on its port: ICMP port unreachable, or a TCP reset), so the
    /// second is asked at once, well before the timeout.
    @Test func refusingForwarderMakesWayForTheNext() async throws {
        let closed = try SilentPeer.closedPort(host: "127.0.0.4")
        try await withForwarding(forwardTimeout: .seconds(5), { ["127.0.0.4:\(closed)", "127.0.0.2:\($0)"] }) {
            ours, _ in
            let port = ours.port
            try await onOwnThread {
                let query = DNSMessage.query(id: 4, name: "www.example.test", type: .a)
                let start = Date()
                let (udp, tcp) = (
                    try UDPTestSocket(port: port, receiveTimeout: .seconds(15)),
                    try TCPTestSocket(port: port, receiveTimeout: .seconds(15))
                )
                #expect(try udp.exchange(query).answers.count == 1)
                #expect(try tcp.exchange(query).answers.count == 1)
                #expect(Date().timeIntervalSince(start) < 2)
            }
        }
    }

    /// An upstream that first sends a reply with another id and one for another question (both ignored: they
    /// could be spoofed), then 100 A records, 1,600-odd octets. The client without EDNS may take 512: it gets TC, its
    /// id and no records (the upstream reply is not re-serialized), and asks again over TCP. A client with EDNS 4096
    /// gets all 100 relayed as they came.
    @Test func upstreamReplyTooBigForTheClientIsCutToTC() async throws {
        let upstream = try FakeUpstream(host: "127.0.0.5")
        let configuration = DNSServerConfiguration(
            port: 0, forwarders: ["127.0.0.5:\(upstream.port)"], forwardTimeout: .seconds(8))
        try await withDNSServer(ServerTestZones.answerer(outsideZones: .forward), configuration) { ours, _ in
            let port = ours.port
            async let served = onOwnThread {
                try upstream.serve(count: 2) { query in
                    var reply = DNSMessage(id: query.id, isResponse: true, questions: query.questions, edns: query.edns)
                    reply.answers = (0..<100).map {
                        DNSRecord(name: query.questions[0].name, data: .a(IPv4Octets(127, 96, 8, UInt8($0))))
                    }
                    var otherID = reply
                    otherID.id &+= 1
                    var otherQuestion = reply
                    otherQuestion.questions = [DNSQuestion(name: "other.example.test", type: .a)]
                    return [otherID, otherQuestion, reply].map { $0.serialized(maxSize: 65535) }
                }
            }
            let (small, large) = try await onOwnThread {
                let udp = try UDPTestSocket(port: port, receiveTimeout: .seconds(15))
                let small = try udp.exchange(DNSMessage.query(id: 21, name: "many.example.test", type: .a))
                let large = try udp.exchange(
                    DNSMessage.query(id: 22, name: "many.example.test", type: .a, edns: DNSEDNS(udpPayloadSize: 4096)))
                return (small, large)
            }
            #expect(small.id == 21 && small.isTruncated && small.answers.isEmpty && small.rcode == .noError)
            #expect(large.id == 22 && !large.isTruncated && large.answers.count == 100)
            #expect(try await served.map(\.id) == [21, 22])
            #expect(ours.statistics.truncated == 1 && ours.statistics.forwarded == 2)
        }
        withExtendedLifetime(upstream) {}
    }

    /// The `.forward` policy with no forwarder configured: REFUSED, as the `.refuse` policy answers.
    @Test func noForwarderRefuses() async throws {
        try await withDNSServer(ServerTestZones.answerer(outsideZones: .forward)) { server, _ in
            let port = server.port
            let reply = try await onOwnThread {
                try UDPTestSocket(port: port, receiveTimeout: .seconds(15)).exchange(
                    DNSMessage.query(id: 5, name: "example.com", type: .a))
            }
            #expect(reply.rcode == .refused && reply.id == 5)
        }
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.1:5353", "[::1]:5353", "::1", "fd00::53"])
    func forwarderAddressesParse(_ forwarder: String) async throws {
        try await withDNSServer(ServerTestZones.answerer(), DNSServerConfiguration(port: 0, forwarders: [forwarder])) {
            _, _ in
        }
    }

    @Test(arguments: ["dns.example.com", "127.0.0.1:", "127.0.0.1:99999", "[::1", "[::1]:x", ""])
    func invalidForwardersStopTheStart(_ forwarder: String) async throws {
        await #expect(throws: DNSServerError.invalidForwarder(forwarder)) {
            try await withDNSServer(
                ServerTestZones.answerer(), DNSServerConfiguration(port: 0, forwarders: [forwarder])
            ) {
                _, _ in
            }
        }
    }

    /// resolv.conf: nameserver lines in order, without comments, our own address or zoned link-local addresses.
    @Test func hostResolversComeFromResolvConf() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("resolv-\(UUID().uuidString).conf")
            .path
        let text = """
            # generated
            search cluster.local
            nameserver 127.0.0.53
            nameserver 10.0.0.2 ; the office
            nameserver fe80::1%eth0
            ;nameserver 10.9.9.9
              nameserver 2001:db8::53
            options ndots:5
            nameserver 10.0.0.3
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(
            DNSServer.hostResolvers(resolvConf: path, excluding: "127.0.0.53") == [
                "10.0.0.2", "2001:db8::53", "10.0.0.3",
            ])
        #expect(DNSServer.hostResolvers(resolvConf: path + ".missing", excluding: "127.0.0.1").isEmpty)
    }
}
