import ArgumentParser
import BoxCore
import BoxSimulation
import Foundation

/// `clusterbox sim --seed 0x…`: replays a whole-cluster simulation under the virtual clock, as the tests run it.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run (or replay from its seed) a simulated cluster under a virtual clock with seeded faults.")

    @Option(name: .long, help: "The seed (decimal or 0x hex).")
    var seed: String = "0x5EED0001"

    @Option(name: .long, help: "Simulated agents.")
    var agents = 200

    @Option(name: .long, help: "Minutes of virtual time under faults.")
    var minutes = 60.0

    func run() throws {
        let text = seed.lowercased()
        guard let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text) else {
            throw ValidationError("--seed must be a number, decimal or 0x hex")
        }
        var config = Simulation.Config(seed: value)
        config.agentCount = agents
        var sim = Simulation(config: config)
        let started = Date()
        do {
            try sim.run(for: .seconds(minutes * 60))
            sim.healAllFaults()
            try sim.run(for: .seconds(180))
            try sim.checkConverged()
        } catch {
            print("FAILED: \(error)")
            throw ExitCode(1)
        }
        print(
            "seed 0x\(String(value, radix: 16)): \(agents) agents, \(format(minutes)) virtual minutes in \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
        print("  tasks launched       \(sim.master.counters.tasksLaunched)")
        print(
            "  offers made          \(sim.master.counters.offersMade) (declined \(sim.master.counters.offersDeclined), rescinded \(sim.master.counters.offersRescinded))"
        )
        print("  agent crashes        \(sim.agentCrashes)")
        print("  worst share spread   \(String(format: "%.3f", sim.worstShareSpread))")
        print("  run digest           \(String(sim.digest, radix: 16))  (same seed, same digest)")
    }
}
