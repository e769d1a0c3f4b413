import NIOCore
import NIOPosix

/// One query sent to one upstream over a channel of its own, which closes when the reply arrives, the upstream
/// fails, or the deadline passes, whichever is first. Everything runs on `eventLoop`; a promise completed twice keeps
/// its first result, so the timer and the channel may race.
struct DNSUpstreamExchange {
    let query: DNSMessage
    let deadline: NIODeadline
    let eventLoop: any EventLoop
    private let promise: EventLoopPromise<DNSUpstreamReply>

    init(query: DNSMessage, deadline: NIODeadline, eventLoop: any EventLoop) {
        self.query = query
        self.deadline = deadline
        self.eventLoop = eventLoop
        self.promise = eventLoop.makePromise()
        let timer = eventLoop.scheduleTask(deadline: deadline) { [promise] in
            promise.fail(DNSForwarder.Failure.timedOut)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
    }

    var reply: EventLoopFuture<DNSUpstreamReply> { promise.futureResult }

    func overUDP(_ packet: [UInt8], to upstream: SocketAddress) {
        let (query, promise) = (self.query, self.promise)
        let connected = DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DNSUpstreamUDPHandler(query: query, promise: promise))
                }
            }
            .connect(to: upstream)
        send(packet, through: connected) { $0.buffer(bytes: $1) }
    }

    func overTCP(_ packet: [UInt8], to upstream: SocketAddress) {
        let (query, promise) = (self.query, self.promise)
        let remaining = deadline - .now()
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(remaining > .zero ? remaining : .milliseconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(
                        DNSUpstreamTCPHandler(query: query, promise: promise))
                }
            }
            .connect(to: upstream)
        send(packet, through: connected) { $0.dnsTCPFrame($1) }
    }

    private func send(
        _ packet: [UInt8], through connected: EventLoopFuture<any Channel>,
        framing: @escaping @Sendable (ByteBufferAllocator, [UInt8]) -> ByteBuffer
    ) {
        let promise = self.promise
        connected.whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(error)
            case .success(let channel):
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                channel.writeAndFlush(framing(channel.allocator, packet)).whenFailure { promise.fail($0) }
            }
        }
    }
}

/// Takes the first datagram that is a reply to the query; others (late or spoofed ones) are ignored.
final class DNSUpstreamUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let query: DNSMessage
    private let promise: EventLoopPromise<DNSUpstreamReply>

    init(query: DNSMessage, promise: EventLoopPromise<DNSUpstreamReply>) {
        self.query = query
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data).data
        if let reply = DNSUpstreamReply(validating: Array(datagram.readableBytesView), for: query) {
            promise.succeed(reply)
        }
    }

    /// On a connected socket, ICMP port unreachable arrives as ECONNREFUSED: nobody serves DNS there.
    func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.fail(error) }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSForwarder.Failure.noReply)
        context.fireChannelInactive()
    }
}

/// Takes the first message on the connection, which must be the reply.
final class DNSUpstreamTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let query: DNSMessage
    private let promise: EventLoopPromise<DNSUpstreamReply>

    init(query: DNSMessage, promise: EventLoopPromise<DNSUpstreamReply>) {
        self.query = query
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        if let reply = DNSUpstreamReply(validating: Array(message.readableBytesView), for: query) {
            promise.succeed(reply)
        } else {
            promise.fail(DNSForwarder.Failure.noReply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { promise.fail(error) }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSForwarder.Failure.noReply)
        context.fireChannelInactive()
    }
}
