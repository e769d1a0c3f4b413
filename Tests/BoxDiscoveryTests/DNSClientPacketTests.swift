import BoxDiscovery
import Testing

/// Queries as a real client library writes them: dnspython 2.9 `make_query(...).to_wire()`.
@Suite struct DNSClientPacketTests {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    /// `_web._tcp.marathon.mesos SRV`, EDNS0 with a 1232-octet payload and an 8-octet cookie option.
    static let srvWithCookie = bytes(
        "000101000001000000000001045f776562045f746370086d61726174686f6e056d65736f730000210001"
            + "00002904d000000000000c000a00081111111111111111")
    /// `WWW.Mesos A` without EDNS, spelled in mixed case.
    static let mixedCaseA = bytes("00020100000100000000000003575757054d65736f730000010001")
    /// `nope.mesos A` with EDNS0 and no options.
    static let nxdomainWithEDNS = bytes(
        "000301000001000000000001046e6f7065056d65736f73000001000100002904d0000000000000")

    let answerer = DNSZoneAnswerer(zones: [DNSAnswererTests.mesosZone])

    func reply(_ packet: [UInt8]) throws -> DNSMessage {
        guard case .reply(let bytes) = answerer.respond(to: packet, transport: .udp) else {
            throw DNSParseError(.truncated, id: nil)
        }
        return try DNSMessage(parsing: bytes)
    }

    @Test func srvQueryWithACookie() throws {
        let query = try DNSMessage(parsing: Self.srvWithCookie)
        #expect(query.edns?.udpPayloadSize == 1232 && query.edns?.options.count == 12)
        let reply = try reply(Self.srvWithCookie)
        #expect(reply.id == 1 && reply.answers.count == 2 && reply.additional.count == 2 && reply.edns != nil)
    }

    @Test func mixedCaseQueryIsAnsweredWithItsSpelling() throws {
        let reply = try reply(Self.mixedCaseA)
        #expect(reply.questions[0].name.labels.map { String(decoding: $0, as: UTF8.self) } == ["WWW", "Mesos"])
        #expect(reply.answers.map(\.type) == [.cname, .a, .a, .a] && reply.edns == nil)
    }

    @Test func nxdomainKeepsTheOPTRecord() throws {
        let reply = try reply(Self.nxdomainWithEDNS)
        #expect(reply.rcode == .nameError && reply.authority.map(\.type) == [.soa] && reply.edns != nil)
    }
}
