public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// The DNS server of the cluster: UDP and TCP on one address and port, answering from a `DNSZoneSource`, and
/// forwarding names outside the zones to upstream resolvers when the answerer's policy is `.forward`.
///
///     UDP datagram ─┐                          ┌─▶ .reply ─────────────────────────────────────▶ client
///                   ├─▶ DNSQueryResponder ─────┼─▶ .forward ─▶ DNSForwarder ─▶ reply/SERVFAIL ─▶ client
///     TCP frame ────┘   zones.current.respond  └─▶ .drop (no header, or a response)
///
/// Each query is handled on its channel's event loop without awaiting anything: the zones come out of a lock and
/// the pure `DNSZoneAnswerer` does the rest. A bad packet, connection or upstream costs at most a debug log line;
/// should NIO close the UDP socket on a send error (a firewall's EPERM), it is bound again.
public final class DNSServer: Sendable {
    /// The bound port, of both the UDP and the TCP socket.
    public let port: Int
    public let configuration: DNSServerConfiguration
    let responder: DNSQueryResponder
    let group: any EventLoopGroup
    let udp: Mutex<UDPSocket>
    private let tcpChannel: any Channel
    private let connections: DNSTCPConnections

    /// The UDP channel of the moment, and whether `shutdown()` has begun (then it is not bound again).
    struct UDPSocket {
        var channel: any Channel
        var stopping = false
    }

    var logger: Logger { responder.logger }
    var counters: DNSServerCounters { responder.counters }

    private init(
        port: Int, configuration: DNSServerConfiguration, responder: DNSQueryResponder, group: any EventLoopGroup,
        udpChannel: any Channel, tcpChannel: any Channel, connections: DNSTCPConnections
    ) {
        self.port = port
        self.configuration = configuration
        self.responder = responder
        self.group = group
        self.udp = Mutex(UDPSocket(channel: udpChannel))
        self.tcpChannel = tcpChannel
        self.connections = connections
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
        let responder = DNSQueryResponder(
            zones: zones,
            forwarder: DNSForwarder(upstreams: upstreams, timeout: TimeAmount(configuration.forwardTimeout)),
            counters: DNSServerCounters(), logger: logger)
        let connections = DNSTCPConnections(limit: configuration.maxTCPConnections)
        let (udp, tcp) = try await bind(configuration, responder: responder, connections: connections, group: group)
        let port = udp.localAddress?.port ?? configuration.port
        let server = DNSServer(
            port: port, configuration: configuration, responder: responder, group: group, udpChannel: udp,
            tcpChannel: tcp, connections: connections)
        server.rebindWhenClosed(udp)
        logger.info(
            "DNS server listening",
            metadata: [
                "dns.host": "\(configuration.host)", "dns.port": "\(port)",
                "dns.forwarders": "\(upstreams.map(\.description))",
            ])
        return server
    }

    /// What the server has seen so far.
    public var statistics: DNSServerStatistics { counters.snapshot }

    /// Closes both sockets and every open connection. Forwarded queries still in flight end at their deadline; their
    /// replies have nowhere to go.
    public func shutdown() async {
        let udpChannel = udp.withLock { socket in
            socket.stopping = true
            return socket.channel
        }
        try? await udpChannel.close()
        try? await tcpChannel.close()
        await connections.closeAll()
        logger.info("DNS server stopped", metadata: ["dns.port": "\(port)"])
    }
}
