import Synchronization

/// What a `DNSServer` has seen since it started. Every query received is either answered (counted once in
/// `replies` by its RCODE), forwarded and then answered, or dropped, so once no query is in flight
/// `udpQueries + tcpQueries == replyCount + dropped`.
public struct DNSServerStatistics: Hashable, Sendable {
    /// Datagrams received on the UDP port, garbage included.
    public var udpQueries = 0
    /// Messages received over TCP connections, garbage included.
    public var tcpQueries = 0
    /// Replies sent (or handed to a connection that may have closed since), by RCODE: ours and relayed ones.
    public var replies: [DNSResponseCode: Int] = [:]
    /// Replies cut short with TC set, so the client retries over TCP.
    public var truncated = 0
    /// Queries sent to a forwarder.
    public var forwarded = 0
    /// Forwarded queries answered SERVFAIL because no forwarder answered in time.
    public var forwardFailures = 0
    /// Queries given no reply: no readable header, or a response rather than a query.
    public var dropped = 0
    /// TCP connections accepted, and those closed at once because `maxTCPConnections` were open.
    public var tcpConnections = 0
    public var tcpConnectionsRefused = 0
    /// Times the UDP socket was bound again after NIO closed it on an error.
    public var udpRebinds = 0

    public init() {}

    public var replyCount: Int { replies.values.reduce(0, +) }

    /// The replies with `rcode`.
    public func replies(_ rcode: DNSResponseCode) -> Int { replies[rcode, default: 0] }
}

/// The live counters behind `DNSServer.statistics`: one uncontended lock per query on the packet path.
final class DNSServerCounters: Sendable {
    private let statistics = Mutex(DNSServerStatistics())

    var snapshot: DNSServerStatistics { statistics.withLock { $0 } }

    func update(_ body: (inout DNSServerStatistics) -> Void) { statistics.withLock { body(&$0) } }
}

extension DNSServerStatistics {
    /// Counts one query received over `transport`.
    mutating func received(over transport: DNSZoneAnswerer.Transport) {
        if transport == .udp { udpQueries += 1 } else { tcpQueries += 1 }
    }

    /// Counts one reply sent, reading TC from its header.
    mutating func replied(_ rcode: DNSResponseCode, bytes: [UInt8]) {
        replies[rcode, default: 0] += 1
        if bytes.count > 2, bytes[2] & 0x02 != 0 { truncated += 1 }
    }
}
