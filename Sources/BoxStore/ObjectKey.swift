/// The address of one stored object: its kind, its namespace (`""` for cluster-scoped objects) and its name.
///
/// Keys order by kind, then namespace, then name, which is the order `list` returns. Every part is limited to ASCII
/// letters, digits, `-`, `.`, `_` and `:` (so SQLite's byte order and Swift's `<` agree), and `/` never appears,
/// which keeps ``description`` unambiguous.
public struct ObjectKey: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The resource kind, e.g. `frameworks`, `batch.jobs`, `pods`.
    public var kind: String
    /// The namespace, or `""` for cluster-scoped objects.
    public var namespace: String
    /// The object's name, unique within its kind and namespace.
    public var name: String

    /// The longest allowed kind, namespace or name (a DNS subdomain's limit).
    public static let maxPartLength = 253

    public init(kind: String, namespace: String = "", name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `kind/namespace/name`, or `kind/name` for cluster-scoped objects.
    public var description: String {
        namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(namespace)/\(name)"
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
    }

    /// Throws `.invalidKey` naming the first offending part: an empty kind or name, a part longer than
    /// ``maxPartLength``, or a character outside the allowed set.
    public func validate() throws(StoreError) {
        try Self.validate(kind, part: "kind", allowEmpty: false)
        try Self.validate(namespace, part: "namespace", allowEmpty: true)
        try Self.validate(name, part: "name", allowEmpty: false)
    }

    /// Checks one part of a key (also used for list and watch filters and name prefixes).
    static func validate(_ value: String, part: String, allowEmpty: Bool) throws(StoreError) {
        if value.isEmpty {
            if allowEmpty { return }
            throw .invalidKey("\(part) must not be empty")
        }
        if value.utf8.count > maxPartLength {
            throw .invalidKey("\(part) '\(value.prefix(40))…' is longer than \(maxPartLength) characters")
        }
        if let bad = value.unicodeScalars.first(where: { !isAllowed($0) }) {
            throw .invalidKey(
                "\(part) '\(value)' contains '\(bad)'; allowed are ASCII letters, digits, '-', '.', '_' and ':'")
        }
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", ".", "_", ":": true
        default: false
        }
    }
}
