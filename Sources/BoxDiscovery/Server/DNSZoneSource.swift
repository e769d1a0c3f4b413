import Synchronization

/// The zones the DNS server answers from: the current `DNSZoneAnswerer`, replaced as a whole when the cluster
/// changes. The registry calls `update(_:)`; the server copies `current` out once per query and never waits for
/// anything else, so an update is visible to the next query and a query never sees half of one.
public final class DNSZoneSource: Sendable {
    private let answerer: Mutex<DNSZoneAnswerer>

    public init(_ answerer: DNSZoneAnswerer) { self.answerer = Mutex(answerer) }

    /// The answerer for the next query. Copying it out is cheap: its zones are copy-on-write storage.
    public var current: DNSZoneAnswerer { answerer.withLock { $0 } }

    /// Replaces the zones (and the policy for names outside them) for every query from now on.
    public func update(_ answerer: DNSZoneAnswerer) { self.answerer.withLock { $0 = answerer } }
}
