/// A DNS message (RFC 1035 4.1): the header flags, the question and the three record sections, with the EDNS0 OPT
/// record pulled out of the additional section into `edns`.
public struct DNSMessage: Hashable, Sendable {
    /// The size a UDP answer may have when the query carries no OPT record (RFC 1035 4.2.1).
    public static let classicUDPSize = 512
    /// The most we answer over UDP, whatever a query advertises.
    public static let maxUDPSize = 4096

    public var id: UInt16
    public var isResponse: Bool
    public var opcode: DNSOpcode
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    /// The full RCODE: values above 15 need an OPT record to travel.
    public var rcode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authority: [DNSRecord]
    public var additional: [DNSRecord]
    public var edns: DNSEDNS?

    public init(
        id: UInt16, isResponse: Bool = false, opcode: DNSOpcode = .query, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = false, recursionAvailable: Bool = false,
        rcode: DNSResponseCode = .noError, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
        authority: [DNSRecord] = [], additional: [DNSRecord] = [], edns: DNSEDNS? = nil
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.rcode = rcode
        self.questions = questions
        self.answers = answers
        self.authority = authority
        self.additional = additional
        self.edns = edns
    }

    /// A query for one name and type, as a stub resolver sends it.
    public static func query(
        id: UInt16, name: DNSName, type: DNSRecordType, recursionDesired: Bool = true, edns: DNSEDNS? = nil
    ) -> DNSMessage {
        DNSMessage(
            id: id, recursionDesired: recursionDesired, questions: [DNSQuestion(name: name, type: type)], edns: edns)
    }

    /// The largest UDP reply this query allows: 512 octets, or the EDNS0 payload size it advertises, capped at
    /// `maxUDPSize`.
    public var maxUDPReplySize: Int {
        guard let edns else { return Self.classicUDPSize }
        return min(max(Int(edns.udpPayloadSize), Self.classicUDPSize), Self.maxUDPSize)
    }

    /// The header flags octets 2 and 3.
    var flags: UInt16 {
        var flags = UInt16(opcode.rawValue) << 11 | (rcode.rawValue & 0x0F)
        if isResponse { flags |= 0x8000 }
        if isAuthoritative { flags |= 0x0400 }
        if isTruncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        return flags
    }
}
