import BoxCore
import BoxMaster
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /api/v1/scheduler`: the Mesos v1 scheduler HTTP API for frameworks outside the process (pymesos and
/// other Mesos libraries). SUBSCRIBE opens a chunked RecordIO event stream with a `Mesos-Stream-Id`; every other
/// call is answered 202 at once and takes effect through the same `MasterService` calls the in-process transport
/// makes. Status codes and messages follow Mesos (reference §3.6).
struct SchedulerRoutes {
    let cluster: Cluster

    static let streamIDHeader = HTTPField.Name("Mesos-Stream-Id")!

    func add(to router: Router<ClusterRequestContext>) {
        for path in ["/api/v1/scheduler", "/master/api/v1/scheduler"] {
            router.post(RouterPath(path)) { request, context in try await handle(request, context.channel) }
        }
    }

    private func handle(_ request: Request, _ channel: any Channel) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased()
        guard let contentType else { return Self.text(.badRequest, "Expecting 'Content-Type' to be present") }
        guard contentType.hasPrefix("application/json") else {
            return Self.text(.unsupportedMediaType, "Expecting 'Content-Type' of application/json (protobuf is not served)")
        }
        let body = try await request.body.collect(upTo: 16 << 20)
        let decoded: MesosJSON.Decoded
        do {
            decoded = try MesosJSON.decodeCall(Data(buffer: body))
        } catch {
            return Self.text(.badRequest, "\(error)")
        }
        let streamID = request.headers[Self.streamIDHeader]
        switch decoded {
        case .subscribe(let info):
            if streamID != nil {
                return Self.text(.badRequest, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
            }
            if let accept = request.headers[.accept]?.lowercased(),
                !["application/json", "*/*", "application/*"].contains(where: accept.contains)
            {
                return Self.text(.notAcceptable, "Expecting 'Accept' to allow application/json")
            }
            return await subscribe(info, channel)
        case .call(let framework, let call):
            if let refusal = await check(framework, streamID) { return refusal }
            await cluster.master.send(call, from: framework)
            return Response(status: .accepted)
        case .updateFramework(let framework, let info):
            if let refusal = await check(framework, streamID) { return refusal }
            if let problem = await cluster.master.updateFramework(framework, info) {
                return Self.text(.badRequest, problem)
            }
            return Response(status: .ok)
        case .ignored(let framework, _):
            if let refusal = await check(framework, streamID) { return refusal }
            return Response(status: .accepted)
        }
    }

    /// Why a call may not go on (Mesos' codes: 400 unknown framework or stream id, 403 not subscribed), or nil.
    private func check(_ framework: FrameworkID, _ streamID: String?) async -> Response? {
        guard let streamID else {
            return Self.text(.badRequest, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
        }
        switch await cluster.master.presence(of: framework) {
        case .unknown, .removed:
            return Self.text(.badRequest, "Framework cannot be found")
        case .disconnected:
            return Self.text(.forbidden, "Framework is not subscribed")
        case .connected:
            guard await cluster.master.streamID(of: framework) == streamID else {
                return Self.text(
                    .badRequest,
                    "The stream ID '\(streamID)' included in this request didn't match the stream ID currently associated with framework ID \(framework)")
            }
            return nil
        }
    }

    private func subscribe(_ info: FrameworkInfo, _ channel: any Channel) async -> Response {
        let streamID = UUID().uuidString.lowercased()
        let service = cluster.master
        let events = await service.subscribe(info, streamID: streamID)
        var iterator = events.makeAsyncIterator()
        let first = await iterator.next()
        let master = MasterInfo(id: service.masterID, host: cluster.config.host, port: cluster.config.masterPort)
        if case .subscribed(let framework, _) = first {
            // The framework is disconnected the moment its connection closes, not at the next heartbeat
            // (only if this connection still holds its current stream: the master checks the stream id).
            channel.onHangUp { Task { await service.connectionClosed(framework, streamID: streamID) } }
        }
        nonisolated(unsafe) var remaining = iterator  // handed to the one body writer below, then only used there
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", Self.streamIDHeader: streamID],
            body: ResponseBody { writer in
                if let first { try await writer.write(ByteBuffer(data: MesosJSON.recordIO(MesosJSON.encode(first, master: master)))) }
                while let event = await remaining.next() {
                    try await writer.write(ByteBuffer(data: MesosJSON.recordIO(MesosJSON.encode(event, master: master))))
                }
                try await writer.finish(nil)
            })
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        JSON.text(message, status: status)
    }
}
