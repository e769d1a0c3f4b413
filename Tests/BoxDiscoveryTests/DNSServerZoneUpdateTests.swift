import BoxDiscovery
import BoxTestSupport
import Testing

/// The registry publishes new zones through `DNSZoneSource.update`; the server reads `current` per query, so the
/// very next query after an update sees it, over UDP and TCP, with no wait or retry.
@Suite struct DNSServerZoneUpdateTests {
    /// `mesos.` with web-prod at `address` only, and `new.mesos` when `withNewName`.
    static func zones(webProdAt address: IPv4Octets, serial: UInt32, withNewName: Bool) -> DNSZoneAnswerer {
        var records = [DNSRecord(name: "web-prod.marathon.mesos", data: .a(address))]
        if withNewName { records.append(DNSRecord(name: "new.mesos", data: .a(IPv4Octets(127, 96, 4, 1)))) }
        let mesos = DNSZone(
            apex: "mesos",
            soa: DNSSOA(primaryServer: "ns1.mesos", responsibleMailbox: "root.ns1.mesos", serial: serial),
            nameServers: ["ns1.mesos"], records: records)
        return DNSZoneAnswerer(zones: [mesos])
    }

    @Test func updateIsVisibleToTheNextQuery() async throws {
        try await withDNSServer { server, zones in
            let port = server.port
            try await onOwnThread {
                let udp = try UDPTestSocket(port: port)
                let tcp = try TCPTestSocket(port: port)
                let webProd = DNSMessage.query(id: 1, name: "web-prod.marathon.mesos", type: .a)
                let newName = DNSMessage.query(id: 2, name: "new.mesos", type: .a)
                #expect(try udp.exchange(webProd).answers.count == 3)
                #expect(try tcp.exchange(newName).rcode == .nameError)

                zones.update(Self.zones(webProdAt: IPv4Octets(127, 96, 0, 99), serial: 8, withNewName: true))
                #expect(try udp.exchange(webProd).answers.map(\.data) == [.a(IPv4Octets(127, 96, 0, 99))])
                #expect(try tcp.exchange(newName).answers.map(\.data) == [.a(IPv4Octets(127, 96, 4, 1))])
                #expect(try udp.exchange(DNSMessage.query(id: 3, name: "leader.mesos", type: .a)).rcode == .nameError)

                // 200 updates, each read back by the next query over one transport or the other.
                for generation in 0..<200 {
                    let address = IPv4Octets(127, 96, 5, UInt8(generation % 256))
                    zones.update(Self.zones(webProdAt: address, serial: UInt32(generation), withNewName: false))
                    let query = DNSMessage.query(id: UInt16(generation), name: "web-prod.marathon.mesos", type: .a)
                    let reply = generation % 2 == 0 ? try udp.exchange(query) : try tcp.exchange(query)
                    #expect(reply.answers.map(\.data) == [.a(address)], "generation \(generation)")
                }
            }
        }
    }

    /// A repeated question is answered from the reply cache: the same octets but for the id, which is the
    /// asker's; the statistics count it like any reply; an update empties the cache.
    @Test func repeatedQuestionsComeFromTheCacheWithTheirOwnID() async throws {
        try await withDNSServer { server, zones in
            let port = server.port
            try await onOwnThread {
                let udp = try UDPTestSocket(port: port)
                let first = try udp.exchange(DNSMessage.query(id: 10, name: "web-prod.marathon.mesos", type: .a))
                for id in UInt16(11)...30 {
                    let again = try udp.exchange(DNSMessage.query(id: id, name: "web-prod.marathon.mesos", type: .a))
                    var expected = first
                    expected.id = id
                    #expect(again == expected)
                }
                let missing = DNSMessage.query(id: 40, name: "nothing.mesos", type: .a)
                #expect(try udp.exchange(missing).rcode == .nameError)
                #expect(try udp.exchange(missing).rcode == .nameError)
                #expect(server.statistics.replies(.noError) >= 21 && server.statistics.replies(.nameError) >= 2)

                zones.update(Self.zones(webProdAt: IPv4Octets(127, 96, 0, 77), serial: 9, withNewName: false))
                let updated = try udp.exchange(DNSMessage.query(id: 50, name: "web-prod.marathon.mesos", type: .a))
                #expect(updated.answers.map(\.data) == [.a(IPv4Octets(127, 96, 0, 77))])
            }
        }
    }
}
