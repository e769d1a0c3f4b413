import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One service's listening socket. `channel` completes once the bind succeeds or fails; closing waits for it, so a
/// listener closed while still binding is closed as soon as it exists.
final class Listener: Sendable {
    let pool: ServicePool
    private let promise: EventLoopPromise<any Channel>
    private let open = Atomic<Bool>(false)

    init(pool: ServicePool, promise: EventLoopPromise<any Channel>) {
        self.pool = pool
        self.promise = promise
    }

    var channel: EventLoopFuture<any Channel> { promise.futureResult }

    /// True from the moment the socket is bound until it is closed: what `statistics()` reports, so that a client
    /// who saw `isListening` can connect, and one who saw it end is refused.
    var isListening: Bool { open.load(ordering: .acquiring) }

    func bound(_ result: EventLoopFuture<any Channel>) {
        result.map { channel in
            self.open.store(true, ordering: .releasing)
            return channel
        }.cascade(to: promise)
    }

    func close() async {
        guard let channel = try? await channel.get() else { return }
        try? await channel.close()
        open.store(false, ordering: .releasing)
    }
}

extension LoadBalancer {
    /// Starts binding the listener of `service`. Accepted connections start with autoRead off (the dialer turns it
    /// on once a backend is glued) and may half-close.
    func bind(_ listener: Listener, service: VirtualService) {
        let pool = listener.pool
        let dialer = self.dialer
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let clientHalf = ProxyGlueHandler(side: .client)
                    try channel.pipeline.syncOperations.addHandlers(
                        DialOnActiveHandler(dialer: dialer, pool: pool, clientHalf: clientHalf), clientHalf)
                }
            }
        do {
            // An IP literal only: a name would be resolved with a blocking call on the event loop.
            let address = try SocketAddress(ipAddress: service.address, port: service.port)
            listener.bound(bootstrap.bind(to: address))
        } catch {
            listener.bound(group.next().makeFailedFuture(error))
        }
    }
}

/// Starts dialing once the accepted channel is active, then steps out of the pipeline. The initializer is too
/// early: when the child's event loop is not the listener's, NIO registers the child only after a round trip through
/// the listener's loop, and a loopback backend can accept before that.
private final class DialOnActiveHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let dialer: BackendDialer
    private let pool: ServicePool
    private let clientHalf: ProxyGlueHandler

    init(dialer: BackendDialer, pool: ServicePool, clientHalf: ProxyGlueHandler) {
        self.dialer = dialer
        self.pool = pool
        self.clientHalf = clientHalf
    }

    func channelActive(context: ChannelHandlerContext) {
        dialer.start(client: context.channel, clientHalf: clientHalf, pool: pool)
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}

extension ServicePool {
    var metadata: Logger.Metadata { ["service.name": "\(name)", "service.endpoint": "\(endpoint)"] }
}
