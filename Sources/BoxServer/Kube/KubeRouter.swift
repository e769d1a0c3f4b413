import BoxKube
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Adapts `KubeHandler` to Hummingbird: the whole request body (16 MiB at most) in, the response out, streams
/// written chunk by chunk (each flushed) and stopped when the client hangs up.
enum KubeRouter {
    static let maxBody = 16 << 20

    static func build(handler: KubeHandler) -> CallbackResponder<ClusterRequestContext> {
        CallbackResponder { request, context in
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBody)
            } catch {
                return convert(
                    .error(
                        KubeError(
                            code: 413, reason: "RequestEntityTooLarge", message: "the request body is over 16 MiB")),
                    channel: context.channel)
            }
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
            }
            let kubeRequest = KubeHTTPRequest(
                method: request.method.rawValue, path: request.uri.path,
                query: KubeHTTPRequest.parseQuery(request.uri.query ?? ""), headers: headers,
                body: Array(buffer: body))
            return convert(await handler.handle(kubeRequest), channel: context.channel)
        }
    }

    static func convert(_ response: KubeHTTPResponse, channel: any Channel) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        let status = HTTPResponse.Status(code: response.status)
        switch response.body {
        case .bytes(let bytes):
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let stream, let stop):
            channel.onHangUp(stop)
            return Response(
                status: status, headers: fields,
                body: ResponseBody { writer in
                    for await chunk in stream {
                        do {
                            try await writer.write(ByteBuffer(bytes: chunk))
                        } catch {
                            stop()
                            throw error
                        }
                    }
                    try await writer.finish(nil)
                })
        }
    }
}
