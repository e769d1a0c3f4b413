/// Why a packet is not a DNS message. `id` is the header id when the packet was long enough to read it: then a
/// FORMERR reply can carry it back; otherwise the packet can only be dropped.
public struct DNSParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Fewer than 12 octets: no header.
        case shorterThanHeader
        /// A field runs past the end of the packet.
        case truncated
        /// QDCOUNT, ANCOUNT, NSCOUNT and ARCOUNT ask for more entries than the packet can hold.
        case countsExceedData
        /// A compression pointer points forward, at itself, or outside the packet.
        case badPointer
        /// More compression pointers in one name than a name can have labels.
        case tooManyPointers
        case nameTooLong
        /// A label type other than a length (0b00) or a pointer (0b11).
        case badLabelType
        /// RDATA whose length does not fit its type (an A record of 5 octets, a name running past RDLENGTH).
        case badRecordData(DNSRecordType)
        /// More than one OPT record, or an OPT record outside the additional section or not at the root.
        case badOPT
    }

    public let kind: Kind
    public let id: UInt16?

    public init(_ kind: Kind, id: UInt16?) {
        self.kind = kind
        self.id = id
    }

    /// True when a FORMERR reply is possible: the header id could be read.
    public var allowsFormatErrorReply: Bool { id != nil }

    public var description: String { "DNS parse error \(kind)" + (id.map { " in message \($0)" } ?? "") }
}
