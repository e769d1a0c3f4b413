import BoxDiscovery
import Testing

/// Octets of a name without compression, for hand-built packets.
func wireName(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for label in text.split(separator: ".") {
        out.append(UInt8(label.utf8.count))
        out += Array(label.utf8)
    }
    return out + [0]
}

/// A query as `dig example.mesos` sends it (BIND 9.18: RD and AD set, EDNS0 with 1232 octets and a cookie).
let digQuery: [UInt8] =
    [0xAB, 0xCD, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01] + wireName("example.mesos")
    + [0x00, 0x01, 0x00, 0x01]
    + [0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x0A, 0x00, 0x08]
    + [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]

/// An RFC 1035 response by hand: one A record whose owner is a pointer to the question name at offset 12.
let handBuiltResponse: [UInt8] =
    [0x12, 0x34, 0x85, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00] + wireName("web.marathon.mesos")
    + [0x00, 0x01, 0x00, 0x01]
    + [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 127, 0, 0, 7]

let soaFields = DNSSOA(
    primaryServer: "ns1.mesos", responsibleMailbox: "root.ns1.mesos", serial: 42, refreshSeconds: 60,
    retrySeconds: 10, expireSeconds: 3600, minimumSeconds: 5)

@Suite struct DNSWireFormatTests {
    @Test func namesCompareCaseInsensitivelyAndKeepTheirSpelling() throws {
        let spelled = "Web.Marathon.MESOS."
        let name = try #require(DNSName(spelled))
        #expect(name == "web.marathon.mesos")
        #expect(Set([name, "WEB.marathon.mesos."]).count == 1)
        #expect(name.description == "Web.Marathon.MESOS.")
        #expect(name.isSubdomain(of: "mesos."))
        #expect(!name.isSubdomain(of: "cluster.local"))
        #expect(DNSName(String(repeating: "a", count: 64) + ".mesos") == nil)
        #expect(DNSName(Array(repeating: "abcdefghi", count: 26).joined(separator: ".")) == nil)  // 261 octets
        let (empty, root) = ("a..b", ".")
        #expect(DNSName(empty) == nil)
        #expect(DNSName(root) == DNSName.root)
    }

    @Test func everyRecordTypeRoundTrips() throws {
        let records: [DNSRecord] = [
            DNSRecord(name: "web.marathon.mesos", data: .a(IPv4Octets(127, 0, 0, 7))),
            DNSRecord(name: "mesos", ttlSeconds: 60, data: .ns("ns1.mesos")),
            DNSRecord(name: "www.mesos", data: .cname("web.marathon.mesos")),
            DNSRecord(name: "mesos", data: .soa(soaFields)),
            DNSRecord(name: "7.0.0.127.in-addr.arpa", data: .ptr("web.marathon.mesos")),
            DNSRecord(
                name: "_web._tcp.marathon.mesos",
                data: .srv(priority: 0, weight: 1, port: 31000, target: "web.marathon.mesos")),
            DNSRecord(
                name: "web.marathon.mesos", data: .txt([Array("hello".utf8), [], Array(repeating: 0x41, count: 255)])),
            DNSRecord(name: "web.marathon.mesos", data: .aaaa([0xFD] + Array(repeating: 0, count: 14) + [1])),
            DNSRecord(
                name: "web.marathon.mesos", recordClass: .chaos,
                data: .unknown(DNSRecordType(rawValue: 99), [1, 2, 3])),
        ]
        let message = DNSMessage(
            id: 0xBEEF, isResponse: true, opcode: .query, isAuthoritative: true, recursionDesired: true,
            rcode: .nameError, questions: [DNSQuestion(name: "web.marathon.mesos", type: .any)],
            answers: Array(records[0..<5]), authority: Array(records[5..<7]), additional: Array(records[7...]),
            edns: DNSEDNS(udpPayloadSize: 1232, version: 0, dnssecOK: true, options: [0, 10, 0, 2, 0xAA, 0xBB]))
        let parsed = try DNSMessage(parsing: message.serialized())
        #expect(parsed == message)
        for record in records {
            let single = DNSMessage(id: 1, isResponse: true, answers: [record])
            #expect(try DNSMessage(parsing: single.serialized()).answers == [record])
        }
    }

