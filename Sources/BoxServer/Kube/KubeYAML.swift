import BoxCore
import BoxKube
import Foundation
import Yams

/// YAML request bodies (server-side apply's `application/apply-patch+yaml`, `application/yaml`) as JSON values.
/// JSON is YAML, so a JSON body parses here too.
enum KubeYAML {
    static func parse(_ body: [UInt8]) throws(KubeError) -> JSONValue {
        let text = String(decoding: body, as: UTF8.self)
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw .badRequest("error converting YAML to JSON: \(error)")
        }
        guard let loaded else { throw .badRequest("the request body is empty") }
        return convert(loaded)
    }

    /// Yams' values (its core schema: bools, ints, doubles, strings, null) as JSON.
    static func convert(_ value: Any) -> JSONValue {
        switch value {
        case let map as [String: Any]: .object(map.mapValues(convert))
        case let map as [AnyHashable: Any]:
            .object(Dictionary(map.map { ("\($0.key)", convert($0.value)) }, uniquingKeysWith: { a, _ in a }))
        case let list as [Any]: .array(list.map(convert))
        case let bool as Bool: .bool(bool)
        case let int as Int: .int(int)
        case let double as Double: .double(double)
        case let string as String: .string(string)
        case let date as Date: .string(ISO8601DateFormatter().string(from: date))
        case let data as Data: .string(data.base64EncodedString())
        default: .null
        }
    }
}
