import Foundation

extension MesosJSON {
    /// The JSON text of an `Object` tree as this module builds them (dictionaries, arrays, strings, Bool, Int,
    /// Double, UInt32), written the way `JSONSerialization` with `.sortedKeys` writes it: keys sorted (by code
    /// point, which for these lower-case snake_case keys is `NSString.compare`'s order too), integral doubles
    /// without ".0", "/" escaped as "\/". Nil for anything else (a value of another type, a number that is not
    /// finite): the caller then falls back to `JSONSerialization`.
    ///
    /// The event streams (scheduler and operator RecordIO) encode every event; through `JSONSerialization` that
    /// bridged each dictionary, array and number to Foundation's NS types and sorted keys with `NSString.compare`,
    /// which came to about 30% of the daemon's CPU with an HTTP framework launching tasks (Benchmarks/README.md).
    static func jsonBytes(_ object: Object) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        return write(object, into: &out) ? out : nil
    }

    private static func write(_ value: Any, into out: inout [UInt8]) -> Bool {
        switch value {
        case let string as String:
            writeString(string, into: &out)
        case let object as Object:
            out.append(UInt8(ascii: "{"))
            var first = true
            for key in object.keys.sorted() {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                guard write(object[key]!, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        case let objects as [Object]:
            out.append(UInt8(ascii: "["))
            for (index, element) in objects.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, into: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case let bool as Bool:
            out.append(contentsOf: bool ? Array("true".utf8) : Array("false".utf8))
        case let int as Int:
            out.append(contentsOf: String(int).utf8)
        case let double as Double:
            guard double.isFinite else { return false }
            let text = double.description
            out.append(contentsOf: text.hasSuffix(".0") ? text.utf8.dropLast(2) : text.utf8[...])
        case let number as UInt32:
            out.append(contentsOf: String(number).utf8)
        default:
            return false
        }
        return true
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
