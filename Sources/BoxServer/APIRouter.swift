import BoxCore
import Foundation
import Hummingbird

/// Every HTTP route of the master port, grouped by concern in `Routes/`.
enum APIRouter {
    static func build(cluster: Cluster) -> Router<ClusterRequestContext> {
        let router = Router(context: ClusterRequestContext.self)
        MasterRoutes(cluster: cluster).add(to: router)
        ClusterRoutes(cluster: cluster).add(to: router)
        AgentRoutes(cluster: cluster).add(to: router)
        BatchRoutes(cluster: cluster).add(to: router)
        SchedulerRoutes(cluster: cluster).add(to: router)
        OperatorRoutes(cluster: cluster).add(to: router)
        DiscoveryRoutes(cluster: cluster).add(to: router)
        DashboardRoutes(cluster: cluster).add(to: router)
        return router
    }
}

/// An error our API answers with a status and a JSON `{"message": …}` body.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSON.response(["message": message], status: status)
    }
}

enum JSON {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        buffer.writeString("\n")
        return Response(
            status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
    }

    static func text(
        _ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPResponse.Status = .ok
    )
        -> Response
    {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
