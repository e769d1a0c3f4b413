/// Pax extended header records (`"%d %s=%s\n"`) and how they override a header's fields.
enum PaxRecords {
    /// Parses the records of one extended header. Values stay bytes: xattr values may be binary.
    static func parse(_ data: [UInt8], offset: Int64) throws -> [String: [UInt8]] {
        var records: [String: [UInt8]] = [:]
        var index = 0
        while index < data.count {
            // Trailing NULs pad some writers' headers.
            if data[index...].allSatisfy({ $0 == 0 }) { break }
            var length = 0
            var cursor = index
            while cursor < data.count, data[cursor] != UInt8(ascii: " ") {
                let byte = data[cursor]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), length < 1 << 24 else {
                    throw ArchiveError.badPaxHeader(offset: offset, reason: "bad record length at \(index)")
                }
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
                cursor += 1
            }
            guard cursor < data.count, length > cursor - index + 1, index + length <= data.count,
                data[index + length - 1] == UInt8(ascii: "\n")
            else {
                throw ArchiveError.badPaxHeader(offset: offset, reason: "record at \(index) overruns the header")
            }
            let record = data[(cursor + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")), equals > record.startIndex else {
                throw ArchiveError.badPaxHeader(offset: offset, reason: "record at \(index) has no key=value")
            }
            let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
            records[key] = Array(record[(equals + 1)...])
            index += length
        }
        return records
    }

    /// Applies the records that clusterbox honours to `entry`; GNU sparse files are refused.
    static func apply(_ records: [String: [UInt8]], to entry: inout TarEntry) throws {
        for (key, value) in records {
            let text = String(decoding: value, as: UTF8.self)
            let offset = entry.headerOffset
            switch key {
            case "path": entry.name = text
            case "linkpath": entry.linkName = text
            case "size": entry.size = try integer(text, key, offset)
            case "uid": entry.uid = try id(text, key, offset)
            case "gid": entry.gid = try id(text, key, offset)
            case "uname": entry.userName = text
            case "gname": entry.groupName = text
            case "mtime": entry.modificationTime = try timestamp(text, offset)
            case "SCHILY.devmajor": entry.deviceMajor = try id(text, key, offset)
            case "SCHILY.devminor": entry.deviceMinor = try id(text, key, offset)
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    entry.extendedAttributes[String(key.dropFirst("SCHILY.xattr.".count))] = value
                } else if key.hasPrefix("GNU.sparse.") {
                    throw ArchiveError.unsupportedEntryType(name: entry.name, type: "S")
                }
            }
        }
    }

    static func cString(_ data: [UInt8]) -> String {
        String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func integer(_ text: String, _ key: String, _ offset: Int64) throws -> Int64 {
        guard let value = Int64(text), value >= 0 else {
            throw ArchiveError.badPaxHeader(offset: offset, reason: "\(key)=\(text) is not a size")
        }
        return value
    }

    private static func id(_ text: String, _ key: String, _ offset: Int64) throws -> UInt32 {
        guard let value = UInt32(text) else {
            throw ArchiveError.badPaxHeader(offset: offset, reason: "\(key)=\(text) is not a number")
        }
        return value
    }

    /// `seconds[.fraction]`, possibly negative.
    private static func timestamp(_ text: String, _ offset: Int64) throws -> TarEntry.Timestamp {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else {
            throw ArchiveError.badPaxHeader(offset: offset, reason: "mtime=\(text)")
        }
        var nanoseconds: Int32 = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(9)
            guard !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }), let value = Int32(digits) else {
                throw ArchiveError.badPaxHeader(offset: offset, reason: "mtime=\(text)")
            }
            nanoseconds = value * Int32(pow10(9 - digits.count))
        }
        return .init(seconds: seconds, nanoseconds: nanoseconds)
    }

    private static func pow10(_ exponent: Int) -> Int { (0..<exponent).reduce(1) { value, _ in value * 10 } }
}
