import BoxCore
public import BoxKube
import Foundation
import Synchronization

/// The Kubernetes API's HTTP semantics over `KubeAPI` (reference §1, §2, §4, §5, §7): bearer-token auth,
/// discovery, OpenAPI, the REST paths of every `ResourceType` with their verbs and subresources, content
/// negotiation (Tables, protobuf, YAML) and watch streams. Transport-free: `KubeRouter` adapts it to Hummingbird.
public final class KubeHandler: Sendable {
    public let api: KubeAPI
    let token: String
    /// `host:port` for the legacy `/api` document.
    let serverAddress: String
    private let logSourceBox = Mutex<KubeLogSource?>(nil)
    /// A watch without `timeoutSeconds` ends after this long (with up to 10 % jitter), as upstream's 30–60 min.
    let defaultWatchTimeout: Duration
    /// How often a watch with `allowWatchBookmarks` gets a BOOKMARK.
    let bookmarkInterval: Duration

    public init(
        api: KubeAPI, token: String, serverAddress: String, defaultWatchTimeout: Duration = .seconds(1800),
        bookmarkInterval: Duration = .seconds(10)
    ) {
        self.api = api
        self.token = token
        self.serverAddress = serverAddress
        self.defaultWatchTimeout = defaultWatchTimeout
        self.bookmarkInterval = bookmarkInterval
    }

    /// Where `…/pods/NAME/log` reads logs; until set, log requests answer 400.
    public var logSource: KubeLogSource? {
        get { logSourceBox.withLock { $0 } }
        set { logSourceBox.withLock { $0 = newValue } }
    }

    /// The aggregated discovery media type; the response Content-Type must be exactly this (reference §2.2).
    public static let aggregatedDiscoveryType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Answers one request; every failure becomes its `Status`.
    public func handle(_ request: KubeHTTPRequest) async -> KubeHTTPResponse {
        do {
            return try await route(request)
        } catch {
            return .error(error)
        }
    }

    func route(_ request: KubeHTTPRequest) async throws(KubeError) -> KubeHTTPResponse {
        let path = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch path.first {
        case "version" where path.count == 1:
            return .json(Self.version)
        case "healthz", "readyz", "livez":
            return KubeHTTPResponse(
                status: 200, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array("ok".utf8)))
        default:
            break
        }
        guard authorized(request) else { throw .unauthorized() }
        switch (path.first, path.count) {
        case ("api", 1):
            if wantsAggregated(request) {
                return .json(KubeDiscovery.aggregated(core: true), contentType: Self.aggregatedDiscoveryType)
            }
            return .json(KubeDiscovery.apiVersions(serverAddress: serverAddress))
        case ("apis", 1):
            if wantsAggregated(request) {
                return .json(KubeDiscovery.aggregated(core: false), contentType: Self.aggregatedDiscoveryType)
            }
            return .json(KubeDiscovery.apiGroupList())
        case ("api", 2):
            guard request.method == "GET", let list = KubeDiscovery.resourceList(group: "", version: path[1]) else {
                throw .pathNotFound(request.path)
            }
            return .json(list)
        case ("apis", 2):
            guard request.method == "GET", let group = KubeDiscovery.apiGroup(path[1]) else {
                throw .pathNotFound(request.path)
            }
            return .json(group)
        case ("apis", 3):
            guard request.method == "GET", let list = KubeDiscovery.resourceList(group: path[1], version: path[2])
            else { throw .pathNotFound(request.path) }
            return .json(list)
        case ("api", _):
            return try await resource(request, group: "", version: path[1], rest: Array(path.dropFirst(2)))
        case ("apis", _):
            return try await resource(request, group: path[1], version: path[2], rest: Array(path.dropFirst(3)))
        case ("openapi", _) where path.count >= 2 && path[1] == "v3":
            if path.count == 2 { return .json(KubeOpenAPI.index()) }
            guard let document = KubeOpenAPI.document("/" + path.dropFirst(2).joined(separator: "/")) else {
                throw .pathNotFound(request.path)
            }
            return .json(document)
        default:
            // /openapi/v2 included: kubectl only accepts protobuf there and falls back on a 404 (reference §8.3).
            throw .pathNotFound(request.path)
        }
    }

    /// `Authorization: Bearer <token>` (scheme in any case), compared in constant time.
    func authorized(_ request: KubeHTTPRequest) -> Bool {
        guard let header = request.header("authorization") else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        let expected = Array(token.utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }

    func wantsAggregated(_ request: KubeHTTPRequest) -> Bool {
        (request.header("accept") ?? "").contains("as=APIGroupDiscoveryList")
    }

    /// `GET /version` (reference §2.1).
    static let version: JSONValue = [
        "major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37", "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "36", "gitVersion": "v1.37.0-clusterbox", "gitCommit": "clusterbox",
        "gitTreeState": "clean", "buildDate": "2026-11-01T00:00:00Z", "goVersion": "go1.25.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]
}
