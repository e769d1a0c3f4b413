public import BoxCore
public import BoxKube
import Foundation

/// One request to the Kubernetes API, independent of the HTTP server (so the routes can be tested without a
/// socket): the path, the query (decoded, `+` as space), the headers (names lower-cased) and the whole body.
public struct KubeHTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [String: String]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// The last value of a query parameter.
    public func parameter(_ name: String) -> String? { query.last { $0.name == name }?.value }

    /// `true`/`1` (any case) for a boolean parameter.
    public func flag(_ name: String) -> Bool {
        guard let value = parameter(name)?.lowercased() else { return false }
        return value == "true" || value == "1"
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Parses a raw query string: `&`-separated, `+` is a space (kubectl form-encodes selectors), then percent
    /// decoding.
    public static func parseQuery(_ raw: String) -> [(name: String, value: String)] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) -> String in
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}

/// The answer: a status, headers and either a whole body or a stream of chunks (watch, followed logs), each
/// chunk written and flushed as it comes. `stop` ends the stream early (the client hung up).
public struct KubeHTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncStream<[UInt8]>, stop: @Sendable () -> Void)
    }

    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Body

    public init(status: Int, headers: [(name: String, value: String)], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON document with `Content-Type: application/json` (or `contentType`).
    public static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json")
        -> KubeHTTPResponse
    {
        KubeHTTPResponse(
            status: status, headers: [("Content-Type", contentType)], body: .bytes(Array((value.text + "\n").utf8)))
    }

    /// A failure as its `Status` object, with `Retry-After` when the error says so.
    public static func error(_ error: KubeError) -> KubeHTTPResponse {
        var response = json(error.status, status: error.code)
        if let seconds = error.retryAfterSeconds { response.headers.append(("Retry-After", String(seconds))) }
        return response
    }

    /// The whole body as text (tests).
    public var text: String {
        if case .bytes(let bytes) = body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }

    public func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What `GET …/pods/NAME/log` asks the node for.
public struct KubeLogRequest: Sendable, Hashable {
    public var namespace: String
    public var pod: String
    public var container: String?
    public var follow: Bool
    public var tailLines: Int?
    public var previous: Bool

    public init(
        namespace: String, pod: String, container: String?, follow: Bool, tailLines: Int?, previous: Bool
    ) {
        self.namespace = namespace
        self.pod = pod
        self.container = container
        self.follow = follow
        self.tailLines = tailLines
        self.previous = previous
    }
}

/// Where pod logs come from (the kubelet part sets it): the log's bytes as chunks, ending when the log does (or,
/// with `follow`, when the container stops). Throws a `KubeError` (400 for an ambiguous container, 404…).
public typealias KubeLogSource = @Sendable (KubeLogRequest) async throws(KubeError) -> AsyncStream<[UInt8]>
