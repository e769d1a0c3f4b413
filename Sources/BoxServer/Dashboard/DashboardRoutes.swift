import Foundation
import Hummingbird
import NIOCore

/// The web dashboard on the master port: the page at `/` (and `/dashboard/`), its stylesheet and script under
/// `/dashboard/`, one JSON snapshot of everything it draws, and the live feed of changes as server-sent events.
struct DashboardRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        // "/dashboard/" is the same route as "/dashboard" to the router.
        for path in ["/", "/dashboard", "/dashboard/index.html"] {
            router.get(RouterPath(path)) { request, _ in Self.serve(DashboardAssets.html, request) }
        }
        router.get("/dashboard/dashboard.css") { request, _ in Self.serve(DashboardAssets.css, request) }
        router.get("/dashboard/dashboard.js") { request, _ in Self.serve(DashboardAssets.js, request) }
        router.get("/dashboard/v1/snapshot") { _, _ in
            JSON.response(await DashboardSnapshot.current(cluster))
        }
        router.get("/dashboard/v1/events") { _, context in
            Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { [channel = context.channel] writer in
                    // Room for 10 s of frames; a page that reads slower is cut off and reconnects to a snapshot.
                    let (frames, sink) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(100))
                    let feed = DashboardFeed(cluster: cluster)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await feed.run(into: sink) }
                        try await EventStream.serve(
                            frames, hello: ByteBuffer(string: ": clusterbox dashboard\n\n"), to: &writer,
                            hangUp: channel
                        ) { $0 }
                        group.cancelAll()
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// The asset, or 304 when the browser has this version (its ETag is a hash of the bytes, so a new binary's
    /// page is fetched again; `no-cache` makes the browser ask each time).
    static func serve(_ asset: DashboardAssets.Asset, _ request: Request) -> Response {
        var headers: HTTPFields = [.contentType: asset.contentType, .cacheControl: "no-cache", .eTag: asset.etag]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
    }
}
