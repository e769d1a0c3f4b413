import BoxCore
import BoxMaster
import Testing

@Suite struct DRFTests {
    /// The DRF paper's example: 9 CPUs and 18 GiB; A's tasks need <1 CPU, 4 GiB>, B's <3 CPUs, 1 GiB>. Each
    /// allocation pass offers the whole free agent to the framework with the lower dominant share, which launches
    /// one task and returns the rest. A ends with 3 tasks (3/9 CPU, 12/18 mem: share 2/3), B with 2 (6/9 CPU:
    /// share 2/3).
    @Test func paperExample() {
        var h = MasterHarness()
        h.addAgent(cpus: 9, memMiB: 18 * 1024)
        let a = h.subscribe("A")
        let b = h.subscribe("B")
        var launched: [FrameworkID: Int] = [:]
        for round in 0..<10 {
            guard let offer = h.allocate().first else { break }
            let shape = offer.frameworkID == a ? (1.0, 4096) : (3.0, 1024)
            let fits = offer.resources.contains(Resources(cpus: shape.0, memoryMiB: shape.1))
            if fits {
                _ = h.launch("t\(round)", on: offer, cpus: shape.0, memMiB: shape.1)
                launched[offer.frameworkID, default: 0] += 1
            } else {
                _ = h.call(.decline(offerIDs: [offer.id], filters: Filters(refuseSeconds: 1000)), offer.frameworkID)
            }
        }
        #expect(launched[a] == 3)
        #expect(launched[b] == 2)
        let shares = Dictionary(uniqueKeysWithValues: h.core.dominantShares().map { ($0.0, $0.share) })
        #expect(abs(shares[a]! - 2.0 / 3) < 1e-9)
        #expect(abs(shares[b]! - 2.0 / 3) < 1e-9)
    }

    /// Weighted DRF: with weight 2, B is entitled to twice A's dominant share. Both run <1 CPU, 1 GiB> tasks on
    /// 12 CPUs and 48 GiB (CPU is dominant, 1/12 per task): B gets 8 tasks (share 8/12 / 2 = 1/3) and A gets 4
    /// (4/12 = 1/3).
    @Test(arguments: [(1.0, 1.0, 6, 6), (1.0, 2.0, 4, 8), (1.0, 3.0, 3, 9)])
    func weightedShares(weightA: Double, weightB: Double, expectedA: Int, expectedB: Int) {
        var h = MasterHarness()
        h.addAgent(cpus: 12, memMiB: 48 * 1024)
        let a = h.subscribe("A", weight: weightA)
        let b = h.subscribe("B", weight: weightB)
        var launched: [FrameworkID: Int] = [:]
        for round in 0..<40 {
            guard let offer = h.allocate().first else { break }
            if offer.resources.milliCPUs >= 1000 {
                _ = h.launch("t\(round)", on: offer, cpus: 1, memMiB: 1024)
                launched[offer.frameworkID, default: 0] += 1
            }
        }
        #expect(launched[a, default: 0] == expectedA)
        #expect(launched[b, default: 0] == expectedB)
    }

    /// The sorter's tie-break is the framework id, never rounding: two frameworks with equal shares are ordered
    /// by id, and the lower share always comes first.
    @Test func sorterOrder() {
        var sorter = DRFSorter(total: Resources(cpus: 3, memoryMiB: 3))
        sorter.add("b", weight: 1, allocated: Resources(cpus: 1, memoryMiB: 0))
        sorter.add("a", weight: 1, allocated: Resources(cpus: 0, memoryMiB: 1))
        sorter.add("c", weight: 1, allocated: .zero)
        #expect(sorter.clients.map(\.id) == ["c", "a", "b"])
        sorter.allocate(Resources(cpus: 2, memoryMiB: 0), toClientAt: 0)
        #expect(sorter.clients.map(\.id) == ["a", "b", "c"])
    }

    /// 1 CPU of 4 is a quarter; 512 MiB of 1024 is a half: the dominant resource is memory.
    @Test func dominantResource() {
        let (share, resource) = DRFSorter.dominantShare(
            of: Resources(cpus: 1, memoryMiB: 512), in: Resources(cpus: 4, memoryMiB: 1024))
        #expect(share == 0.5)
        #expect(resource == "mem")
    }
}
