import BoxCore
import BoxMaster
import BoxSimulation
import BoxTestSupport
import Testing

/// Seeds that once failed; they stay here forever.
enum Seeds {
    static let regression: [UInt64] = []
    static let fresh: [UInt64] = [0x5EED_0001, 0xC0FF_EE42]
}

@Suite struct ClusterSimulationTests {
    /// 200 simulated agents (8 CPUs, 16 GiB, 100 ports each), four frameworks with different task shapes and far
    /// more demand than the cluster holds, 2 % of tasks crashing, an agent crash a minute on average (down 5 to
    /// 150 s, so some are removed after the 60 s removal timeout), 5 % of acknowledgements lost: one hour of
    /// virtual time with the safety invariants checked every second. Then faults heal and within 3 minutes every
    /// task the master tracks runs on a live agent.
    @Test(arguments: Seeds.regression + Seeds.fresh)
    func hourUnderFaults(seed: UInt64) async throws {
        let sim = try await cpuHeavy { try Self.hour(seed: seed) }
        #expect(sim.agentCrashes > 20)
        #expect(sim.master.counters.tasksLaunched > 10_000)
    }

    static func hour(seed: UInt64) throws -> Simulation {
        var sim = Simulation(config: .init(seed: seed))
        try sim.run(for: .seconds(3600))
        sim.healAllFaults()
        try sim.run(for: .seconds(180))
        try sim.checkConverged()
        let counts = "\(sim.master.counters.tasksLaunched) tasks, \(sim.agentCrashes) agent crashes"
        print("seed 0x\(String(seed, radix: 16)): \(counts), worst share spread \(sim.worstShareSpread)")
        return sim
    }

    /// The same seed gives the same run, event for event.
    @Test func sameSeedSameRun() async throws {
        try await cpuHeavy { try Self.sameSeed() }
    }

    static func sameSeed() throws {
        var config = Simulation.Config(seed: 42)
        config.agentCount = 30
        var first = Simulation(config: config)
        var second = Simulation(config: config)
        try first.run(for: .seconds(600))
        try second.run(for: .seconds(600))
        #expect(first.eventCount > 1000)
        #expect(first.digest == second.digest)
        var other = Simulation(config: .init(seed: 43))
        try other.run(for: .seconds(600))
        #expect(other.digest != first.digest)
    }
}
