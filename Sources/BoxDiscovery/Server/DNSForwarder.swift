import NIOCore
import NIOPosix

/// Sends queries for names outside our zones to upstream resolvers and relays their replies as they are.
///
/// A UDP query goes upstream over UDP from a fresh connected socket: the kernel picks a random port, only the
/// upstream's datagrams reach it, and the query keeps the client's id, so no id needs re-mapping and no reply can be
/// given to the wrong client. A TCP query goes upstream over a fresh TCP connection, so an answer too big for UDP
/// still arrives whole. Forwarders are tried in order; one that refuses (ICMP port unreachable, connection refused)
/// makes way for the next at once, and all of them share one deadline.
struct DNSForwarder: Sendable {
    let upstreams: [SocketAddress]
    let timeout: TimeAmount

    /// Why a forwarded query got no answer; the client gets SERVFAIL either way.
    enum Failure: Error, Hashable {
        case noUpstream
        case timedOut
        /// The connection closed, or the upstream sent something that is not a reply to the query.
        case noReply
    }

    /// The reply of the first upstream that answers `query` (whose wire form is `packet`) before the deadline.
    func forward(
        _ packet: [UInt8], query: DNSMessage, over transport: DNSZoneAnswerer.Transport, on eventLoop: any EventLoop
    ) -> EventLoopFuture<DNSUpstreamReply> {
        attempt(0, packet, query: query, over: transport, deadline: .now() + timeout, on: eventLoop)
    }

    private func attempt(
        _ index: Int, _ packet: [UInt8], query: DNSMessage, over transport: DNSZoneAnswerer.Transport,
        deadline: NIODeadline, on eventLoop: any EventLoop
    ) -> EventLoopFuture<DNSUpstreamReply> {
        guard index < upstreams.count else { return eventLoop.makeFailedFuture(Failure.noUpstream) }
        let exchange = DNSUpstreamExchange(query: query, deadline: deadline, eventLoop: eventLoop)
        switch transport {
        case .udp: exchange.overUDP(packet, to: upstreams[index])
        case .tcp: exchange.overTCP(packet, to: upstreams[index])
        }
        return exchange.reply.flatMapError { error in
            let timedOut = (error as? Failure) == .timedOut
            guard !timedOut, index + 1 < upstreams.count, .now() < deadline else {
                return eventLoop.makeFailedFuture(error)
            }
            return attempt(index + 1, packet, query: query, over: transport, deadline: deadline, on: eventLoop)
        }
    }

    /// Parses "ip", "ip:port", "[ipv6]:port" or a bare IPv6 address; the port is 53 when none is given.
    static func address(of forwarder: String) throws(DNSServerError) -> SocketAddress {
        var host = Substring(forwarder)
        var port = 53
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let rest = host[host.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else {
                    throw .invalidForwarder(forwarder)
                }
                port = number
            }
            host = host[host.index(after: host.startIndex)..<close]
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]) else { throw .invalidForwarder(forwarder) }
            port = number
            host = host[..<colon]
        }
        guard (1...65535).contains(port), let address = try? SocketAddress(ipAddress: String(host), port: port) else {
            throw .invalidForwarder(forwarder)
        }
        return address
    }
}

/// A reply from upstream, checked against the query it answers.
struct DNSUpstreamReply: Sendable {
    let bytes: [UInt8]
    let rcode: DNSResponseCode

    /// nil unless `bytes` parse as a response with the query's id and question (names compared without case).
    init?(validating bytes: [UInt8], for query: DNSMessage) {
        guard let reply = try? DNSMessage(parsing: bytes), reply.isResponse, reply.id == query.id,
            reply.questions == query.questions
        else { return nil }
        self.bytes = bytes
        self.rcode = reply.rcode
    }
}
