import NIOCore
import Synchronization

/// One half of a proxied connection: it sits in the client's pipeline or the backend's, and hands what its
/// channel reads to its partner in the other pipeline, as the glue handler of NIO's connect-proxy example does.
/// Both channels share one event loop, so the partners call each other directly: no hop, no lock, no actor.
///
/// - Before the backend is connected: the client's channel has autoRead off, but NIO still reads eagerly when it
///   sees the client's end of input. The client half holds what arrives that way (at most the socket's receive
///   buffer) and the end of input, and `glue(to:counters:)` forwards them.
/// - Backpressure: a `read()` is let through only while the partner's channel is writable; otherwise it is held
///   until the partner becomes writable again. That is autoRead turned off and on by the peer's writability, without
///   setting the option per flip, so at most one read's worth plus the partner's write buffer (64 KiB high-water
///   mark) is in flight per direction.
/// - Half-close: end of input on one side shuts the partner's output once its pending writes have gone, so a client
///   that shuts down writing still gets the reply.
/// - An orderly close of one side closes the other after its pending writes; an error closes both at once.
final class ProxyGlueHandler {
    enum Side { case client, backend }

    private let side: Side
    private var counters: BackendCounters?
    private var partner: ProxyGlueHandler?
    private var context: ChannelHandlerContext?
    /// Client half only: bytes read before the partner existed.
    private var early: [ByteBuffer] = []
    private var pendingRead = false
    private var inputClosed = false

    init(side: Side) { self.side = side }

    /// Pairs this client half with `backendHalf` (both already in their pipelines), then forwards what the client
    /// sent meanwhile, and its end of input if that came too.
    func glue(to backendHalf: ProxyGlueHandler, counters: BackendCounters) {
        precondition(side == .client && backendHalf.side == .backend && partner == nil, "glue a client to a backend")
        self.counters = counters
        backendHalf.counters = counters
        partner = backendHalf
        backendHalf.partner = self
        guard !early.isEmpty || inputClosed else { return }
        for buffer in early {
            counters.bytesIn.add(buffer.readableBytes, ordering: .relaxed)
            backendHalf.partnerWrite(Self.wrapOutboundOut(buffer))
        }
        early = []
        backendHalf.partnerFlush()
        if inputClosed { backendHalf.partnerWriteEOF() }
    }

    // MARK: - Called by the partner

    private func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }

    private func partnerFlush() { context?.flush() }

    private var partnerWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        guard pendingRead else { return }
        pendingRead = false
        context?.read()
    }

    /// The partner's input ended: shut our output after what is already written.
    private func partnerWriteEOF() {
        guard let context else { return }
        if inputClosed {
            // Both directions are done. NIO escalates close(mode: .output) on a channel whose input is shut to a
            // full close that drops pending writes, so close only once they have gone.
            closeAfterPendingWrites()
        } else {
            context.close(mode: .output, promise: nil)  // NIO shuts the socket once pending writes have gone
        }
    }

    /// The partner closed in an orderly way: deliver what is pending, then close.
    private func closeAfterPendingWrites() {
        guard let context else { return }
        let channel = context.channel
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(channel.allocator.buffer(capacity: 0)), promise: flushed)
        flushed.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    /// The partner failed: close at once.
    private func partnerFailed() { context?.close(promise: nil) }
}

extension ProxyGlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let partner, let counters else {
            early.append(Self.unwrapInboundIn(data))
            return
        }
        let count = Self.unwrapInboundIn(data).readableBytes
        switch side {
        case .client: counters.bytesIn.add(count, ordering: .relaxed)
        case .backend: counters.bytesOut.add(count, ordering: .relaxed)
        }
        partner.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.partnerFlush() }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeAfterPendingWrites()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            inputClosed = true
            partner?.partnerWriteEOF()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerFailed()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
