extension DNSMessage {
    /// The message in wire format, names compressed, at most `maxSize` octets (at least a header and the question).
    ///
    /// Records are added in section order while they fit. When a record of the answer or authority section does not
    /// fit, it and everything after it is left out and TC is set, so the client retries over TCP; records left out of
    /// the additional section do not set TC (RFC 2181 9). The OPT record, when present, always fits: its room is kept.
    public func serialized(maxSize: Int = 65535) -> [UInt8] {
        var writer = DNSWriter()
        writer.writeUInt16(id)
        writer.writeUInt16(flags)
        for count in [questions.count, 0, 0, 0] { writer.writeUInt16(UInt16(clamping: count)) }
        for question in questions.prefix(Int(UInt16.max)) {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.questionClass.rawValue)
        }
        let optSize = edns.map { 11 + $0.options.count } ?? 0
        let limit = max(maxSize, 12) - optSize
        var truncated = isTruncated
        var counts = [0, 0, 0]
        sections: for (index, records) in [answers, authority, additional].enumerated() {
            for record in records {
                let mark = writer.bytes.count
                writer.writeRecord(record)
                if writer.bytes.count > limit || counts[index] == Int(UInt16.max) {
                    writer.rollBack(to: mark)
                    if index < 2 { truncated = true }
                    break sections
                }
                counts[index] += 1
            }
        }
        if let edns {
            writer.writeUInt8(0)  // the root
            writer.writeUInt16(DNSRecordType.opt.rawValue)
            writer.writeUInt16(edns.udpPayloadSize)
            writer.writeUInt8(UInt8(rcode.rawValue >> 4 & 0xFF))
            writer.writeUInt8(edns.version)
            writer.writeUInt16(edns.dnssecOK ? 0x8000 : 0)
            writer.writeUInt16(UInt16(clamping: edns.options.count))
            writer.bytes += edns.options.prefix(Int(UInt16.max))
            counts[2] += 1
        }
        if truncated { writer.bytes[2] |= 0x02 }
        for (index, count) in counts.enumerated() { writer.setUInt16(UInt16(count), at: 6 + 2 * index) }
        return writer.bytes
    }
}

/// Builds a packet, compressing names against the suffixes already written (RFC 1035 4.1.4).
struct DNSWriter {
    var bytes: [UInt8] = []
    /// Where each name suffix was first written; keys compare case-insensitively, the first spelling is kept.
    private var suffixOffsets: [DNSName: Int] = [:]

    init() {
        bytes.reserveCapacity(512)
        suffixOffsets.reserveCapacity(16)  // a reply names a few zones' worth of suffixes: skip the first regrowths
    }

    mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xFFFF))
    }

    mutating func setUInt16(_ value: UInt16, at index: Int) {
        bytes[index] = UInt8(value >> 8)
        bytes[index + 1] = UInt8(value & 0xFF)
    }

    /// Forgets everything written from `mark` on, compression targets included.
    mutating func rollBack(to mark: Int) {
        bytes.removeSubrange(mark...)
        suffixOffsets = suffixOffsets.filter { $0.value < mark }
    }

    /// Writes `name`, ending in a pointer to the longest suffix already in the packet when `compress` is true.
    /// Suffixes written here become targets for later names either way. Each suffix is built only when it is
    /// looked up, and looked up once: most names end in a pointer after one or two labels.
    mutating func writeName(_ name: DNSName, compress: Bool = true) {
        for index in name.labels.indices {
            let suffix = name.suffix(from: index)
            if let target = suffixOffsets[suffix] {
                if compress {
                    writeUInt16(0xC000 | UInt16(target))
                    return
                }
            } else if bytes.count < 0x4000 {
                suffixOffsets[suffix] = bytes.count
            }
            let label = name.labels[index]
            writeUInt8(UInt8(label.count))
            bytes += label
        }
        writeUInt8(0)
    }

    mutating func writeRecord(_ record: DNSRecord) {
        writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.recordClass.rawValue)
        writeUInt32(record.ttlSeconds)
        let lengthAt = bytes.count
        writeUInt16(0)
        switch record.data {
        case .a(let address): bytes += address.bytes
        case .aaaa(let octets): bytes += octets
        case .ns(let name), .cname(let name), .ptr(let name): writeName(name)
        case .soa(let soa):
            writeName(soa.primaryServer)
            writeName(soa.responsibleMailbox)
            for value in [soa.serial, soa.refreshSeconds, soa.retrySeconds, soa.expireSeconds, soa.minimumSeconds] {
                writeUInt32(value)
            }
        case .srv(let priority, let weight, let port, let target):
            writeUInt16(priority)
            writeUInt16(weight)
            writeUInt16(port)
            writeName(target, compress: false)  // RFC 2782: the target is not compressed
        case .txt(let strings):
            for string in strings {
                let part = string.prefix(255)
                writeUInt8(UInt8(part.count))
                bytes += part
            }
        case .unknown(_, let octets): bytes += octets
        }
        setUInt16(UInt16(clamping: bytes.count - lengthAt - 2), at: lengthAt)
    }
}
