import Synchronization

/// The zones the DNS server answers from: the current `DNSZoneAnswerer`, replaced as a whole when the cluster
/// changes, with a cache of the replies made from it. The registry calls `update(_:)`; the server reads `current`
/// once per query and never waits for anything else, so an update is visible to the next query and a query never
/// sees half of one.
public final class DNSZoneSource: Sendable {
    private let state: Mutex<(answerer: DNSZoneAnswerer, cache: DNSReplyCache)>

    public init(_ answerer: DNSZoneAnswerer) { state = Mutex((answerer, DNSReplyCache())) }

    /// The answerer for the next query. Copying it out is cheap: its zones are copy-on-write storage.
    public var current: DNSZoneAnswerer { state.withLock { $0.answerer } }

    /// The answerer and the replies already made from it.
    var snapshot: (answerer: DNSZoneAnswerer, cache: DNSReplyCache) { state.withLock { $0 } }

    /// Replaces the zones (and the policy for names outside them) for every query from now on; the cached replies
    /// go with the old zones.
    public func update(_ answerer: DNSZoneAnswerer) { state.withLock { $0 = (answerer, DNSReplyCache()) } }
}

/// Replies already made from one zone snapshot, by the query's octets after its id (flags, question as spelled,
/// EDNS) and transport: the answer is a function of those, so a repeated question costs a lookup and a copy
/// instead of a parse, a zone walk and a serialization. Only NOERROR and NXDOMAIN replies to short queries are
/// kept, at most `capacity` of them (then the cache starts afresh), so garbage cannot fill it.
final class DNSReplyCache: Sendable {
    struct Key: Hashable, Sendable {
        var query: ArraySlice<UInt8>
        var transport: DNSZoneAnswerer.Transport
    }

    struct Entry: Sendable {
        var bytes: [UInt8]
        var rcode: DNSResponseCode
    }

    static let capacity = 4096
    static let maxQueryOctets = 512
    private let entries = Mutex<[Key: Entry]>([:])

    /// The cached reply to `packet`, its id set to the packet's.
    func reply(to packet: [UInt8], over transport: DNSZoneAnswerer.Transport) -> Entry? {
        guard packet.count > 12, packet.count <= Self.maxQueryOctets else { return nil }
        let key = Key(query: packet[2...], transport: transport)
        guard var entry = entries.withLock({ $0[key] }) else { return nil }
        entry.bytes[0] = packet[0]
        entry.bytes[1] = packet[1]
        return entry
    }

    func store(_ bytes: [UInt8], rcode: DNSResponseCode, for packet: [UInt8], over transport: DNSZoneAnswerer.Transport)
    {
        guard rcode == .noError || rcode == .nameError, packet.count > 12, packet.count <= Self.maxQueryOctets,
            bytes.count >= 12
        else { return }
        let key = Key(query: packet[2...], transport: transport)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(bytes: bytes, rcode: rcode)
        }
    }
}
