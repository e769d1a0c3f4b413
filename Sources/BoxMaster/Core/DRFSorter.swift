public import BoxCore

/// Dominant Resource Fairness: orders clients by their weighted dominant share, the largest fraction of any one
/// cluster resource they hold, divided by their weight (Ghodsi et al., NSDI 2011). Offered resources count as
/// held, as in Mesos. Ties break on the client id, so the order never depends on floating-point rounding noise
/// or dictionary order.
public struct DRFSorter: Sendable {
    /// The dominant share of `allocated` in a cluster of `total` resources, and the resource it is in.
    public static func dominantShare(of allocated: Resources, in total: Resources) -> (share: Double, resource: String)
    {
        var best = (share: 0.0, resource: "cpus")
        func consider(_ used: Int, _ all: Int, _ name: String) {
            guard all > 0 else { return }
            let share = Double(used) / Double(all)
            if share > best.share { best = (share, name) }
        }
        consider(allocated.milliCPUs, total.milliCPUs, "cpus")
        consider(allocated.memoryMiB, total.memoryMiB, "mem")
        consider(allocated.diskMiB, total.diskMiB, "disk")
        consider(allocated.gpus, total.gpus, "gpus")
        return best
    }

    public struct Client: Sendable {
        public var id: FrameworkID
        public var weight: Double
        public var allocated: Resources
        public var share: Double
    }

    /// Clients, kept sorted: lowest weighted dominant share first.
    public private(set) var clients: [Client] = []
    public let total: Resources

    public init(total: Resources) { self.total = total.scalars }

    public mutating func add(_ id: FrameworkID, weight: Double, allocated: Resources) {
        precondition(weight > 0, "weight must be positive")
        let client = Client(id: id, weight: weight, allocated: allocated.scalars, share: share(allocated, weight))
        clients.insert(client, at: insertionIndex(for: client))
    }

    /// Records more resources as held by `clients[index]` and moves it to its new place; answers the new index.
    @discardableResult
    public mutating func allocate(_ resources: Resources, toClientAt index: Int) -> Int {
        var client = clients.remove(at: index)
        client.allocated += resources.scalars
        client.share = share(client.allocated, client.weight)
        let newIndex = insertionIndex(for: client)
        clients.insert(client, at: newIndex)
        return newIndex
    }

    private func share(_ allocated: Resources, _ weight: Double) -> Double {
        Self.dominantShare(of: allocated, in: total).share / weight
    }

    /// Shares closer than this are equal; the id decides. Real differences are at least 1/(total in MiB).
    static let epsilon = 1e-12

    static func precedes(_ a: Client, _ b: Client) -> Bool {
        if abs(a.share - b.share) > epsilon { return a.share < b.share }
        return a.id < b.id
    }

    private func insertionIndex(for client: Client) -> Int {
        var low = 0
        var high = clients.count
        while low < high {
            let mid = (low + high) / 2
            if Self.precedes(clients[mid], client) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
