import BoxCore

/// Hands out virtual IPs from a range inside 127.0.0.0/8, one per service name, the way Kubernetes gives each
/// Service a cluster IP. The first address tried is a hash of the name, so a name gets the same VIP after a restart
/// unless another name took it first; addresses reserved (the network address, the DNS server's) are never given.
public struct VirtualIPPool: Hashable, Sendable {
    public let network: IPv4Octets
    public let prefixLength: Int
    public let reserved: Set<IPv4Octets>
    public private(set) var assigned: [String: IPv4Octets] = [:]
    private var taken: Set<IPv4Octets> = []

    /// Prefix lengths are whole octets (8, 16 or 24), so the reverse zone is one `in-addr.arpa` apex.
    public init?(cidr: String, reserved: Set<IPv4Octets> = []) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let address = IPv4Octets(String(parts[0])), let length = Int(parts[1]),
            [8, 16, 24].contains(length), address.octets.0 == 127
        else { return nil }
        let bytes = address.bytes
        let kept = length / 8
        let masked = (0..<4).map { $0 < kept ? bytes[$0] : 0 }
        network = IPv4Octets(masked[0], masked[1], masked[2], masked[3])
        prefixLength = length
        self.reserved = reserved.union([network])
    }

    public var cidr: String { "\(network)/\(prefixLength)" }
    public var size: Int { 1 << (32 - prefixLength) }

    /// True when `address` lies in the range.
    public func contains(_ address: IPv4Octets) -> Bool {
        let kept = prefixLength / 8
        return Array(address.bytes.prefix(kept)) == Array(network.bytes.prefix(kept))
    }

    /// The name's address, assigning one if it has none; nil when the range is full.
    public mutating func address(for name: String) -> IPv4Octets? {
        if let address = assigned[name] { return address }
        let usable = size - 1  // the last address (broadcast in a real network) is left out too
        guard taken.count + reserved.count < usable else { return nil }
        var index = Int(StableHash.fnv1a(name) % UInt64(usable - 1)) + 1
        for _ in 0..<usable {
            let candidate = address(at: index)
            if !taken.contains(candidate) && !reserved.contains(candidate) {
                assigned[name] = candidate
                taken.insert(candidate)
                return candidate
            }
            index = index % (usable - 1) + 1
        }
        return nil
    }

    /// Frees the addresses of names not in `names`.
    public mutating func keep(only names: Set<String>) {
        for (name, address) in assigned where !names.contains(name) {
            assigned.removeValue(forKey: name)
            taken.remove(address)
        }
    }

    /// Gives `address` to `name` when it is in the range, not reserved and not another name's: the address a
    /// Kubernetes Service already has (its `spec.clusterIP`), or a name's address from before a restart. The name's
    /// previous address, if different, is freed. False (and nothing changes) when the address cannot be had.
    @discardableResult
    public mutating func claim(_ address: IPv4Octets, for name: String) -> Bool {
        if assigned[name] == address { return true }
        guard contains(address), !reserved.contains(address), !taken.contains(address),
            address.numeric != network.numeric + UInt32(size - 1)
        else { return false }
        release(name)
        assigned[name] = address
        taken.insert(address)
        return true
    }

    /// Frees the name's address, if it has one.
    public mutating func release(_ name: String) {
        if let address = assigned.removeValue(forKey: name) { taken.remove(address) }
    }

    func address(at index: Int) -> IPv4Octets {
        let base = network.numeric + UInt32(index)
        return IPv4Octets(UInt8(base >> 24), UInt8(base >> 16 & 0xff), UInt8(base >> 8 & 0xff), UInt8(base & 0xff))
    }

}

extension IPv4Octets {
    /// The address as one number, for ordering and arithmetic.
    var numeric: UInt32 { bytes.reduce(0) { $0 << 8 | UInt32($1) } }
}
