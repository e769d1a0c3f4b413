/// Answers queries authoritatively from a snapshot of zones. Pure: no sockets, no clock; the UDP and TCP servers
/// call it per packet with the snapshot they copied out.
public struct DNSZoneAnswerer: Sendable {
    /// What to do with a query for a name outside every zone.
    public enum OutsideZones: Hashable, Sendable {
        case refuse
        /// Hand the query to the host's resolver (the server does the IO).
        case forward
    }

    public enum Outcome: Hashable, Sendable {
        case reply(DNSMessage)
        /// The query is for a name outside the zones and the policy is `.forward`.
        case forward(DNSMessage)
        /// No reply is possible or wise: the header could not be read, or the packet is itself a response.
        case drop
    }

    public enum Transport: Hashable, Sendable {
        case udp
        case tcp
    }

    /// The most CNAMEs followed inside the zones for one question.
    static let maxCNAMEChain = 8

    /// Most specific apex first, so `svc.cluster.local.` wins over `cluster.local.`.
    public let zones: [DNSZone]
    public var outsideZones: OutsideZones
    /// The UDP payload size our OPT record advertises.
    public var udpPayloadSize: UInt16

    public init(zones: [DNSZone], outsideZones: OutsideZones = .refuse, udpPayloadSize: UInt16 = 4096) {
        self.zones = zones.sorted {
            ($0.apex.labels.count, $1.apex.description) > ($1.apex.labels.count, $0.apex.description)
        }
        self.outsideZones = outsideZones
        self.udpPayloadSize = udpPayloadSize
    }

    /// The zone that holds `name`, if any.
    public func zone(containing name: DNSName) -> DNSZone? { zones.first { name.isSubdomain(of: $0.apex) } }

    /// Parses a packet and answers it in wire format, sized for `transport`. Unparseable packets get FORMERR when
    /// their header could be read and are not responses; `.forward` carries the parsed query.
    public func respond(to packet: [UInt8], transport: Transport) -> Response {
        respondWithCode(to: packet, transport: transport).response
    }

    /// `respond(to:transport:)`, with the full RCODE of a reply for the server's statistics: the header holds only
    /// its low 4 bits (BADVERS travels in the OPT record).
    func respondWithCode(to packet: [UInt8], transport: Transport) -> (response: Response, rcode: DNSResponseCode?) {
        let query: DNSMessage
        do {
            query = try DNSMessage(parsing: packet)
        } catch {
            guard let reply = formatErrorReply(to: packet, error) else { return (.drop, nil) }
            return (.reply(reply.serialized(maxSize: DNSMessage.classicUDPSize)), reply.rcode)
        }
        switch answer(query) {
        case .drop: return (.drop, nil)
        case .forward(let query): return (.forward(query), nil)
        case .reply(let reply):
            return (.reply(reply.serialized(maxSize: transport == .tcp ? 65535 : query.maxUDPReplySize)), reply.rcode)
        }
    }

    public enum Response: Hashable, Sendable {
        case reply([UInt8])
        case forward(DNSMessage)
        case drop
    }

    /// Parses a packet and answers it.
    public func answer(packet: [UInt8]) -> Outcome {
        do {
            return answer(try DNSMessage(parsing: packet))
        } catch {
            return formatErrorReply(to: packet, error).map { .reply($0) } ?? .drop
        }
    }

    /// FORMERR with the packet's id, opcode and RD, when the header could be read and the packet is not a response.
    private func formatErrorReply(to packet: [UInt8], _ error: DNSParseError) -> DNSMessage? {
        guard let id = error.id, packet.count >= 3, packet[2] & 0x80 == 0 else { return nil }
        return DNSMessage(
            id: id, isResponse: true, opcode: DNSOpcode(rawValue: packet[2] >> 3),
            recursionDesired: packet[2] & 0x01 != 0, rcode: .formatError)
    }

    /// Answers a parsed query.
    public func answer(_ query: DNSMessage) -> Outcome {
        if query.isResponse { return .drop }
        var reply = DNSMessage(
            id: query.id, isResponse: true, opcode: query.opcode, recursionDesired: query.recursionDesired,
            recursionAvailable: outsideZones == .forward, questions: query.questions)
        if query.edns != nil { reply.edns = DNSEDNS(udpPayloadSize: udpPayloadSize) }
        if let edns = query.edns, edns.version > 0 {
            reply.rcode = .badVersion
            return .reply(reply)
        }
        guard query.opcode == .query else {
            reply.rcode = .notImplemented
            return .reply(reply)
        }
        guard query.questions.count == 1, let question = query.questions.first else {
            reply.rcode = .formatError
            return .reply(reply)
        }
        guard let zone = zone(containing: question.name) else {
            if outsideZones == .forward { return .forward(query) }
            reply.rcode = .refused
            return .reply(reply)
        }
        guard question.questionClass == .internet || question.questionClass == .any else {
            reply.rcode = .refused
            return .reply(reply)
        }
        if question.type == DNSRecordType(rawValue: 251) || question.type == DNSRecordType(rawValue: 252) {
            reply.rcode = .refused  // IXFR and AXFR: no zone transfers
            return .reply(reply)
        }
        reply.isAuthoritative = true
        resolve(question, in: zone, into: &reply)
        reply.additional = additionalRecords(for: reply.answers)
        return .reply(reply)
    }

    /// Fills the answer and authority sections and the RCODE, following CNAMEs while they stay in the zones.
    private func resolve(_ question: DNSQuestion, in firstZone: DNSZone, into reply: inout DNSMessage) {
        var name = question.name
        var zone = firstZone
        for _ in 0...Self.maxCNAMEChain {
            guard let records = zone.records[name] else {
                if !zone.contains(existing: name) { reply.rcode = .nameError }
                reply.authority = [zone.negativeSOA]
                return
            }
            let matching = question.type == .any ? records : records.filter { $0.type == question.type }
            if !matching.isEmpty {
                reply.answers += matching
                return
            }
            guard question.type != .cname, let alias = records.first(where: { $0.type == .cname }),
                case .cname(let target) = alias.data
            else {
                reply.authority = [zone.negativeSOA]  // the name exists, but not with this type
                return
            }
            if reply.answers.contains(alias) { return }  // a loop: stop after its last link
            reply.answers.append(alias)
            guard let next = self.zone(containing: target) else { return }  // outside: the client follows it
            name = target
            zone = next
        }
    }

    /// The A and AAAA records of the SRV and NS targets in `answers`, when the zones have them.
    private func additionalRecords(for answers: [DNSRecord]) -> [DNSRecord] {
        var seen: Set<DNSName> = []
        var additional: [DNSRecord] = []
        for record in answers {
            let target: DNSName
            switch record.data {
            case .srv(_, _, _, let name), .ns(let name): target = name
            default: continue
            }
            guard seen.insert(target).inserted, let zone = zone(containing: target) else { continue }
            additional += (zone.records[target] ?? []).filter { $0.type == .a || $0.type == .aaaa }
        }
        return additional
    }
}
