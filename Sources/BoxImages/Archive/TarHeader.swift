/// One 512-byte tar header block and the parsing of its fields.
struct TarHeader {
    let block: [UInt8]
    let offset: Int64

    /// ustar ("ustar\0"); GNU's old format says "ustar " and has no prefix field.
    var isUstar: Bool { Array(block[257..<263]) == Array("ustar\u{0}".utf8) }

    func verifyChecksum() throws {
        let stored = try number(148, 8, "checksum")
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = (148..<156).contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw ArchiveError.badChecksum(offset: offset, stored: stored, computed: unsigned)
        }
    }

    func entry(type: UInt8, size: Int64) throws -> TarEntry {
        var name = string(0, 100)
        if isUstar {
            let prefix = string(345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let kind: TarEntry.Kind
        switch type {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = name.hasSuffix("/") ? .directory : .regular
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"), UInt8(ascii: "D"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw ArchiveError.unsupportedEntryType(name: name, type: Character(Unicode.Scalar(type)))
        }
        return TarEntry(
            name: name, kind: kind, mode: UInt32(truncatingIfNeeded: try number(100, 8, "mode") & 0o7777),
            uid: try id(108, "uid"), gid: try id(116, "gid"), size: size,
            modificationTime: .init(seconds: try number(136, 12, "mtime")), linkName: string(157, 100),
            userName: string(265, 32), groupName: string(297, 32),
            deviceMajor: kind == .characterDevice || kind == .blockDevice ? try id(329, "devmajor") : 0,
            deviceMinor: kind == .characterDevice || kind == .blockDevice ? try id(337, "devminor") : 0,
            extendedAttributes: [:], headerOffset: offset)
    }

    private func id(_ start: Int, _ field: String) throws -> UInt32 {
        let value = try number(start, 8, field)
        guard let result = UInt32(exactly: value) else { throw ArchiveError.badNumber(offset: offset, field: field) }
        return result
    }

    /// A NUL-terminated string field.
    func string(_ start: Int, _ length: Int) -> String {
        let field = block[start..<(start + length)]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[start..<end], as: UTF8.self)
    }

    /// An octal field (spaces and NULs around it), or GNU's base-256 (high bit set in the first byte).
    func number(_ start: Int, _ length: Int, _ field: String) throws -> Int64 {
        let bytes = block[start..<(start + length)]
        if let first = bytes.first, first & 0x80 != 0 {
            guard first != 0xff else { throw ArchiveError.badNumber(offset: offset, field: field) }  // negative
            var value = Int64(first & 0x7f)
            for byte in bytes.dropFirst() {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 256)
                guard !overflow else { throw ArchiveError.badNumber(offset: offset, field: field) }
                value = shifted | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var started = false
        var done = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard !done else { throw ArchiveError.badNumber(offset: offset, field: field) }
                started = true
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 8)
                guard !overflow else { throw ArchiveError.badNumber(offset: offset, field: field) }
                value = shifted + Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: " "), 0:
                if started { done = true }
            default:
                throw ArchiveError.badNumber(offset: offset, field: field)
            }
        }
        return value
    }
}
