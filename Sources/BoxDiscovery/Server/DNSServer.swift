public import Logging
public import NIOCore
import NIOPosix

/// The DNS server of the cluster: UDP and TCP on one address and port, answering from a `DNSZoneSource` and
/// forwarding names outside the zones to upstream resolvers when the answerer says so.
///
///     UDP datagram ──┐                                 ┌─▶ reply ──────────────────────────────▶ client
///                    ├─▶ DNSQueryResponder ─ zones.current.respond ─┼─▶ .forward ─▶ DNSForwarder ─▶ reply/SERVFAIL
///     TCP frame ─────┘   (counts in statistics)         └─▶ drop
///
/// Each query is handled on its channel's event loop without awaiting anything: the zones come out of a lock, and
/// the pure `DNSZoneAnswerer` does the rest. A bad packet, connection or upstream costs at most a debug log line.
public final class DNSServer: Sendable {
    /// The bound port, of both the UDP and the TCP socket.
    public let port: Int
    public let configuration: DNSServerConfiguration
    private let udpChannel: any Channel
    private let tcpChannel: any Channel
    private let connections: DNSTCPConnections
    private let counters: DNSServerCounters
    private let logger: Logger

    /// Bound attempts when the port is 0: the kernel's UDP port may be taken for TCP by someone else.
    static let maxBindAttempts = 8

    private init(
        port: Int, configuration: DNSServerConfiguration, udpChannel: any Channel, tcpChannel: any Channel,
        connections: DNSTCPConnections, counters: DNSServerCounters, logger: Logger
    ) {
        self.port = port
        self.configuration = configuration
        self.udpChannel = udpChannel
        self.tcpChannel = tcpChannel
        self.connections = connections
        self.counters = counters
        self.logger = logger
    }

    /// Binds UDP, then TCP on the same port, and serves until `shutdown()`. With port 0 the kernel picks the UDP
    /// port; when TCP cannot have it, both are tried again on another (up to `maxBindAttempts` times).
    /// Throws `DNSServerError.invalidForwarder` for a forwarder that is not an address, and socket errors.
    public static func start(
        _ configuration: DNSServerConfiguration, zones: DNSZoneSource, group: any EventLoopGroup, logger: Logger
    ) async throws -> DNSServer {
        let upstreams = try configuration.forwarders.map { forwarder throws(DNSServerError) in
            try DNSForwarder.address(of: forwarder)
        }
        let counters = DNSServerCounters()
        let connections = DNSTCPConnections(limit: configuration.maxTCPConnections)
        let responder = DNSQueryResponder(
            zones: zones,
            forwarder: DNSForwarder(upstreams: upstreams, timeout: TimeAmount(configuration.forwardTimeout)),
            counters: counters, logger: logger)
        let (udp, tcp) = try await bind(
            configuration, responder: responder, connections: connections, counters: counters, group: group)
        let port = udp.localAddress?.port ?? configuration.port
        logger.info(
            "DNS server listening",
            metadata: [
                "dns.host": "\(configuration.host)", "dns.port": "\(port)",
                "dns.forwarders": "\(upstreams.map(\.description))",
            ])
        return DNSServer(
            port: port, configuration: configuration, udpChannel: udp, tcpChannel: tcp, connections: connections,
            counters: counters, logger: logger)
    }

    /// What the server has seen so far.
    public var statistics: DNSServerStatistics { counters.snapshot }

    /// Closes both sockets and every open connection. Forwarded queries still in flight end at their deadline; their
    /// replies have nowhere to go.
    public func shutdown() async {
        try? await udpChannel.close()
        try? await tcpChannel.close()
        await connections.closeAll()
        logger.info("DNS server stopped", metadata: ["dns.port": "\(port)"])
    }

    // MARK: - Binding

    private static func bind(
        _ configuration: DNSServerConfiguration, responder: DNSQueryResponder, connections: DNSTCPConnections,
        counters: DNSServerCounters, group: any EventLoopGroup
    ) async throws -> (udp: any Channel, tcp: any Channel) {
        for attempt in 1...maxBindAttempts {
            let udp = try await udpBootstrap(responder: responder, group: group)
                .bind(host: configuration.host, port: configuration.port).get()
            let port = udp.localAddress?.port ?? configuration.port
            do {
                let tcp = try await tcpBootstrap(
                    configuration, responder: responder, connections: connections, counters: counters, group: group
                ).bind(host: configuration.host, port: port).get()
                return (udp, tcp)
            } catch  where configuration.port == 0 && attempt < maxBindAttempts {
                responder.logger.debug("DNS TCP port taken, binding again", metadata: ["dns.port": "\(port)"])
                try? await udp.close()
            } catch {
                try? await udp.close()
                throw error
            }
        }
        preconditionFailure("the last bind attempt returns or throws")
    }

    private static func udpBootstrap(responder: DNSQueryResponder, group: any EventLoopGroup) -> DatagramBootstrap {
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

    private static func tcpBootstrap(
        _ configuration: DNSServerConfiguration, responder: DNSQueryResponder, connections: DNSTCPConnections,
        counters: DNSServerCounters, group: any EventLoopGroup
    ) -> ServerBootstrap {
        let idleTimeout = TimeAmount(configuration.tcpIdleTimeout)
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // A client may half-close after its last query and still read the replies.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    counters.update { $0.tcpConnectionsRefused += 1 }
                    return channel.eventLoop.makeFailedFuture(ChannelError.inputClosed)
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
