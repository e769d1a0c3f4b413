import Logging
import NIOCore

/// Answers the datagrams of the server's UDP socket. Replies to one read burst are flushed together; a forwarded
/// query's reply is sent when it comes. Errors never close the socket: one bad packet or unreachable client must
/// not stop the server.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: DNSQueryResponder

    init(responder: DNSQueryResponder) { self.responder = responder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data)
        let packet = Array(datagram.data.readableBytesView)
        let client = datagram.remoteAddress
        switch responder.respond(to: packet, over: .udp, on: context.eventLoop) {
        case .reply(let bytes):
            let reply = AddressedEnvelope(remoteAddress: client, data: context.channel.allocator.buffer(bytes: bytes))
            context.write(wrapOutboundOut(reply), promise: nil)
        case .later(let bytes):
            let channel = context.channel
            bytes.whenSuccess { bytes in
                let reply = AddressedEnvelope(remoteAddress: client, data: channel.allocator.buffer(bytes: bytes))
                channel.writeAndFlush(reply, promise: nil)
            }
        case .drop:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        responder.logger.debug("DNS UDP socket error", metadata: ["error": "\(error)"])
    }
}
