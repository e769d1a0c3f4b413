extension DNSMessage {
    /// The most compression pointers followed in one name. A name has at most 127 labels, and the parser only
    /// follows pointers backward, so this bounds work on hostile input without rejecting real names.
    static let maxPointerJumps = 127

    /// Parses a message. Never traps: every read is bounds-checked, pointers only go backward, and counts are
    /// checked against the octets left before anything is allocated. Octets after the last record are ignored.
    public init(parsing bytes: [UInt8]) throws(DNSParseError) {
        guard bytes.count >= 12 else { throw DNSParseError(.shorterThanHeader, id: nil) }
        var reader = DNSReader(bytes: bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let questionCount = Int(try reader.readUInt16())
        let answerCount = Int(try reader.readUInt16())
        let authorityCount = Int(try reader.readUInt16())
        let additionalCount = Int(try reader.readUInt16())
        reader.id = id
        // A question takes at least 5 octets (root name, type, class), a record at least 11.
        guard questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11 <= reader.remaining else {
            throw DNSParseError(.countsExceedData, id: id)
        }
        var questions: [DNSQuestion] = []
        questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            let questionClass = DNSClass(rawValue: try reader.readUInt16())
            questions.append(DNSQuestion(name: name, type: type, questionClass: questionClass))
        }
        var sections: [[DNSRecord]] = []
        var edns: DNSEDNS?
        var rcodeHigh: UInt8 = 0
        for (index, count) in [answerCount, authorityCount, additionalCount].enumerated() {
            var records: [DNSRecord] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                switch try reader.readRecord() {
                case .record(let record): records.append(record)
                case .opt(let name, let opt, let high):
                    guard index == 2, edns == nil, name.isRoot else { throw DNSParseError(.badOPT, id: id) }
                    edns = opt
                    rcodeHigh = high
                }
            }
            sections.append(records)
        }
        self.init(
            id: id, isResponse: flags & 0x8000 != 0, opcode: DNSOpcode(rawValue: UInt8(flags >> 11 & 0x0F)),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            rcode: DNSResponseCode(rawValue: UInt16(rcodeHigh) << 4 | flags & 0x0F), questions: questions,
            answers: sections[0], authority: sections[1], additional: sections[2], edns: edns)
    }

    /// The header id of a packet, when it has at least the two octets of one.
    public static func peekID(_ bytes: [UInt8]) -> UInt16? {
        bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : nil
    }
}

/// A cursor over a packet whose every read checks the bounds and throws `DNSParseError`.
struct DNSReader {
    enum Entry {
        case record(DNSRecord)
        /// The OPT record, with the high 8 bits of the extended RCODE it carries.
        case opt(DNSName, DNSEDNS, rcodeHigh: UInt8)
    }

    let bytes: [UInt8]
    var offset = 0
    var id: UInt16?

    init(bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    func error(_ kind: DNSParseError.Kind) -> DNSParseError { DNSParseError(kind, id: id) }

    mutating func readUInt8() throws(DNSParseError) -> UInt8 {
        guard offset < bytes.count else { throw error(.truncated) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(DNSParseError) -> UInt16 {
        guard remaining >= 2 else { throw error(.truncated) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(DNSParseError) -> UInt32 {
        UInt32(try readUInt16()) << 16 | UInt32(try readUInt16())
    }

    mutating func readBytes(_ count: Int) throws(DNSParseError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw error(.truncated) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name, leaving `offset` after its in-place part.
    mutating func readName() throws(DNSParseError) -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        var resumeAt: Int?  // where reading continues after the first pointer
        var segmentStart = offset  // where the labels being read began: the packet start or the last pointer's target
        var jumps = 0
        while true {
            guard position < bytes.count else { throw error(.truncated) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(validatedLabels: labels)
                }
                let count = Int(length)
                guard position + 1 + count <= bytes.count else { throw error(.truncated) }
                wireLength += 1 + count
                guard wireLength <= DNSName.maxWireLength else { throw error(.nameTooLong) }
                labels.append(Array(bytes[position + 1...position + count]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw error(.truncated) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                // Only backward, and before the labels already read: targets strictly decrease, so a chain ends.
                guard target < segmentStart else { throw error(.badPointer) }
                segmentStart = target
                jumps += 1
                guard jumps <= DNSMessage.maxPointerJumps else { throw error(.tooManyPointers) }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
            default:
                throw error(.badLabelType)
            }
        }
    }

    mutating func readRecord() throws(DNSParseError) -> Entry {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let rawClass = try readUInt16()
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        guard remaining >= length else { throw error(.truncated) }
        let end = offset + length
        if type == .opt {
            let options = try readBytes(length)
            let edns = DNSEDNS(
                udpPayloadSize: rawClass, version: UInt8(ttl >> 16 & 0xFF), dnssecOK: ttl & 0x8000 != 0,
                options: options)
            return .opt(name, edns, rcodeHigh: UInt8(ttl >> 24))
        }
        let data = try readRecordData(type: type, end: end)
        guard offset == end else { throw error(.badRecordData(type)) }
        return .record(DNSRecord(name: name, ttlSeconds: ttl, recordClass: DNSClass(rawValue: rawClass), data: data))
    }

    /// Reads RDATA that must end exactly at `end`; names inside may point back into the packet.
    private mutating func readRecordData(type: DNSRecordType, end: Int) throws(DNSParseError) -> DNSRecordData {
        let length = end - offset
        func name(_ reader: inout DNSReader) throws(DNSParseError) -> DNSName {
            let name = try reader.readName()
            guard reader.offset <= end else { throw reader.error(.badRecordData(type)) }
            return name
        }
        switch type {
        case .a:
            guard length == 4 else { throw error(.badRecordData(type)) }
            let b = try readBytes(4)
            return .a(IPv4Octets(b[0], b[1], b[2], b[3]))
        case .aaaa:
            guard length == 16 else { throw error(.badRecordData(type)) }
            return .aaaa(try readBytes(16))
        case .ns: return .ns(try name(&self))
        case .cname: return .cname(try name(&self))
        case .ptr: return .ptr(try name(&self))
        case .soa:
            let primary = try name(&self)
            let mailbox = try name(&self)
            guard end - offset == 20 else { throw error(.badRecordData(type)) }
            return .soa(
                DNSSOA(
                    primaryServer: primary, responsibleMailbox: mailbox, serial: try readUInt32(),
                    refreshSeconds: try readUInt32(), retrySeconds: try readUInt32(), expireSeconds: try readUInt32(),
                    minimumSeconds: try readUInt32()))
        case .srv:
            guard length >= 7 else { throw error(.badRecordData(type)) }
            let priority = try readUInt16()
            let weight = try readUInt16()
            let port = try readUInt16()
            return .srv(priority: priority, weight: weight, port: port, target: try name(&self))
        case .txt:
            var strings: [[UInt8]] = []
            while offset < end {
                let count = Int(try readUInt8())
                guard offset + count <= end else { throw error(.badRecordData(type)) }
                strings.append(try readBytes(count))
            }
            return .txt(strings)
        default:
            return .unknown(type, try readBytes(length))
        }
    }
}
