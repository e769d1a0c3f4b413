/// The protobuf wire format, read from a byte buffer: varints, length-delimited fields, fixed 32/64-bit fields.
/// Every read checks the bounds, so a truncated or made-up body ends in a `ProtoFailure`, never a crash.
struct ProtoReader {
    /// The wire types of a field key.
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.position = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func varint() throws(ProtoFailure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtoFailure("truncated varint at byte \(position)") }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw ProtoFailure("varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next field's number and wire type.
    mutating func key() throws(ProtoFailure) -> (number: Int, wireType: WireType) {
        let key = try varint()
        let number = key >> 3
        guard number > 0, number < 1 << 29, let wireType = WireType(rawValue: key & 7) else {
            throw ProtoFailure("invalid field key \(key) at byte \(position)")
        }
        return (Int(number), wireType)
    }

    /// The byte range of a length-delimited field's payload.
    mutating func lengthDelimited() throws(ProtoFailure) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw ProtoFailure("length \(length) at byte \(position) runs past the end of its message")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// Skips a field's value of an unknown field.
    mutating func skip(_ wireType: WireType) throws(ProtoFailure) {
        switch wireType {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        case .startGroup, .endGroup: throw ProtoFailure("groups are not supported (byte \(position))")
        }
    }

    private mutating func advance(_ count: Int) throws(ProtoFailure) {
        guard end - position >= count else { throw ProtoFailure("truncated fixed-size field at byte \(position)") }
        position += count
    }
}

/// Why a protobuf body could not be read (a 400 BadRequest for the client).
struct ProtoFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
