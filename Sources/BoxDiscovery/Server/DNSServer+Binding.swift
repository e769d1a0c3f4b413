import NIOCore
import NIOPosix

extension DNSServer {
    /// Bind attempts when the port is 0: the kernel's UDP port may be taken for TCP by someone else.
    static let maxBindAttempts = 8

    static func bind(
        _ configuration: DNSServerConfiguration, responder: DNSQueryResponder, connections: DNSTCPConnections,
        group: any EventLoopGroup
    ) async throws -> (udp: any Channel, tcp: any Channel) {
        for attempt in 1...maxBindAttempts {
            let udp = try await udpBootstrap(responder: responder, group: group)
                .bind(host: configuration.host, port: configuration.port).get()
            let port = udp.localAddress?.port ?? configuration.port
            do {
                let tcp = try await tcpBootstrap(
                    configuration, responder: responder, connections: connections, group: group
                )
                .bind(host: configuration.host, port: port).get()
                return (udp, tcp)
            } catch let error where configuration.port == 0 && attempt < maxBindAttempts {
                responder.logger.debug(
                    "DNS TCP port taken, binding again", metadata: ["dns.port": "\(port)", "error": "\(error)"])
                try? await udp.close()
            } catch {
                try? await udp.close()
                throw error
            }
        }
        preconditionFailure("the last bind attempt returns or throws")
    }

    static func udpBootstrap(responder: DNSQueryResponder, group: any EventLoopGroup) -> DatagramBootstrap {
        DatagramBootstrap(group: group)
            // Room for the largest datagram, so a big query is read whole rather than cut and answered FORMERR.
            // NIO pools these buffers, and the handler copies each packet out at once, so they are reused.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            // A burst of queries waits in the kernel rather than being dropped (capped by net.core.rmem_max).
            .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSUDPHandler(responder: responder))
                }
            }
    }

    /// Accepted connections over `maxTCPConnections` are closed at once: the child initializer fails.
    struct ConnectionLimitReached: Error {}

    static func tcpBootstrap(
        _ configuration: DNSServerConfiguration, responder: DNSQueryResponder, connections: DNSTCPConnections,
        group: any EventLoopGroup
    ) -> ServerBootstrap {
        let idleTimeout = TimeAmount(configuration.tcpIdleTimeout)
        let counters = responder.counters
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // A client may half-close after its last query and still read the replies.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    counters.update { $0.tcpConnectionsRefused += 1 }
                    return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
                }
                counters.update { $0.tcpConnections += 1 }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    // Stops reading while replies pile up unwritten, so a client that never reads holds little.
                    try pipeline.addHandler(BackPressureHandler())
                    try pipeline.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                    try pipeline.addHandler(DNSTCPHandler(responder: responder))
                }
            }
    }
}
