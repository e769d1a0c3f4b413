/// A domain name: a sequence of labels, compared and hashed case-insensitively (ASCII, RFC 4343) while the original
/// spelling is kept for the wire. The root name has no labels and prints as ".".
public struct DNSName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The longest name on the wire, length octets and the root's zero included (RFC 1035 2.3.4).
    public static let maxWireLength = 255
    public static let maxLabelLength = 63
    public static let root = DNSName(validatedLabels: [])

    /// The labels as spelled, without length octets, most specific first.
    public let labels: [[UInt8]]
    /// The labels lowercased: what equality and hashing use.
    private let folded: [[UInt8]]

    init(validatedLabels labels: [[UInt8]]) {
        self.labels = labels
        self.folded = labels.map { $0.map(DNSName.lowercase) }
    }

    /// Labels already checked and folded: a suffix of a name needs neither again.
    private init(labels: [[UInt8]], folded: [[UInt8]]) {
        self.labels = labels
        self.folded = folded
    }

    /// Checks the label and name lengths; nil when a label is empty or too long or the name too long.
    public init?(labels: [[UInt8]]) {
        guard labels.allSatisfy({ !$0.isEmpty && $0.count <= DNSName.maxLabelLength }) else { return nil }
        guard labels.reduce(1, { $0 + 1 + $1.count }) <= DNSName.maxWireLength else { return nil }
        self.init(validatedLabels: labels)
    }

    /// Parses dotted text ("web.marathon.mesos", with or without the final dot; "." is the root).
    /// No escapes: a label is whatever lies between dots.
    public init?(_ text: String) {
        if text == "." || text.isEmpty {
            self.init(validatedLabels: [])
            return
        }
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
        self.init(labels: parts)
    }

    public init(stringLiteral value: String) {
        guard let name = DNSName(value) else { preconditionFailure("invalid DNS name literal \(value)") }
        self = name
    }

    static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    /// Octets on the wire without compression: a length octet per label and the root's zero.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    public var isRoot: Bool { labels.isEmpty }

    /// The name with its first label removed; the root's parent is the root.
    public var parent: DNSName { isRoot ? self : suffix(from: 1) }

    /// True when this name equals `ancestor` or lies below it.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        ancestor.folded.count <= folded.count && folded.suffix(ancestor.folded.count).elementsEqual(ancestor.folded)
    }

    /// The name with `label` added in front, or nil when it would be too long.
    public func prepending(_ label: String) -> DNSName? { DNSName(labels: [Array(label.utf8)] + labels) }

    /// The name from its label `index` on: the name itself for 0, the root for `labels.count`.
    func suffix(from index: Int) -> DNSName {
        DNSName(labels: Array(labels[index...]), folded: Array(folded[index...]))
    }

    public var description: String {
        isRoot ? "." : labels.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".") + "."
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool { lhs.folded == rhs.folded }
    /// Each label's length and octets in one call: hashing `folded` as an array of arrays feeds the hasher one
    /// octet at a time, which was a tenth of the DNS server's CPU (name compression hashes every suffix).
    public func hash(into hasher: inout Hasher) {
        for label in folded {
            hasher.combine(label.count)
            label.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
