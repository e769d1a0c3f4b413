import BoxCore
import BoxMarathon
import Foundation
import HTTPTypes
import Hummingbird

/// Marathon's `/v2` API on its own port. Paths are dispatched by hand rather than by a router: app ids contain
/// `/`, so a path is read from the right (`…/restart`, `…/tasks/{id}`, `…/versions/{v}`), and the Python client
/// sends doubled slashes (`/v2/apps//web`), which splitting collapses.
enum MarathonRouter {
    static func build(cluster: Cluster) -> CallbackResponder<ClusterRequestContext> {
        let routes = MarathonRoutes(cluster: cluster)
        return CallbackResponder { request, context in
            do {
                return try await routes.respond(request, context)
            } catch let error as MarathonError {
                return MarathonRoutes.json(error.json, status: error.status)
            } catch let error as any HTTPResponseError {
                // Hummingbird's own refusals (a body over the limit, …) in Marathon's error shape.
                let message = error.status == .contentTooLarge ? "request body over 4 MiB" : "\(error)"
                return MarathonRoutes.json(["message": .string(message)], status: Int(error.status.code))
            } catch {
                return MarathonRoutes.json(["message": .string("\(error)")], status: 500)
            }
        }
    }
}

/// The handlers, one per endpoint of reference §2.
struct MarathonRoutes {
    let cluster: Cluster
    var marathon: MarathonService { cluster.marathon }

    func respond(_ request: Request, _ context: ClusterRequestContext) async throws -> Response {
        let path = request.uri.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        let query = Query(request.uri.queryParameters)
        let method = request.method
        switch (method, path.first, path.dropFirst().first) {
        case (.get, "ping", nil):
            return JSON.text("pong")
        case (.get, "metrics", nil):
            return Self.json(
                ["version": "4.0.0", "gauges": [:], "counters": [:], "histograms": [:], "meters": [:], "timers": [:]])
        case (_, "v2", "info") where method == .get:
            let id = await marathon.frameworkID?.value
            return Self.json(
                MarathonJSON.infoJSON(
                    frameworkID: id, leader: leader, master: cluster.config.masterURL))
        case (_, "v2", "leader"):
            if method == .delete { return Self.json(["message": "Leadership abdicated"]) }
            return Self.json(MarathonJSON.leaderJSON(leader))
        case (_, "v2", "apps"):
            return try await apps(method, Array(path.dropFirst(2)), query, request)
        case (_, "v2", "tasks"):
            return try await tasks(method, Array(path.dropFirst(2)), query, request)
        case (_, "v2", "deployments"):
            return try await deployments(method, Array(path.dropFirst(2)), query)
        case (_, "v2", "groups"):
            return try await groups(method, Array(path.dropFirst(2)), query, request)
        case (_, "v2", "queue"):
            return try await queue(method, Array(path.dropFirst(2)), query)
        case (.get, "v2", "events"):
            return try await events(request, query, context)
        case (_, "v2", "eventSubscriptions"):
            throw MarathonError.notFound("HTTP callback subscriptions were removed in Marathon 1.7; use /v2/events")
        default:
            throw MarathonError.notFound("Not found: \(method) \(request.uri.path)")
        }
    }

    var leader: String { "\(cluster.config.host):\(cluster.config.marathonPort)" }

    // MARK: - Helpers

    static func json(
        _ value: JSONValue, status: Int = 200, headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.text)))
    }

    static func body(_ request: Request) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 << 20)
        return Array(buffer.readableBytesView)
    }

    static func pathID(_ segments: some Collection<String>) throws(MarathonError) -> PathID {
        do {
            return try PathID("/" + segments.joined(separator: "/"))
        } catch {
            throw .badRequest(message: "\(error)")
        }
    }

    static func deploymentResult(_ deployment: Deployment) -> Response {
        json(
            MarathonJSON.deploymentResultJSON(id: deployment.id, version: deployment.version),
            headers: [deploymentHeader: deployment.id])
    }

    static let deploymentHeader = HTTPField.Name("Marathon-Deployment-Id")!

    /// A request body as JSON, or Marathon's 400.
    static func document(_ bytes: [UInt8]) throws(MarathonError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .badRequest(message: "Invalid JSON", details: [FieldError(path: "/", errors: ["\(error)"])])
        }
    }
}

/// Query parameters as Marathon reads them: booleans in any case (`force=True`), repeated `embed`.
struct Query {
    let parameters: Hummingbird.Parameters

    init(_ parameters: Hummingbird.Parameters) { self.parameters = parameters }

    func bool(_ name: String, _ fallback: Bool = false) -> Bool {
        guard let value = parameters.get(name) else { return fallback }
        return value.lowercased() == "true" || value == "1"
    }

    func string(_ name: String) -> String? { parameters.get(name) }
    func all(_ name: String) -> [String] { parameters.getAll(name) }
}
