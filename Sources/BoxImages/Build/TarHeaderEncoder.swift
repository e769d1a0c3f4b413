/// The 512-byte ustar header block and the pax extended header records that carry what ustar cannot: paths and
/// link targets over its field widths, and numbers too large for its octal fields.
enum TarHeaderEncoder {
    static let blockSize = 512

    enum TypeFlag: UInt8 {
        case regular = 0x30  // "0"
        case hardLink = 0x31  // "1"
        case symbolicLink = 0x32  // "2"
        case characterDevice = 0x33  // "3"
        case blockDevice = 0x34  // "4"
        case directory = 0x35  // "5"
        case fifo = 0x36  // "6"
        case paxExtended = 0x78  // "x"
    }

    struct Fields {
        var name: [UInt8]
        var mode: UInt32
        var uid: Int
        var gid: Int
        var size: Int
        var modificationTime: Int
        var type: TypeFlag
        var linkName: [UInt8] = []
        var deviceMajor: UInt32 = 0
        var deviceMinor: UInt32 = 0
    }

    /// The largest values the octal fields hold: 7 digits for ids and device numbers, 11 for size and mtime.
    static let maxID = 0o7777777
    static let maxSize = 0o77777777777

    /// The header blocks for `fields`: a pax header first when a value does not fit ustar.
    static func blocks(_ fields: Fields) -> [UInt8] {
        var records: [(String, [UInt8])] = []
        var fitted = fields
        let split = splitName(fields.name)
        if split == nil {
            records.append(("path", fields.name))
            fitted.name = Array(fields.name.prefix(100))
        }
        if fields.linkName.count > 100 {
            records.append(("linkpath", fields.linkName))
            fitted.linkName = Array(fields.linkName.prefix(100))
        }
        if fields.uid > maxID || fields.uid < 0 {
            records.append(("uid", Array(String(fields.uid).utf8)))
            fitted.uid = 0
        }
        if fields.gid > maxID || fields.gid < 0 {
            records.append(("gid", Array(String(fields.gid).utf8)))
            fitted.gid = 0
        }
        if fields.size > maxSize {
            records.append(("size", Array(String(fields.size).utf8)))
            fitted.size = 0
        }
        if fields.modificationTime > maxSize || fields.modificationTime < 0 {
            records.append(("mtime", Array(String(fields.modificationTime).utf8)))
            fitted.modificationTime = 0
        }
        var output: [UInt8] = []
        if !records.isEmpty {
            let body = records.flatMap { paxRecord(key: $0.0, value: $0.1) }
            let paxFields = Fields(
                name: Array("././@PaxHeader".utf8), mode: 0o644, uid: 0, gid: 0, size: body.count, modificationTime: 0,
                type: .paxExtended)
            output += ustar(paxFields, prefix: [])
            output += body
            output += [UInt8](repeating: 0, count: padding(body.count))
        }
        let (prefix, name) = split ?? ([], fitted.name)
        fitted.name = name
        output += ustar(fitted, prefix: prefix)
        return output
    }

    /// Zero bytes that fill `size` up to the next block.
    static func padding(_ size: Int) -> Int { (blockSize - size % blockSize) % blockSize }

    /// `name` as ustar's prefix (≤ 155 bytes) and name (≤ 100 bytes), split at a `/`; nil when it cannot be.
    static func splitName(_ name: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        if name.count <= 100 { return ([], name) }
        guard name.count <= 256 else { return nil }
        for index in name.indices where name[index] == UInt8(ascii: "/") && index <= 155 {
            let rest = name.count - index - 1
            if rest > 0 && rest <= 100 { return (Array(name[..<index]), Array(name[(index + 1)...])) }
        }
        return nil
    }

    /// `"<length> key=value\n"`, where the length counts its own digits.
    static func paxRecord(key: String, value: [UInt8]) -> [UInt8] {
        let rest = 1 + key.utf8.count + 1 + value.count + 1  // " key=value\n"
        var digits = String(rest).count
        while String(rest + digits).count != digits { digits += 1 }
        let length = rest + digits
        return Array("\(length) \(key)=".utf8) + value + [UInt8(ascii: "\n")]
    }

    private static func ustar(_ fields: Fields, prefix: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        put(fields.name, at: 0, width: 100, in: &block)
        putOctal(Int(fields.mode & 0o7777), at: 100, width: 8, in: &block)
        putOctal(fields.uid, at: 108, width: 8, in: &block)
        putOctal(fields.gid, at: 116, width: 8, in: &block)
        putOctal(fields.size, at: 124, width: 12, in: &block)
        putOctal(fields.modificationTime, at: 136, width: 12, in: &block)
        block[156] = fields.type.rawValue
        put(fields.linkName, at: 157, width: 100, in: &block)
        put(Array("ustar\u{0}00".utf8), at: 257, width: 8, in: &block)
        if fields.type == .characterDevice || fields.type == .blockDevice {
            putOctal(Int(fields.deviceMajor), at: 329, width: 8, in: &block)
            putOctal(Int(fields.deviceMinor), at: 337, width: 8, in: &block)
        }
        put(prefix, at: 345, width: 155, in: &block)
        // The checksum is computed with its own field as spaces, then written as six digits, NUL, space.
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        putOctal(sum, at: 148, width: 7, in: &block)
        block[155] = UInt8(ascii: " ")
        return block
    }

    private static func put(_ bytes: [UInt8], at offset: Int, width: Int, in block: inout [UInt8]) {
        for (index, byte) in bytes.prefix(width).enumerated() { block[offset + index] = byte }
    }

    /// Zero-padded octal digits filling `width - 1` bytes, then NUL. Values that do not fit were moved to pax.
    private static func putOctal(_ value: Int, at offset: Int, width: Int, in block: inout [UInt8]) {
        let digits = Array(String(max(0, value), radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        put(Array(padded.suffix(width - 1)), at: offset, width: width - 1, in: &block)
    }
}
