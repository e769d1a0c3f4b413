public import BoxCore

/// JSON patch (RFC 6902), as `kubectl patch --type json` and `kubectl rollout undo` send it.
///
/// Errors follow the API server: a body that is not a list of operations is 400 BadRequest; an operation that cannot
/// apply (missing path, failed `test`, unknown op) is 422 Invalid, naming the operation and the path.
extension KubePatch {
    public static func jsonPatch(_ patch: JSONValue, to object: JSONValue) throws(KubeError) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw .badRequest("json: cannot unmarshal \(kindName(patch)) into Go value of type jsonpatch.Patch")
        }
        var document = object
        for (index, operation) in operations.enumerated() {
            guard case .object(let members) = operation else {
                throw .badRequest(
                    "json: cannot unmarshal \(kindName(operation)) into Go value of type jsonpatch.Operation")
            }
            let op = members["op"]?.stringValue ?? ""
            do throws(JSONPointerFailure) {
                try applyOperation(op, members, to: &document)
            } catch {
                let path = members["path"]?.stringValue ?? ""
                let detail =
                    "json patch operation \(index) (\(op.isEmpty ? "missing op" : op) \"\(path)\") failed: \(error.message)"
                throw KubeError(
                    code: 422, reason: "Invalid", message: detail,
                    causes: [KubeError.Cause(reason: "UnexpectedServerResponse", message: detail, field: "")])
            }
        }
        return document
    }

    private static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .int, .double: "number"
        case .bool: "bool"
        case .null: "null"
        }
    }

    private static func applyOperation(_ op: String, _ members: [String: JSONValue], to document: inout JSONValue)
        throws(JSONPointerFailure)
    {
        func pointer(_ key: String) throws(JSONPointerFailure) -> [String] {
            guard let text = members[key]?.stringValue else { throw JSONPointerFailure("missing \"\(key)\"") }
            return try JSONPointer.tokens(text)
        }
        func value() throws(JSONPointerFailure) -> JSONValue {
            guard let value = members["value"] else { throw JSONPointerFailure("missing \"value\"") }
            return value
        }
        switch op {
        case "add": try JSONPointer.add(try value(), at: try pointer("path"), in: &document)
        case "remove": _ = try JSONPointer.remove(try pointer("path"), in: &document)
        case "replace":
            let path = try pointer("path")
            _ = try JSONPointer.get(path, in: document)
            try JSONPointer.replace(try value(), at: path, in: &document)
        case "move":
            let from = try pointer("from")
            let path = try pointer("path")
            if from == path { return }
            if path.count > from.count && Array(path.prefix(from.count)) == from {
                throw JSONPointerFailure("cannot move a value into one of its children")
            }
            let moved = try JSONPointer.remove(from, in: &document)
            try JSONPointer.add(moved, at: path, in: &document)
        case "copy":
            let copied = try JSONPointer.get(try pointer("from"), in: document)
            try JSONPointer.add(copied, at: try pointer("path"), in: &document)
        case "test":
            let path = try pointer("path")
            let actual = try JSONPointer.get(path, in: document)
            guard actual == (try value()) else {
                throw JSONPointerFailure("testing value failed: found \(actual.text)")
            }
        default:
            throw JSONPointerFailure("unexpected kind of operation \"\(op)\"")
        }
    }
}

/// Why a JSON pointer operation failed (turned into a 422 by `jsonPatch`).
struct JSONPointerFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// RFC 6901 pointers over `JSONValue`: `/a/b/0`, `~1` for `/`, `~0` for `~`, `-` past the end of an array (add).
enum JSONPointer {
    static func tokens(_ text: String) throws(JSONPointerFailure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw JSONPointerFailure("invalid JSON pointer \"\(text)\"") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0.replacing("~1", with: "/").replacing("~0", with: "~"))
        }
    }

    static func get(_ path: [String], in document: JSONValue) throws(JSONPointerFailure) -> JSONValue {
        var current = document
        for token in path {
            switch current {
            case .object(let members):
                guard let next = members[token] else { throw JSONPointerFailure("missing value at \"\(token)\"") }
                current = next
            case .array(let elements):
                current = elements[try index(token, count: elements.count)]
            default:
                throw JSONPointerFailure("\"\(token)\" is below a value that is neither an object nor an array")
            }
        }
        return current
    }

    static func add(_ value: JSONValue, at path: [String], in document: inout JSONValue) throws(JSONPointerFailure) {
        guard !path.isEmpty else {
            document = value
            return
        }
        try update(path[...], in: &document) { container, token throws(JSONPointerFailure) in
            switch container {
            case .object(var members):
                members[token] = value
                container = .object(members)
            case .array(var elements):
                let position = token == "-" ? elements.count : try index(token, count: elements.count + 1)
                elements.insert(value, at: position)
                container = .array(elements)
            default:
                throw JSONPointerFailure("cannot add \"\(token)\" to a value that is neither an object nor an array")
            }
        }
    }

    static func replace(_ value: JSONValue, at path: [String], in document: inout JSONValue)
        throws(JSONPointerFailure)
    {
        guard !path.isEmpty else {
            document = value
            return
        }
        try update(path[...], in: &document) { container, token throws(JSONPointerFailure) in
            switch container {
            case .object(var members):
                members[token] = value
                container = .object(members)
            case .array(var elements):
                elements[try index(token, count: elements.count)] = value
                container = .array(elements)
            default:
                throw JSONPointerFailure("cannot replace \"\(token)\"")
            }
        }
    }

    static func remove(_ path: [String], in document: inout JSONValue) throws(JSONPointerFailure) -> JSONValue {
        guard !path.isEmpty else { throw JSONPointerFailure("cannot remove the whole document") }
        var removed = JSONValue.null
        try update(path[...], in: &document) { container, token throws(JSONPointerFailure) in
            switch container {
            case .object(var members):
                guard let old = members.removeValue(forKey: token) else {
                    throw JSONPointerFailure("missing value at \"\(token)\"")
                }
                removed = old
                container = .object(members)
            case .array(var elements):
                removed = elements.remove(at: try index(token, count: elements.count))
                container = .array(elements)
            default:
                throw JSONPointerFailure("cannot remove \"\(token)\"")
            }
        }
        return removed
    }

    /// Calls `body` with the container holding the last token of a non-empty path.
    private static func update(
        _ path: ArraySlice<String>, in value: inout JSONValue,
        _ body: (inout JSONValue, String) throws(JSONPointerFailure) -> Void
    ) throws(JSONPointerFailure) {
        guard let first = path.first else { return }
        if path.count == 1 { return try body(&value, first) }
        let rest = path.dropFirst()
        switch value {
        case .object(var members):
            guard var child = members[first] else { throw JSONPointerFailure("missing value at \"\(first)\"") }
            members[first] = nil
            try update(rest, in: &child, body)
            members[first] = child
            value = .object(members)
        case .array(var elements):
            let position = try index(first, count: elements.count)
            var child = elements[position]
            try update(rest, in: &child, body)
            elements[position] = child
            value = .array(elements)
        default:
            throw JSONPointerFailure("\"\(first)\" is below a value that is neither an object nor an array")
        }
    }

    /// An array index: decimal digits without a leading zero, below `count`.
    private static func index(_ token: String, count: Int) throws(JSONPointerFailure) -> Int {
        guard !token.isEmpty, token.count < 10, token.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            token == "0" || !token.hasPrefix("0"), let value = Int(token), value < count
        else { throw JSONPointerFailure("invalid or out-of-range array index \"\(token)\"") }
        return value
    }
}
