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
        guard Self.canReply(to: client) else {
            responder.dropped(over: .udp)
            return
        }
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

    /// False for source addresses no reply can go to, spoofed ones: port 0 (sendto fails with EINVAL, which would
    /// close the socket), the IPv4 broadcast and unspecified addresses, multicast groups.
    static func canReply(to client: SocketAddress) -> Bool {
        guard client.port != 0, !client.isMulticast else { return false }
        if case .v4(let address) = client {
            let raw = address.address.sin_addr.s_addr
            return raw != 0 && raw != 0xFFFF_FFFF
        }
        return true
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        responder.logger.debug("DNS UDP socket error", metadata: ["error": "\(error)"])
    }
}
