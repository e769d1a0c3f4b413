/// The capabilities a task keeps: its bounding set, and for a uid-0 task also its permitted and effective sets.
/// A task with another uid loses its permitted and effective sets at `setresuid`, whatever this says; the bounding
/// set still limits what it could regain (and `no_new_privs` stops setuid binaries from regaining anything).
///
/// Not an `OptionSet`: its elements are `Capability` values (`[.chown, .netBindService]`), and `.none` reads
/// better here than `[]`.
public struct CapabilitySet: Sendable, Hashable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Bit n is capability n, the layout of `CapEff` in `/proc/<pid>/status`.
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(_ capabilities: some Sequence<Capability>) {
        self.init(rawValue: capabilities.reduce(0) { $0 | Self.bit($1) })
    }

    public init(arrayLiteral elements: Capability...) { self.init(elements) }

    public func contains(_ capability: Capability) -> Bool { rawValue & Self.bit(capability) != 0 }

    public func union(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawValue: rawValue | other.rawValue) }

    public func subtracting(_ other: CapabilitySet) -> CapabilitySet {
        CapabilitySet(rawValue: rawValue & ~other.rawValue)
    }

    /// Nothing kept.
    public static let none = CapabilitySet(rawValue: 0)

    /// The 14 capabilities Docker keeps by default (mask 0xa80425fb).
    public static let dockerDefault: CapabilitySet = [
        .chown, .dacOverride, .fsetid, .fowner, .mknod, .netRaw, .setgid, .setuid, .setfcap, .setpcap,
        .netBindService, .sysChroot, .kill, .auditWrite,
    ]

    /// Every capability this module knows.
    public static let all = CapabilitySet(Capability.allCases)

    public var members: [Capability] { Capability.allCases.filter { contains($0) } }

    public var description: String { "[" + members.map(\.name).joined(separator: ", ") + "]" }

    private static func bit(_ capability: Capability) -> UInt64 { 1 << UInt64(capability.rawValue) }
}
