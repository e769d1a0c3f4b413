import BoxCore
import BoxMarathon
import BoxTestSupport
import Foundation
import Testing

/// Seeds of the Marathon simulation. One that ever fails goes to `regression` and stays there.
enum MarathonSeeds {
    static let regression: [UInt64] = []
    static let fresh: [UInt64] = [0x3A7A_0001, 0x3A7A_0002]
    /// `MARATHON_SIM_SEED=0x…` replays one seed instead.
    static var all: [UInt64] {
        if let text = ProcessInfo.processInfo.environment["MARATHON_SIM_SEED"],
            let seed = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        {
            return [seed]
        }
        return regression + fresh
    }
}

@Suite struct MarathonSimulationTests {
    /// 100 apps × 10 instances on 200 simulated agents in 10 racks and 4 zones, with constraints (UNIQUE hostname,
    /// MAX_PER rack 3, GROUP_BY zone 4, CLUSTER rack, LIKE rack + MAX_PER hostname 2). Five virtual minutes of
    /// faults: 60 task crashes a minute, and an agent going silent every 4 s on average (half partitioned, half
    /// crashed; away 5 to 100 s, so past the master's unreachable and sometimes its removal timeout). The
    /// invariants hold after every step; once the faults stop and the agents are back, every app runs its 10
    /// instances within two virtual minutes of the end of the longest launch delay (backoff), and Marathon, the
    /// master and the agents agree on every task.
    @Test(arguments: MarathonSeeds.all)
    func appsConvergeAfterFaults(seed: UInt64) async throws {
        let sim = try await cpuHeavy { () throws(MarathonSimulation.Failure) -> MarathonSimulation in
            var sim = MarathonSimulation(config: .init(seed: seed))
            try Self.run(&sim)
            return sim
        }
        #expect(sim.taskCrashes > 200)
        #expect(sim.partitions > 15)
        #expect(sim.agentCrashes > 15)
        #expect(sim.master.removedAgents.count > 3, "some agents stay away past the removal timeout")
        #expect(sim.replacements > 400)
    }

    static func run(_ sim: inout MarathonSimulation) throws(MarathonSimulation.Failure) {
        do {
            try sim.deployApps()
        } catch {
            throw sim.fail("deploy: \(error)")
        }
        let deployed = try sim.settle(limit: .seconds(60))
        sim.startFaults()
        try sim.run(for: .seconds(300))
        sim.healAllFaults()
        // Apps that failed often wait out their launch delay (backoffSeconds × backoffFactor^n, up to
        // maxLaunchDelaySeconds) first; two minutes from the end of the longest one.
        let backoff = sim.longestLaunchDelay
        let settled = try sim.settle(limit: .seconds(120) + backoff)
        print(
            "marathon sim seed 0x\(String(sim.config.seed, radix: 16)): deployed in \(deployed), "
                + "\(sim.taskCrashes) task crashes, \(sim.partitions) partitions, \(sim.agentCrashes) agent crashes, "
                + "\(sim.master.removedAgents.count) agents removed, \(sim.replacements) replacements, "
                + "longest launch delay \(backoff), settled \(settled) after healing, "
                + "digest \(String(sim.digest, radix: 16))")
    }

    /// The same seed gives the same run, event for event; another seed another run.
    @Test func sameSeedSameRun() async throws {
        let digests = try await cpuHeavy { () throws(MarathonSimulation.Failure) -> [UInt64] in
            var config = MarathonSimulation.Config(seed: 42)
            config.agentCount = 40
            config.appCount = 12
            config.instances = 3
            config.agentFaultInterval = .seconds(5)
            var digests: [UInt64] = []
            for seed: UInt64 in [42, 42, 43] {
                config.seed = seed
                var sim = MarathonSimulation(config: config)
                do { try sim.deployApps() } catch { throw sim.fail("deploy: \(error)") }
                sim.startFaults()
                try sim.run(for: .seconds(120))
                digests.append(sim.digest)
            }
            return digests
        }
        #expect(digests[0] == digests[1])
        #expect(digests[0] != digests[2])
    }
}
