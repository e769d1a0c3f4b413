import BoxDiscovery
import Synchronization

/// Hands out the cluster IPs of Kubernetes Services, as the API server's Service IP allocator does: one address of
/// `ClusterConfig`'s Service range per Service (by namespace/name), first tried at a hash of the key so a Service
/// recreated under the same name tends to get the same address, never two Services the same, freed when the Service
/// is deleted. The range is Kubernetes' own (`RegistryConfiguration.serviceIPRange`), apart from Marathon's VIPs.
///
/// The Service admission calls `allocate` through `assign` (a `(namespace, name) -> String?` closure) when a
/// Service without a cluster IP is created; the discovery feed `claim`s the addresses of Services that already
/// exist when the cluster starts and `release`s those of deleted Services.
public final class ServiceIPAllocator: Sendable {
    public let cidr: String
    /// The pool, keyed by `namespace/name`; one lock, held for one pool operation.
    private let pool: Mutex<VirtualIPPool>

    /// nil when `cidr` is not a range of whole octets inside 127.0.0.0/8 (see `VirtualIPPool(cidr:)`).
    /// `reserved` addresses (such as a DNS server's address inside the range) are never handed out.
    public init?(cidr: String, reserved: [String] = []) {
        guard let pool = VirtualIPPool(cidr: cidr, reserved: Set(reserved.compactMap(IPv4Octets.init))) else {
            return nil
        }
        self.cidr = cidr
        self.pool = Mutex(pool)
    }

    /// The Service's cluster IP: the one it already has, or a new one; nil when the range is full.
    public func allocate(namespace: String, name: String) -> String? {
        pool.withLock { $0.address(for: Self.key(namespace, name)) }.map { "\($0)" }
    }

    /// Records that the Service has `address` (its stored `spec.clusterIP`). False when the address is outside the
    /// range, reserved, not an IPv4 literal or another Service's.
    @discardableResult
    public func claim(namespace: String, name: String, address: String) -> Bool {
        guard let octets = IPv4Octets(address) else { return false }
        return pool.withLock { $0.claim(octets, for: Self.key(namespace, name)) }
    }

    /// Frees the Service's address, if it has one.
    public func release(namespace: String, name: String) {
        pool.withLock { $0.release(Self.key(namespace, name)) }
    }

    /// The Service's address, if it has one, without assigning.
    public func address(namespace: String, name: String) -> String? {
        pool.withLock { $0.assigned[Self.key(namespace, name)] }.map { "\($0)" }
    }

    /// `allocate` as the closure the Service admission takes.
    public var assign: @Sendable (_ namespace: String, _ name: String) -> String? {
        { [self] namespace, name in allocate(namespace: namespace, name: name) }
    }

    private static func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }
}
