import Logging
import NIOCore

/// One query's path through the server, shared by the UDP and TCP handlers: parse it once, answer it from the
/// zones current at that moment, forward it, or drop it, and count each case. Runs on the channel's event loop and
/// never awaits: the zones are one lock away, the counters another.
struct DNSQueryResponder: Sendable {
    enum Action {
        /// Send these octets back now.
        case reply([UInt8])
        /// Send the octets this future gives (it never fails: a failed forward gives SERVFAIL).
        case later(EventLoopFuture<[UInt8]>)
        /// Send nothing.
        case drop
    }

    let zones: DNSZoneSource
    let forwarder: DNSForwarder
    let counters: DNSServerCounters
    let logger: Logger

    func respond(
        to packet: [UInt8], over transport: DNSZoneAnswerer.Transport, on eventLoop: any EventLoop
    ) -> Action {
        let (answerer, cache) = zones.snapshot
        if let cached = cache.reply(to: packet, over: transport) {
            counters.update {
                $0.received(over: transport)
                $0.replied(cached.rcode, bytes: cached.bytes)
            }
            return .reply(cached.bytes)
        }
        let (response, rcode) = answerer.respondWithCode(to: packet, transport: transport)
        switch response {
        case .reply(let bytes):
            cache.store(bytes, rcode: rcode ?? .noError, for: packet, over: transport)
            counters.update {
                $0.received(over: transport)
                $0.replied(rcode ?? .noError, bytes: bytes)
            }
            if rcode == .formatError {
                logger.trace("malformed DNS query", metadata: ["dns.transport": "\(transport)"])
            }
            return .reply(bytes)
        case .drop:
            dropped(over: transport)
            logger.trace("DNS packet dropped", metadata: ["dns.transport": "\(transport)"])
            return .drop
        case .forward(let query):
            guard !forwarder.upstreams.isEmpty else {
                // No resolver to ask: say we will not recurse, as the `.refuse` policy would.
                let bytes = Self.failureReply(.refused, to: query, answerer: answerer)
                counters.update {
                    $0.received(over: transport)
                    $0.replied(.refused, bytes: bytes)
                }
                return .reply(bytes)
            }
            counters.update {
                $0.received(over: transport)
                $0.forwarded += 1
            }
            return .later(forward(packet, query: query, over: transport, answerer: answerer, on: eventLoop))
        }
    }

    /// Counts a query given no reply without reading it.
    func dropped(over transport: DNSZoneAnswerer.Transport) {
        counters.update {
            $0.received(over: transport)
            $0.dropped += 1
        }
    }

    private func forward(
        _ packet: [UInt8], query: DNSMessage, over transport: DNSZoneAnswerer.Transport, answerer: DNSZoneAnswerer,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<[UInt8]> {
        let (counters, logger) = (self.counters, self.logger)
        return forwarder.forward(packet, query: query, over: transport, on: eventLoop).map { upstream in
            var bytes = upstream.bytes
            if transport == .udp, bytes.count > query.maxUDPReplySize {
                // Larger than the client can take: TC and no records, so it asks again over TCP. The upstream reply
                // is not re-serialized, as its records of types we do not parse may hold compressed names.
                bytes = Self.truncatedReply(to: query, upstream: upstream, answerer: answerer)
            }
            counters.update { $0.replied(upstream.rcode, bytes: bytes) }
            return bytes
        }.recover { error in
            logger.debug(
                "DNS forward failed", metadata: ["dns.question": "\(query.questions)", "error": "\(error)"])
            let bytes = Self.failureReply(.serverFailure, to: query, answerer: answerer)
            counters.update {
                $0.forwardFailures += 1
                $0.replied(.serverFailure, bytes: bytes)
            }
            return bytes
        }
    }

    /// A reply to `query` with its question, no records and `rcode`.
    static func failureReply(_ rcode: DNSResponseCode, to query: DNSMessage, answerer: DNSZoneAnswerer) -> [UInt8] {
        DNSMessage(
            id: query.id, isResponse: true, opcode: query.opcode, recursionDesired: query.recursionDesired,
            recursionAvailable: true, rcode: rcode, questions: query.questions,
            edns: query.edns.map { _ in DNSEDNS(udpPayloadSize: answerer.udpPayloadSize) }
        ).serialized(maxSize: DNSMessage.classicUDPSize)
    }

    static func truncatedReply(to query: DNSMessage, upstream: DNSUpstreamReply, answerer: DNSZoneAnswerer)
        -> [UInt8]
    {
        DNSMessage(
            id: query.id, isResponse: true, opcode: query.opcode, isTruncated: true,
            recursionDesired: query.recursionDesired, recursionAvailable: true, rcode: upstream.rcode,
            questions: query.questions, edns: query.edns.map { _ in DNSEDNS(udpPayloadSize: answerer.udpPayloadSize) }
        ).serialized(maxSize: DNSMessage.classicUDPSize)
    }
}
