import BoxServer
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small blocking HTTPS client for the cluster's Kubernetes API, so the tour works without kubectl: it trusts
/// only the cluster's CA (`<data dir>/kube/ca.crt`), sends the admin bearer token, and makes one request per
/// connection (`Connection: close`). Blocking (`wait()`) is fine here: the tour is a synchronous command.
struct KubeClient {
    let host: String
    let port: Int
    let token: String
    let context: NIOSSLContext

    struct Response {
        var status: Int
        var body: Data
        /// The body as a JSON object (empty when it is not one).
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// A Status object's `message`, or the body itself.
        var message: String { object["message"] as? String ?? String(decoding: body, as: UTF8.self) }
    }

    /// The running cluster's Kubernetes API, from `cluster.json` and `<data dir>/kube`.
    init(directory: String, info: ClusterInfo) throws {
        let entry = try Kubeconfig.entry(directory: directory, info: info)
        guard let port = info.kubePort else { throw CLIError("this cluster serves no Kubernetes API") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(entry.caPEM.utf8)))
        self.host = info.host
        self.port = port
        self.token = entry.token
        self.context = try NIOSSLContext(configuration: tls)
    }

    func get(_ path: String) throws -> Response { try request("GET", path) }

    /// Sends one request; `body` is JSON (or a patch when `contentType` says so).
    func request(
        _ method: String, _ path: String, body: Any? = nil, contentType: String = "application/json"
    ) throws -> Response {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: application/json\r\n"
        head += "Authorization: Bearer \(token)\r\nConnection: close\r\nUser-Agent: clusterbox-tour\r\n"
        if body != nil { head += "Content-Type: \(contentType)\r\nContent-Length: \(payload.count)\r\n" }
        var bytes = Data((head + "\r\n").utf8)
        bytes.append(payload)
        let raw = try exchange(bytes)
        return try Self.parse(raw)
    }

    /// Connects over TLS, writes `bytes` and reads until the server closes the connection.
    private func exchange(_ bytes: Data) throws -> Data {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Data.self)
        let context = self.context
        let channel = try ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(context: context, serverHostname: nil)
                    try channel.pipeline.syncOperations.addHandlers(tls, Collector(promise: promise))
                }
            }
            .connect(host: host, port: port).wait()
        channel.writeAndFlush(ByteBuffer(data: bytes), promise: nil)
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(60)) {
            promise.fail(CLIError("the Kubernetes API did not answer within 60 s"))
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        return try promise.futureResult.wait()
    }

    /// Status line, headers, and a body framed by Content-Length, chunks or the end of the connection.
    static func parse(_ raw: Data) throws -> Response {
        guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw CLIError("bad HTTP response from the Kubernetes API")
        }
        let head = String(decoding: raw[raw.startIndex..<split.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw CLIError("bad status line from the Kubernetes API: \(lines.first ?? "")")
        }
        let chunked = lines.contains {
            $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
        }
        var body = Data(raw[split.upperBound...])
        if chunked { body = dechunk(body) }
        return Response(status: status, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[rest.startIndex..<line.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first.map(String.init) ?? "", radix: 16), size > 0
            else { break }
            let start = line.upperBound
            let end = rest.index(start, offsetBy: size, limitedBy: rest.endIndex) ?? rest.endIndex
            out.append(rest[start..<end])
            rest = rest[min(rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return out
    }
}

/// Gathers the response bytes and fulfils the promise when the connection ends.
private final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Data>
    private var received = Data()

    init(promise: EventLoopPromise<Data>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { received.append(contentsOf: bytes) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(received)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A server that closes without close_notify has still sent the whole response.
        if let tls = error as? NIOSSLError, case .uncleanShutdown = tls { return }
        promise.fail(error)
        context.close(promise: nil)
    }
}
