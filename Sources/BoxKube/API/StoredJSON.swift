/// Stored objects as bytes: the store holds each object's JSON text without `metadata.resourceVersion` (it is the
/// store revision), and a plain list answers with the stored bytes and the version spliced in, never parsing or
/// encoding the objects. That is what makes a list of 10,000 pods cheap.
enum StoredJSON {
    /// `value` (a JSON object as `JSONValue.text` writes it) with `"resourceVersion":"N"` first in its top-level
    /// `metadata` object (added when there is none). nil when `value` is not a JSON object.
    static func withResourceVersion(_ value: [UInt8], _ revision: Int64) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(value.count + 32)
        return append(value, revision, to: &out) ? out : nil
    }

    /// Appends `value` with the version spliced in (as `withResourceVersion`) to `out`: one copy of the bytes,
    /// for list bodies written straight into one buffer. False (nothing appended) when `value` is not a JSON
    /// object.
    static func append(_ value: [UInt8], _ revision: Int64, to out: inout [UInt8]) -> Bool {
        guard let open = metadataObjectStart(value) else {
            // No metadata object: add one before the closing brace.
            guard value.first == UInt8(ascii: "{"), value.last == UInt8(ascii: "}") else { return false }
            out += value[..<(value.count - 1)]
            if value.count > 2 { out.append(UInt8(ascii: ",")) }
            out += "\"metadata\":{\"resourceVersion\":\"".utf8
            out += String(revision).utf8
            out += "\"}}".utf8
            return true
        }
        out += value[...open]
        out += "\"resourceVersion\":\"".utf8
        out += String(revision).utf8
        out.append(UInt8(ascii: "\""))
        if value[open + 1] != UInt8(ascii: "}") { out.append(UInt8(ascii: ",")) }
        out += value[(open + 1)...]
        return true
    }

    /// The index of the `{` that opens the value of the top-level key `metadata`, skipping strings and nested
    /// values, or nil.
    static func metadataObjectStart(_ bytes: [UInt8]) -> Int? {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        let key = Array("metadata".utf8)
        var depth = 0
        var index = 0
        var expectKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case quote:
                let start = index + 1
                index += 1
                while index < bytes.count && bytes[index] != quote {
                    index += bytes[index] == backslash ? 2 : 1
                }
                guard index < bytes.count else { return nil }
                if depth == 1 && expectKey && bytes[start..<index].elementsEqual(key) {
                    // `"metadata"` then `:` then the value.
                    var next = index + 1
                    while next < bytes.count && (bytes[next] == UInt8(ascii: ":") || bytes[next] == UInt8(ascii: " ")) {
                        next += 1
                    }
                    return next < bytes.count && bytes[next] == UInt8(ascii: "{") ? next : nil
                }
                expectKey = false
            case UInt8(ascii: "{"):
                depth += 1
                expectKey = depth == 1
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ","): expectKey = depth == 1
            default: break
            }
            index += 1
        }
        return nil
    }
}
