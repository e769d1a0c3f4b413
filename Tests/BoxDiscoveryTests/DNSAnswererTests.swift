import BoxDiscovery
import Testing

@Suite struct DNSAnswererTests {
    static let mesosZone = DNSZone(
        apex: "mesos", soa: soaFields, nameServers: ["ns1.mesos"],
        records: [
            DNSRecord(name: "ns1.mesos", data: .a(IPv4Octets(127, 0, 0, 53))),
            DNSRecord(name: "leader.mesos", data: .a(IPv4Octets(127, 0, 0, 1))),
            DNSRecord(name: "Web.Marathon.mesos", data: .a(IPv4Octets(127, 0, 1, 1))),
            DNSRecord(name: "web.marathon.mesos", data: .a(IPv4Octets(127, 0, 1, 2))),
            DNSRecord(name: "web.marathon.mesos", data: .a(IPv4Octets(127, 0, 1, 3))),
            DNSRecord(name: "web-1.marathon.mesos", data: .a(IPv4Octets(127, 0, 1, 1))),
            DNSRecord(name: "web-2.marathon.mesos", data: .a(IPv4Octets(127, 0, 1, 2))),
            DNSRecord(
                name: "_web._tcp.marathon.mesos",
                data: .srv(priority: 0, weight: 1, port: 31001, target: "web-1.marathon.mesos")),
            DNSRecord(
                name: "_web._tcp.marathon.mesos",
                data: .srv(priority: 0, weight: 1, port: 31002, target: "web-2.marathon.mesos")),
            DNSRecord(name: "www.mesos", data: .cname("web.marathon.mesos")),
            DNSRecord(name: "loop.mesos", data: .cname("loop.mesos")),
        ])
    static let clusterZone = DNSZone(
        apex: "cluster.local",
        soa: DNSSOA(primaryServer: "ns.cluster.local", responsibleMailbox: "root.cluster.local", serial: 1),
        nameServers: ["ns.cluster.local"],
        records: [DNSRecord(name: "api.default.svc.cluster.local", data: .a(IPv4Octets(127, 10, 0, 1)))])

    let answerer = DNSZoneAnswerer(zones: [Self.mesosZone, Self.clusterZone])

    func reply(_ name: DNSName, _ type: DNSRecordType, edns: DNSEDNS? = nil, using answerer: DNSZoneAnswerer? = nil)
        throws -> DNSMessage
    {
        let query = DNSMessage.query(id: 99, name: name, type: type, edns: edns)
        // Through the wire both ways, as the server will do it.
        guard case .reply(let bytes) = (answerer ?? self.answerer).respond(to: query.serialized(), transport: .udp)
        else {
            throw DNSParseError(.truncated, id: nil)
        }
        let reply = try DNSMessage(parsing: bytes)
        let forwarding = (answerer ?? self.answerer).outsideZones == .forward
        #expect(reply.id == 99 && reply.isResponse && reply.recursionDesired && reply.recursionAvailable == forwarding)
        #expect(reply.questions == query.questions)
        return reply
    }

    @Test func answersARecordsCaseInsensitively() throws {
        let reply = try reply("WEB.marathon.MESOS", .a)
        #expect(reply.rcode == .noError && reply.isAuthoritative)
        #expect(reply.answers.map(\.data) == [1, 2, 3].map { .a(IPv4Octets(127, 0, 1, $0)) })
        #expect(reply.answers.allSatisfy { $0.ttlSeconds == 5 })
        #expect(reply.questions[0].name.description == "WEB.marathon.MESOS.")
    }

    @Test func unknownNameIsNXDOMAINWithTheSOA() throws {
        let reply = try reply("nope.marathon.mesos", .a)
        #expect(reply.rcode == .nameError && reply.isAuthoritative && reply.answers.isEmpty)
        #expect(reply.authority == [Self.mesosZone.soa])
        let k8s = try self.reply("nope.default.svc.cluster.local", .a)
        #expect(k8s.rcode == .nameError && k8s.authority == [Self.clusterZone.negativeSOA])
    }

    @Test func knownNameOfAnotherTypeIsNoData() throws {
        for (name, type) in [
            ("web.marathon.mesos", DNSRecordType.aaaa), ("leader.mesos", .txt), ("marathon.mesos", .a),
        ] {
            let reply = try reply(DNSName(name)!, type)
            #expect(reply.rcode == .noError && reply.answers.isEmpty, "\(name) \(type)")
            #expect(reply.authority.map(\.type) == [.soa])
        }
        // Empty non-terminals of the Kubernetes zone exist too.
        #expect(try reply("svc.cluster.local", .a).rcode == .noError)
    }

    @Test func apexAnswersSOAAndNS() throws {
        let soa = try reply("mesos", .soa)
        #expect(soa.answers == [Self.mesosZone.soa] && soa.authority.isEmpty)
        let ns = try reply("mesos.", .ns)
        #expect(ns.answers.map(\.data) == [.ns("ns1.mesos")])
        #expect(ns.additional.map(\.data) == [.a(IPv4Octets(127, 0, 0, 53))])
    }

