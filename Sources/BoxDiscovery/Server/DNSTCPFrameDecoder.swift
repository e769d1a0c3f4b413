import NIOCore

/// Splits a TCP stream into DNS messages, each preceded by its length in two octets (RFC 1035 4.2.2). The length
/// field caps a message at 65535 octets, so a peer can make a connection hold at most one such message unread.
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let message = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    /// At the end of the stream, half a message is thrown away: its sender is gone or has stopped sending.
    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws
        -> DecodingState
    {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

extension ByteBufferAllocator {
    /// `message` with its two-octet length in front, as DNS over TCP sends it. Messages are at most 65535 octets
    /// (the serializer's TCP limit), so the length always fits.
    func dnsTCPFrame(_ message: [UInt8]) -> ByteBuffer {
        precondition(message.count <= 65535, "a DNS message of \(message.count) octets does not fit a TCP frame")
        var buffer = self.buffer(capacity: 2 + message.count)
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}
