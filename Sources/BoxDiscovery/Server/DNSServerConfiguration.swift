/// Where a `DNSServer` listens and what it does with names outside its zones.
public struct DNSServerConfiguration: Sendable {
    /// The address both the UDP and the TCP socket bind to ("127.0.0.1", "::1", "0.0.0.0").
    public var host: String
    /// The port of both sockets; 0 lets the kernel choose a UDP port, which TCP then binds too.
    public var port: Int
    /// Upstream resolvers as "ip", "ip:port", "[ipv6]:port" or a bare IPv6 address (port 53 when none), tried in
    /// order for queries the answerer forwards. Empty: those queries are REFUSED.
    public var forwarders: [String]
    /// How long a forwarded query may take, all forwarders tried included, before the client gets SERVFAIL.
    public var forwardTimeout: Duration
    /// A TCP connection with no query for this long is closed (RFC 7766 6.2.3 suggests seconds, not minutes).
    /// Keep it above `forwardTimeout`: a client waiting for a forwarded answer sends nothing meanwhile.
    public var tcpIdleTimeout: Duration
    /// Connections beyond this many open ones are closed as soon as they are accepted.
    public var maxTCPConnections: Int

    public init(
        host: String = "127.0.0.1", port: Int = 53, forwarders: [String] = [], forwardTimeout: Duration = .seconds(2),
        tcpIdleTimeout: Duration = .seconds(10), maxTCPConnections: Int = 512
    ) {
        self.host = host
        self.port = port
        self.forwarders = forwarders
        self.forwardTimeout = forwardTimeout
        self.tcpIdleTimeout = tcpIdleTimeout
        self.maxTCPConnections = maxTCPConnections
    }
}

/// Why a `DNSServer` did not start. Socket errors (a port in use) come through as NIO's `IOError`.
public enum DNSServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A forwarder that is not an IP address with an optional port.
    case invalidForwarder(String)

    public var description: String {
        switch self {
        case .invalidForwarder(let text): "forwarder \"\(text)\" is not ip, ip:port or [ipv6]:port"
        }
    }
}
