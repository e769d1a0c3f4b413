import BoxCore
import BoxDiscovery
import BoxTestSupport
import Testing

/// A header with the given counts, id 0x5151, as a query.
func header(qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0, flags: UInt16 = 0x0100) -> [UInt8] {
    [0x51, 0x51, UInt8(flags >> 8), UInt8(flags & 0xFF)]
        + [qd, an, ns, ar].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
}

func parseError(_ bytes: [UInt8]) -> DNSParseError? {
    do {
        _ = try DNSMessage(parsing: bytes)
        return nil
    } catch {
        return error
    }
}

/// A packet with a question for the root (at offset 12), a record of an unknown type whose RDATA is `length - 1`
/// pointers, each to the one before it (the first to the question's name), and an A record whose owner is one more
/// pointer, to the last of them.
func pointerChain(length: Int) -> [UInt8] {
    let rdataLength = 2 * (length - 1)
    var packet = header(qd: 1, an: 2) + [0, 0, 1, 0, 1]
    packet += [0, 0, 99, 0, 1, 0, 0, 0, 5, UInt8(rdataLength >> 8), UInt8(rdataLength & 0xFF)]
    var previous = 12
    for _ in 0..<length - 1 {
        let here = packet.count
        packet += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
        previous = here
    }
    return packet + [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)] + [0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4]
}

@Suite struct DNSHostileInputTests {
    let answerer = DNSZoneAnswerer(zones: [DNSAnswererTests.mesosZone])

    @Test func pointerToItselfIsRejected() {
        let packet = header() + [0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01]
        #expect(parseError(packet) == DNSParseError(.badPointer, id: 0x5151))
    }

    @Test func pointerLoopThroughTwoNamesIsRejected() {
        // Question name at 12: label "a", then a pointer to 12 (its own start): a loop through a backward pointer.
        let packet = header() + [0x01, 0x61, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01]
        #expect(parseError(packet)?.kind == .badPointer)
        // An answer whose name points to the question, whose name points to the answer.
        let cross =
            header(an: 1) + [0x01, 0x61, 0xC0, 0x16, 0x00, 0x01, 0x00, 0x01]
            + [0x01, 0x62, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4]
        #expect(parseError(cross)?.kind == .badPointer)
    }

    @Test func forwardPointerIsRejected() {
        let packet = header() + [0xC0, 0x12, 0x00, 0x01, 0x00, 0x01] + wireName("mesos")
        #expect(parseError(packet)?.kind == .badPointer)
    }

