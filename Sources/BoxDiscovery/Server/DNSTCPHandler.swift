import Logging
import NIOCore

/// Answers the messages of one TCP connection, each as it arrives (pipelined queries are fine; forwarded ones may
/// be answered out of order, which RFC 7766 6.2.1.1 allows). The connection closes when it is idle for the
/// configured time, on an error, or once the client has stopped sending and every reply owed is written.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: DNSQueryResponder
    /// Forwarded queries whose replies are not written yet.
    private var forwardsInFlight = 0
    /// The client half-closed: close once `forwardsInFlight` is 0 and the replies are written.
    private var inputClosed = false

    init(responder: DNSQueryResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let packet = Array(unwrapInboundIn(data).readableBytesView)
        switch responder.respond(to: packet, over: .tcp, on: context.eventLoop) {
        case .reply(let bytes):
            context.write(wrapOutboundOut(context.channel.allocator.dnsTCPFrame(bytes)), promise: nil)
        case .later(let bytes):
            forwardsInFlight += 1
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let channel = context.channel
            bytes.whenSuccess { bytes in
                handler.value.forwardAnswered(bytes, channel: channel)
            }
        case .drop:
            break  // a response, or under 12 octets: the framing still holds, so the connection may go on
        }
    }

    private func forwardAnswered(_ bytes: [UInt8], channel: any Channel) {
        forwardsInFlight -= 1
        channel.writeAndFlush(channel.allocator.dnsTCPFrame(bytes), promise: nil)
        closeIfDone(channel: channel)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            context.close(promise: nil)
        case ChannelEvent.inputClosed:
            inputClosed = true
            closeIfDone(channel: context.channel)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func closeIfDone(channel: any Channel) {
        guard inputClosed, forwardsInFlight == 0 else { return }
        // Writes complete in order, so this empty one completes once every reply before it is written.
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        responder.logger.debug("DNS TCP connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
