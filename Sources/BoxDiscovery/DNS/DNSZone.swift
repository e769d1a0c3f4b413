/// The records of one zone (`mesos.`, `cluster.local.`) at one moment: an immutable snapshot the answerer reads.
public struct DNSZone: Hashable, Sendable {
    public let apex: DNSName
    /// Every name of the zone with its records, in the order they are answered.
    public let records: [DNSName: [DNSRecord]]
    /// The apex SOA record.
    public let soa: DNSRecord
    /// Names with no records of their own but with names below them (`marathon.mesos.` when only
    /// `web.marathon.mesos.` has records): they exist, so they answer NOERROR with no data, not NXDOMAIN.
    let emptyNonTerminals: Set<DNSName>

    /// A zone from its records grouped by name. The apex must have an SOA record, and every name must lie inside
    /// the zone: anything else is a programmer error.
    public init(apex: DNSName, records: [DNSName: [DNSRecord]]) {
        guard let soa = records[apex]?.first(where: { $0.type == .soa }) else {
            preconditionFailure("zone \(apex) has no SOA record at its apex")
        }
        var interior: Set<DNSName> = []
        for name in records.keys {
            precondition(name.isSubdomain(of: apex), "\(name) is outside zone \(apex)")
            var ancestor = name.parent
            while ancestor.isSubdomain(of: apex), ancestor != apex, records[ancestor] == nil {
                interior.insert(ancestor)
                ancestor = ancestor.parent
            }
        }
        self.apex = apex
        self.records = records
        self.soa = soa
        self.emptyNonTerminals = interior
    }

    /// A zone with an SOA and NS records at its apex, plus `records` grouped by their names in the given order.
    public init(
        apex: DNSName, soa: DNSSOA, nameServers: [DNSName], records: [DNSRecord],
        ttlSeconds: UInt32 = DNSRecord.defaultTTLSeconds
    ) {
        var grouped: [DNSName: [DNSRecord]] = [:]
        grouped[apex] =
            [DNSRecord(name: apex, ttlSeconds: ttlSeconds, data: .soa(soa))]
            + nameServers.map { DNSRecord(name: apex, ttlSeconds: ttlSeconds, data: .ns($0)) }
        for record in records { grouped[record.name, default: []].append(record) }
        self.init(apex: apex, records: grouped)
    }

    /// The SOA for the authority section of a negative answer: its TTL is the lesser of the record's TTL and the
    /// SOA minimum field (RFC 2308 3).
    public var negativeSOA: DNSRecord {
        var record = soa
        if case .soa(let fields) = soa.data { record.ttlSeconds = min(soa.ttlSeconds, fields.minimumSeconds) }
        return record
    }

    /// True when `name` has records or names below it.
    func contains(existing name: DNSName) -> Bool { records[name] != nil || emptyNonTerminals.contains(name) }
}