    @Test func extendedRCodeTravelsInTheOPTRecord() throws {
        let message = DNSMessage(id: 9, isResponse: true, rcode: .badVersion, edns: DNSEDNS())
        let bytes = message.serialized()
        #expect(bytes[3] & 0x0F == 0)
        #expect(try DNSMessage(parsing: bytes) == message)
    }

    @Test func compressionShrinksAndDecodesBack() throws {
        let names: [DNSName] = (0..<20).map { DNSName("task-\($0).Web.Marathon.mesos")! }
        let message = DNSMessage(
            id: 7, isResponse: true, questions: [DNSQuestion(name: "web.marathon.MESOS", type: .a)],
            answers: names.map { DNSRecord(name: $0, data: .a(IPv4Octets(10, 0, 0, 1))) }
                + [DNSRecord(name: "WEB.marathon.mesos", data: .cname("task-3.web.marathon.mesos"))])
        let bytes = message.serialized()
        let uncompressed =
            12 + message.questions[0].name.wireLength + 4
            + message.answers.reduce(0) { total, record in
                var size = total + record.name.wireLength + 10
                if case .cname(let target) = record.data { size += target.wireLength } else { size += 4 }
                return size
            }
        #expect(bytes.count < uncompressed * 6 / 10)
        let parsed = try DNSMessage(parsing: bytes)
        #expect(parsed == message)  // names compare case-insensitively
        #expect(parsed.questions[0].name.description == "web.marathon.MESOS.")  // the first spelling is kept
        #expect(parsed.answers[0].name.labels[0] == Array("task-0".utf8))
    }

    @Test func parsesADigQuery() throws {
        let query = try DNSMessage(parsing: digQuery)
        #expect(query.id == 0xABCD)
        #expect(!query.isResponse && query.opcode == .query && query.recursionDesired)
        #expect(query.questions == [DNSQuestion(name: "example.mesos", type: .a)])
        #expect(query.edns?.udpPayloadSize == 1232)
        #expect(query.edns?.options.count == 12)
        #expect(query.maxUDPReplySize == 1232)
    }

    @Test func parsesAHandBuiltResponseWithAPointer() throws {
        let response = try DNSMessage(parsing: handBuiltResponse)
        #expect(response.isResponse && response.isAuthoritative && response.recursionDesired)
        #expect(response.rcode == .noError)
        #expect(response.answers == [DNSRecord(name: "web.marathon.mesos", data: .a(IPv4Octets(127, 0, 0, 7)))])
    }

    @Test func truncatesAtARecordBoundaryAndSetsTC() throws {
        let answers = (0..<200).map {
            DNSRecord(name: "web.marathon.mesos", data: .a(IPv4Octets(10, 0, UInt8($0 / 256), UInt8($0 % 256))))
        }
        var message = DNSMessage(
            id: 3, isResponse: true, questions: [DNSQuestion(name: "web.marathon.mesos", type: .a)], answers: answers,
            additional: [DNSRecord(name: "x.mesos", data: .a(IPv4Octets(1, 2, 3, 4)))])
        let small = message.serialized(maxSize: 512)
        #expect(small.count <= 512)
        let parsedSmall = try DNSMessage(parsing: small)
        #expect(parsedSmall.isTruncated)
        #expect(parsedSmall.answers.count == (512 - 12 - 24) / 16)
        #expect(parsedSmall.answers == Array(answers.prefix(parsedSmall.answers.count)))
        #expect(parsedSmall.additional.isEmpty)

        message.edns = DNSEDNS(udpPayloadSize: 4096)
        let large = message.serialized(maxSize: 4096)
        let parsedLarge = try DNSMessage(parsing: large)
        #expect(!parsedLarge.isTruncated && parsedLarge.answers.count == 200 && parsedLarge.additional.count == 1)
        #expect(parsedLarge.edns?.udpPayloadSize == 4096)
        let medium = try DNSMessage(parsing: message.serialized(maxSize: 1232))
        #expect(medium.isTruncated && medium.edns != nil && medium.answers.count < 200)

        // Only the additional section does not fit: dropped without TC.
        message.edns = nil
        message.answers = Array(answers.prefix(10))
        message.additional = (0..<40).map {
            DNSRecord(name: DNSName("x\($0).mesos")!, data: .a(IPv4Octets(1, 2, 3, 4)))
        }
        let partial = try DNSMessage(parsing: message.serialized(maxSize: 512))
        #expect(!partial.isTruncated && partial.answers.count == 10 && partial.additional.count < 40)
    }
}
