public import BoxCore

/// A failure the `/v2` API answers with Marathon's status and JSON body
/// (`../shared/reference/marathon-api.md` §10): `{"message": …, "details": [{"path", "errors"}]}`. The client reads
/// `message` and `details` (as `error_details`) and picks its exception from the status.
public enum MarathonError: Error, Equatable, Sendable {
    /// 400: the body is not JSON (or not the JSON shape the endpoint takes at all).
    case badRequest(message: String, details: [FieldError] = [])
    /// 422: JSON of the right shape whose fields break the rules; one detail per failing field.
    case invalid(message: String, details: [FieldError])
    /// 404 with the message as is (`App '/x' does not exist`).
    case notFound(String)
    /// 409: the conflicting deployments are listed as `[{"id": …}]`.
    case conflict(message: String, deployments: [String])

    /// Marathon's message for 422s from validation.
    public static let notValid = "Object is not valid"

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .invalid: 422
        case .notFound: 404
        case .conflict: 409
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let message, _), .invalid(let message, _), .conflict(let message, _): message
        case .notFound(let message): message
        }
    }

    /// The response body; `details` only when there are some, as Marathon does.
    public var json: JSONValue {
        var body: [String: JSONValue] = ["message": .string(message)]
        switch self {
        case .badRequest(_, let details), .invalid(_, let details):
            if !details.isEmpty { body["details"] = .array(details.map(\.json)) }
        case .conflict(_, let deployments):
            body["deployments"] = .array(deployments.map { ["id": .string($0)] })
        case .notFound: break
        }
        return .object(body)
    }
}

/// One field that failed: a JSON-pointer-like path (`/healthChecks(0)/portIndex`, indices in parentheses as
/// Marathon writes them) and its messages.
public struct FieldError: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var errors: [String]

    public init(path: String, errors: [String]) {
        self.path = path
        self.errors = errors
    }

    public var json: JSONValue { ["path": .string(path), "errors": .array(errors.map(JSONValue.string))] }
    public var description: String { "\(path): \(errors.joined(separator: "; "))" }
}

/// Collects field errors in the order found, one `FieldError` per path, so a 422 lists everything wrong at once.
struct FieldErrors {
    private(set) var list: [FieldError] = []

    var isEmpty: Bool { list.isEmpty }

    mutating func add(_ path: String, _ message: String) {
        if let index = list.firstIndex(where: { $0.path == path }) {
            if !list[index].errors.contains(message) { list[index].errors.append(message) }
        } else {
            list.append(FieldError(path: path, errors: [message]))
        }
    }

    mutating func append(contentsOf other: FieldErrors) {
        for error in other.list {
            for message in error.errors { add(error.path, message) }
        }
    }
}
