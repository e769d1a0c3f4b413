import Foundation

/// The labels column's text: a JSON object of strings with sorted keys, as `JSONEncoder` (`.sortedKeys`) writes
/// it, including its `\/` for `/`. Written and read by hand because labels are read for every listed row
/// (10,000 pods: `JSONDecoder` alone took tens of milliseconds) and written for every write; anything the fast
/// reader does not expect (a `\u` escape, odd spacing) goes to `JSONDecoder`, so every text written before
/// still reads the same.
enum LabelsText {
    static func encode(_ labels: [String: String]) -> String {
        if labels.isEmpty { return "{}" }
        var out = "{"
        for (index, key) in labels.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendQuoted(key, to: &out)
            out += ":"
            appendQuoted(labels[key] ?? "", to: &out)
        }
        out += "}"
        return out
    }

    /// `text` as `JSONEncoder` quotes a string: `"`, `\`, `/` and control characters escaped.
    private static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func decode(_ text: String) throws -> [String: String] {
        if text == "{}" { return [:] }
        if let labels = fastDecode(text) { return labels }
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw StoreError.storage("unreadable labels '\(text)': \(error)")
        }
    }

    /// The compact form only (`{"k":"v",…}`, simple escapes); nil for anything else.
    static func fastDecode(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var index = 0
            let count = bytes.count
            func string() -> String? {
                guard index < count, bytes[index] == UInt8(ascii: "\"") else { return nil }
                index += 1
                let start = index
                var escaped = false
                while index < count && bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        escaped = true
                        index += 1
                    }
                    index += 1
                }
                guard index < count else { return nil }
                let end = index
                index += 1
                if !escaped {
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                }
                var out: [UInt8] = []
                out.reserveCapacity(end - start)
                var at = start
                while at < end {
                    var byte = bytes[at]
                    if byte == UInt8(ascii: "\\") {
                        at += 1
                        guard at < end else { return nil }
                        switch bytes[at] {
                        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte = bytes[at]
                        case UInt8(ascii: "n"): byte = 0x0A
                        case UInt8(ascii: "r"): byte = 0x0D
                        case UInt8(ascii: "t"): byte = 0x09
                        case UInt8(ascii: "b"): byte = 0x08
                        case UInt8(ascii: "f"): byte = 0x0C
                        default: return nil  // \u: JSONDecoder's business
                        }
                    }
                    out.append(byte)
                    at += 1
                }
                return String(decoding: out, as: UTF8.self)
            }
            guard count >= 2, bytes[0] == UInt8(ascii: "{"), bytes[count - 1] == UInt8(ascii: "}") else { return nil }
            index = 1
            var labels: [String: String] = [:]
            while index < count - 1 {
                guard let key = string(), index < count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let value = string() else { return nil }
                labels[key] = value
                if index < count - 1 {
                    // A comma needs another pair after it.
                    guard bytes[index] == UInt8(ascii: ","), index + 1 < count - 1 else { return nil }
                    index += 1
                }
            }
            return index == count - 1 ? labels : nil
        }
    }
}