    @Test func longPointerChainsAndLongNamesAreRejected() throws {
        // Four 63-octet labels chained by pointers: 4 × 64 + 1 = 257 octets > 255.
        var packet = header(qd: 4)
        var previous: Int?
        for _ in 0..<4 {
            let start = packet.count
            packet += [63] + Array(repeating: 0x61, count: 63)
            packet += previous.map { [0xC0 | UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? [0]
            packet += [0x00, 0x01, 0x00, 0x01]
            previous = start
        }
        #expect(parseError(packet)?.kind == .nameTooLong)
        // Pointers to pointers: a chain of 100 is a legal (if silly) name, 200 is more than a name can need.
        #expect(try DNSMessage(parsing: pointerChain(length: 100)).answers.last?.name == .root)
        #expect(parseError(pointerChain(length: 200))?.kind == .tooManyPointers)
        #expect(parseError(header() + [0x41, 0x61, 0, 0, 1, 0, 1])?.kind == .badLabelType)
    }

    @Test func countsLargerThanTheDataAreRejected() {
        let packet = header(qd: 1, an: 0xFFFF, ns: 0xFFFF, ar: 0xFFFF) + wireName("a.mesos") + [0, 1, 0, 1]
        #expect(parseError(packet) == DNSParseError(.countsExceedData, id: 0x5151))
        #expect(parseError(header(qd: 2) + wireName("a.mesos") + [0, 1, 0, 1])?.kind == .truncated)
        guard case .reply(let reply) = answerer.answer(packet: packet) else {
            Issue.record("no FORMERR")
            return
        }
        #expect(reply.rcode == .formatError && reply.id == 0x5151 && reply.isResponse && reply.recursionDesired)
    }

    @Test func recordDataOfTheWrongLengthIsRejected() {
        let packet = header(qd: 0, an: 1) + wireName("a.mesos") + [0, 1, 0, 1, 0, 0, 0, 5, 0, 5, 1, 2, 3, 4, 5]
        #expect(parseError(packet)?.kind == .badRecordData(.a))
        let opt = header(qd: 0, an: 1) + [0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0]
        #expect(parseError(opt)?.kind == .badOPT)
    }

    /// CPU for seconds: on a thread of its own, not one of the few Swift concurrency threads other tests await on.
    @Test func everyTruncationOfValidPacketsFails() async throws {
        try await cpuHeavy { self.everyTruncationOfValidPacketsFailsBody() }
    }

    func everyTruncationOfValidPacketsFailsBody() {
        for valid in [digQuery, handBuiltResponse, bigResponse()] {
            #expect((try? DNSMessage(parsing: valid)) != nil)
            for length in 0..<valid.count {
                let prefix = Array(valid.prefix(length))
                guard let error = parseError(prefix) else {
                    Issue.record("a \(length)-octet prefix parsed")
                    continue
                }
                #expect(error.allowsFormatErrorReply == (length >= 12))
                if case .reply(let reply) = answerer.answer(packet: prefix) {
                    #expect(reply.rcode == .formatError)
                }
            }
        }
    }

    /// A compressed response with every section, SRV, SOA and an OPT record.
    func bigResponse() -> [UInt8] {
        let query = DNSMessage.query(id: 77, name: "_web._tcp.marathon.mesos", type: .srv, edns: DNSEDNS())
        guard case .reply(let reply) = answerer.answer(query) else { return [] }
        return reply.serialized()
    }

    /// CPU for seconds: on a thread of its own, not one of the few Swift concurrency threads other tests await on.
    @Test func randomAndMutatedPacketsNeverCrash() async throws {
        try await cpuHeavy { self.randomAndMutatedPacketsNeverCrashBody() }
    }

    func randomAndMutatedPacketsNeverCrashBody() {
        var random = SeededGenerator(seed: 0xD15C_0DE5)
        let valid = [digQuery, handBuiltResponse, bigResponse()]
        let clock = ContinuousClock()
        let start = clock.now
        var formatErrors = 0
        var answered = 0
        for round in 0..<100_000 {
            var packet: [UInt8]
            if round % 2 == 0 {
                packet = (0..<Int.random(in: 0...600, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
                if round % 4 == 0, packet.count >= 3 { packet[2] &= 0x7F }  // as a query
            } else {
                packet = valid[round % 3]
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    packet[Int.random(in: 0..<packet.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                if Bool.random(using: &random) {
                    packet = Array(packet.prefix(Int.random(in: 0...packet.count, using: &random)))
                }
            }
            let parsed = try? DNSMessage(parsing: packet)
            switch answerer.respond(to: packet, transport: .udp) {
            case .drop:
                #expect(packet.count < 12 || packet[2] & 0x80 != 0)
            case .forward:
                Issue.record("forwarded with the refuse policy")
            case .reply(let bytes):
                #expect(bytes.count <= (parsed?.maxUDPReplySize ?? 512))
                guard let reply = try? DNSMessage(parsing: bytes) else {
                    Issue.record("unparseable reply to \(packet)")
                    continue
                }
                #expect(reply.isResponse && reply.id == DNSMessage.peekID(packet))
                if parsed == nil {
                    #expect(reply.rcode == .formatError)
                    formatErrors += 1
                } else {
                    answered += 1
                }
            }
        }
        #expect(formatErrors > 10_000 && answered > 1000, "\(formatErrors) FORMERR, \(answered) answered")
        #expect(clock.now - start < .seconds(120))
    }

    /// CPU for seconds: on a thread of its own, not one of the few Swift concurrency threads other tests await on.
    @Test func validQueriesInterleavedWithGarbageStillAnswer() async throws {
        try await cpuHeavy { try self.validQueriesInterleavedWithGarbageStillAnswerBody() }
    }

    func validQueriesInterleavedWithGarbageStillAnswerBody() throws {
        var random = SeededGenerator(seed: 7)
        for round in 0..<1000 {
            let garbage = (0..<Int.random(in: 0...100, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            _ = answerer.respond(to: garbage, transport: .udp)
            let query = DNSMessage.query(id: UInt16(round), name: "web.marathon.mesos", type: .a)
            guard case .reply(let bytes) = answerer.respond(to: query.serialized(), transport: .udp) else {
                Issue.record("no reply")
                return
            }
            let reply = try DNSMessage(parsing: bytes)
            #expect(reply.id == UInt16(round) && reply.rcode == .noError && reply.answers.count == 3)
        }
    }
}