    @Test func srvAnswersCarryTheTargetsAddresses() throws {
        let reply = try reply("_web._tcp.marathon.mesos", .srv)
        #expect(reply.answers.count == 2)
        #expect(reply.additional.map(\.name) == ["web-1.marathon.mesos", "web-2.marathon.mesos"])
        #expect(reply.additional.map(\.data) == [.a(IPv4Octets(127, 0, 1, 1)), .a(IPv4Octets(127, 0, 1, 2))])
    }

    @Test func cnamesAreFollowedInsideTheZones() throws {
        let reply = try reply("www.mesos", .a)
        #expect(reply.answers.map(\.type) == [.cname, .a, .a, .a])
        #expect(try self.reply("www.mesos", .cname).answers.map(\.type) == [.cname])
        let loop = try self.reply("loop.mesos", .a)
        #expect(loop.rcode == .noError && loop.answers.count == 1)
    }

    @Test func anyReturnsEveryRecordOfTheName() throws {
        let reply = try reply("mesos", .any)
        #expect(reply.answers.map(\.type) == [.soa, .ns])
    }

    @Test func namesOutsideTheZonesAreRefusedOrForwarded() throws {
        let refused = try reply("example.com", .a)
        #expect(refused.rcode == .refused && !refused.isAuthoritative && refused.answers.isEmpty)
        let forwarding = DNSZoneAnswerer(zones: answerer.zones, outsideZones: .forward)
        let query = DNSMessage.query(id: 5, name: "example.com", type: .a)
        #expect(forwarding.answer(query) == .forward(query))
        #expect(forwarding.respond(to: query.serialized(), transport: .udp) == .forward(query))
        // Recursion is available (RA) exactly when outside names are forwarded, so dig does not warn.
        #expect(!refused.recursionAvailable)
        #expect(try reply("leader.mesos", .a, using: forwarding).recursionAvailable)
    }

    @Test func otherOpcodesClassesAndQuestionCountsAreRejected() throws {
        var notify = DNSMessage.query(id: 1, name: "mesos", type: .soa)
        notify.opcode = .notify
        guard case .reply(let notImplemented) = answerer.answer(notify) else {
            throw DNSParseError(.truncated, id: nil)
        }
        #expect(notImplemented.rcode == .notImplemented && notImplemented.opcode == .notify)

        var twoQuestions = DNSMessage.query(id: 2, name: "mesos", type: .soa)
        twoQuestions.questions.append(DNSQuestion(name: "leader.mesos", type: .a))
        #expect(
            answerer.answer(twoQuestions)
                == .reply(
                    DNSMessage(
                        id: 2, isResponse: true, recursionDesired: true, rcode: .formatError,
                        questions: twoQuestions.questions)))

        let chaos = DNSMessage(id: 3, questions: [DNSQuestion(name: "leader.mesos", type: .a, questionClass: .chaos)])
        guard case .reply(let refused) = answerer.answer(chaos) else { throw DNSParseError(.truncated, id: nil) }
        #expect(refused.rcode == .refused)

        var response = DNSMessage.query(id: 4, name: "mesos", type: .soa)
        response.isResponse = true
        #expect(answerer.answer(response) == .drop)
    }

    @Test func ednsIsEchoedAndSizesTheReply() throws {
        let plain = try reply("leader.mesos", .a)
        #expect(plain.edns == nil)
        let withEDNS = try reply("leader.mesos", .a, edns: DNSEDNS(udpPayloadSize: 1232))
        #expect(withEDNS.edns?.udpPayloadSize == 4096 && withEDNS.edns?.version == 0)
        let badVersion = try reply("leader.mesos", .a, edns: DNSEDNS(udpPayloadSize: 1232, version: 1))
        #expect(badVersion.rcode == .badVersion && badVersion.answers.isEmpty)

        // 100 addresses: 512 octets without EDNS (TC), all of them with EDNS 4096 or over TCP.
        let many = DNSZone(
            apex: "mesos", soa: soaFields, nameServers: ["ns1.mesos"],
            records: (0..<100).map { DNSRecord(name: "big.mesos", data: .a(IPv4Octets(10, 0, 0, UInt8($0)))) })
        let big = DNSZoneAnswerer(zones: [many])
        let truncated = try reply("big.mesos", .a, using: big)
        #expect(truncated.isTruncated && truncated.answers.count < 100)
        let full = try reply("big.mesos", .a, edns: DNSEDNS(udpPayloadSize: 4096), using: big)
        #expect(!full.isTruncated && full.answers.count == 100)
        let query = DNSMessage.query(id: 8, name: "big.mesos", type: .a).serialized()
        guard case .reply(let tcp) = big.respond(to: query, transport: .tcp) else {
            throw DNSParseError(.truncated, id: nil)
        }
        #expect(try DNSMessage(parsing: tcp).answers.count == 100 && tcp.count > 512)
    }
}
