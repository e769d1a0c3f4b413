import Foundation

/// `--json` on listing commands. One rule for all of them: the JSON is the API's own document that the table is
/// drawn from, as the API returns it (pretty-printed, keys sorted), not the table's rows. Where a table lists one
/// part of a larger document (agents, frameworks and offers are parts of `/master/state`), the JSON is that part:
/// the array of the API's objects. `status` and `top` combine several readings, so they print their own report.
extension Terminal {
    /// Prints an API response body as pretty JSON with sorted keys; a body that is not JSON is an error, not output.
    static func printJSON(body: Data) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            throw CLIError("the API did not answer JSON: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        try printJSON(object: object)
    }

    /// Prints a JSONSerialization value (a parsed document or a part of one) as pretty JSON with sorted keys.
    static func printJSON(object: Any) throws {
        let data = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        print(String(decoding: data, as: UTF8.self))
    }

    /// The value at `key` of a JSON object body, e.g. `slaves` of `/master/state`.
    static func part(_ key: String, of body: Data) throws -> Any {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let part = object[key]
        else { throw CLIError("the API's document has no \"\(key)\"") }
        return part
    }
}

extension HTTPClient {
    /// GETs a JSON document's body, turning an error status into a CLIError with the server's message.
    func body(_ path: String) throws -> Data {
        let response = try get(path)
        guard response.status == 200 else { throw CLIError(response.errorMessage) }
        return response.body
    }
}
