/// One resource record. OPT is not a `DNSRecord`: it lives in `DNSMessage.edns`.
public struct DNSRecord: Hashable, Sendable {
    /// Answers change with the cluster, so records live a few seconds in caches.
    public static let defaultTTLSeconds: UInt32 = 5

    public var name: DNSName
    public var recordClass: DNSClass
    public var ttlSeconds: UInt32
    public var data: DNSRecordData

    public init(
        name: DNSName, ttlSeconds: UInt32 = DNSRecord.defaultTTLSeconds, recordClass: DNSClass = .internet,
        data: DNSRecordData
    ) {
        self.name = name
        self.recordClass = recordClass
        self.ttlSeconds = ttlSeconds
        self.data = data
    }

    public var type: DNSRecordType { data.type }
}

/// The SOA fields after the two names (RFC 1035 3.3.13); `minimumSeconds` is the negative-caching TTL (RFC 2308).
public struct DNSSOA: Hashable, Sendable {
    public var primaryServer: DNSName
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refreshSeconds: UInt32
    public var retrySeconds: UInt32
    public var expireSeconds: UInt32
    public var minimumSeconds: UInt32

    public init(
        primaryServer: DNSName, responsibleMailbox: DNSName, serial: UInt32, refreshSeconds: UInt32 = 60,
        retrySeconds: UInt32 = 10, expireSeconds: UInt32 = 3600, minimumSeconds: UInt32 = DNSRecord.defaultTTLSeconds
    ) {
        self.primaryServer = primaryServer
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refreshSeconds = refreshSeconds
        self.retrySeconds = retrySeconds
        self.expireSeconds = expireSeconds
        self.minimumSeconds = minimumSeconds
    }
}

/// RDATA by type. Addresses are raw network-order octets (4 for A, 16 for AAAA; the parser checks the length).
public enum DNSRecordData: Hashable, Sendable {
    case a(IPv4Octets)
    case aaaa([UInt8])
    case ns(DNSName)
    case cname(DNSName)
    case ptr(DNSName)
    case soa(DNSSOA)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// Character strings of up to 255 octets each.
    case txt([[UInt8]])
    /// Any other type, kept as its RDATA octets.
    case unknown(DNSRecordType, [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .ptr: .ptr
        case .soa: .soa
        case .srv: .srv
        case .txt: .txt
        case .unknown(let type, _): type
        }
    }
}

/// An IPv4 address as its four octets in network order.
public struct IPv4Octets: Hashable, Sendable, CustomStringConvertible {
    public var octets: (UInt8, UInt8, UInt8, UInt8)
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) { octets = (a, b, c, d) }

    /// Parses dotted-quad text such as "127.0.0.1".
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard parts.count == 4 else { return nil }
        self.init(parts[0], parts[1], parts[2], parts[3])
    }

    public var bytes: [UInt8] { [octets.0, octets.1, octets.2, octets.3] }
    public var description: String { "\(octets.0).\(octets.1).\(octets.2).\(octets.3)" }
    public static func == (lhs: IPv4Octets, rhs: IPv4Octets) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}

public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var questionClass: DNSClass

    public init(name: DNSName, type: DNSRecordType, questionClass: DNSClass = .internet) {
        self.name = name
        self.type = type
        self.questionClass = questionClass
    }
}

/// The OPT pseudo-record of EDNS0 (RFC 6891).
public struct DNSEDNS: Hashable, Sendable {
    /// The largest UDP payload the sender can reassemble.
    public var udpPayloadSize: UInt16
    public var version: UInt8
    /// The DO bit: the sender wants DNSSEC records (we have none to give).
    public var dnssecOK: Bool
    /// The options (code, length, data), kept as raw octets.
    public var options: [UInt8]

    public init(udpPayloadSize: UInt16 = 4096, version: UInt8 = 0, dnssecOK: Bool = false, options: [UInt8] = []) {
        self.udpPayloadSize = udpPayloadSize
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }
}
