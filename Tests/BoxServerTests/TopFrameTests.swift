import BoxCore
import Testing

@testable import BoxServer

/// `clusterbox top`'s arithmetic and layout, from samples made by hand.
struct TopFrameTests {
    static func statistics(at timestamp: Double, user: Double, system: Double) -> ResourceStatistics {
        var statistics = ResourceStatistics(timestamp: timestamp)
        statistics.cpus_user_time_secs = user
        statistics.cpus_system_time_secs = system
        return statistics
    }

    @Test func cpuPercentIsCPUTimeOverWallTime() throws {
        // 0.5 s of CPU (0.4 user + 0.1 system) in 2 s: a quarter of one CPU.
        let earlier = Self.statistics(at: 100, user: 1.0, system: 0.5)
        let later = Self.statistics(at: 102, user: 1.4, system: 0.6)
        let percent = try #require(TopFrame.cpuPercent(from: earlier, to: later))
        #expect(abs(percent - 25) < 1e-9)
        // Two busy CPUs.
        #expect(TopFrame.cpuPercent(from: earlier, to: Self.statistics(at: 101, user: 3.0, system: 0.5)) == 200)
    }

    @Test func cpuPercentIsUnknownWithoutTwoUsableReadings() {
        let earlier = Self.statistics(at: 100, user: 5, system: 1)
        #expect(TopFrame.cpuPercent(from: nil, to: earlier) == nil)
        #expect(TopFrame.cpuPercent(from: earlier, to: earlier) == nil, "no time passed")
        #expect(
            TopFrame.cpuPercent(from: earlier, to: Self.statistics(at: 101, user: 1, system: 0)) == nil,
            "the counter went back: another task under the same id")
        #expect(TopFrame.cpuPercent(from: earlier, to: ResourceStatistics(timestamp: 101)) == nil)
    }

    static func task(_ id: String, agent: String = "a1", _ statistics: ResourceStatistics?) -> TopSample.Task {
        TopSample.Task(
            id: id, name: id, framework: "marathon", agent_id: agent, agent: "agent-1", state: "TASK_RUNNING",
            cpus: 0.25, mem_mib: 64, statistics: statistics)
    }

    @Test func tasksAreSortedByCPUPercentAndMatchedByAgentAndID() {
        let agents = [
            TopSample.Agent(
                id: "a1", hostname: "agent-1", kind: "container", active: true, cpus: 4, used_cpus: 0.75,
                mem_mib: 8192, used_mem_mib: 192)
        ]
        let frameworks = [
            TopSample.Framework(
                id: "f1", name: "marathon", role: "*", tasks: 3, dominant_share: 0.1875, dominant_resource: "cpus")
        ]
        let previous = TopSample(
            agents: agents, frameworks: frameworks,
            tasks: [
                Self.task("idle", Self.statistics(at: 10, user: 0, system: 0)),
                Self.task("busy", Self.statistics(at: 10, user: 1, system: 0)),
                // Same id on another agent: must not be paired with "busy" below.
                Self.task("new", agent: "a2", Self.statistics(at: 10, user: 0, system: 0)),
            ])
        var busy = Self.statistics(at: 12, user: 1.5, system: 0)
        busy.mem_total_bytes = 3 << 20
        busy.mem_limit_bytes = 64 << 20
        busy.cpus_nr_throttled = 17
        let current = TopSample(
            agents: agents, frameworks: frameworks,
            tasks: [
                Self.task("new", Self.statistics(at: 12, user: 9, system: 0)),
                Self.task("idle", Self.statistics(at: 12, user: 0.02, system: 0)),
                Self.task("busy", busy),
            ])
        let frame = TopFrame(previous: previous, current: current)
        #expect(frame.tasks.map(\.id) == ["busy", "idle", "new"])
        #expect(frame.tasks.map(\.cpu_percent) == [25, 1, nil])
        #expect(frame.tasks[0].mem_bytes == 3 << 20)
        #expect(frame.tasks[1].mem_limit_bytes == 64 << 20, "from the task's mem when the executor gives none")

        let text = frame.render(colour: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "AGENT     KIND        STATE    CPUS USED   MEM USED")
        #expect(lines[1] == "agent-1   container   active   0.75/4      192 MiB/8.0 GiB")
        #expect(text.contains("marathon    *      3       18.8% cpus"))
        let busyLine = lines.first { $0.hasPrefix("busy") }
        #expect(
            busyLine?.split(separator: " ", omittingEmptySubsequences: true)
                == ["busy", "RUNNING", "agent-1", "25.0", "0.25", "3.0", "MiB", "64", "MiB", "17", "marathon"])
        #expect(lines.first { $0.hasPrefix("new") }?.contains("   -   ") == true, "unknown CPU% shows as -")
        #expect(!text.contains("\u{1B}["))
        #expect(frame.render(colour: true).hasPrefix("\u{1B}[1mAGENT"))
    }

    @Test func bytesUseBinaryUnits() {
        #expect(TopFrame.bytes(0) == "0 B")
        #expect(TopFrame.bytes(1023) == "1023 B")
        #expect(TopFrame.bytes(1536) == "1.5 KiB")
        #expect(TopFrame.bytes(8 << 20) == "8.0 MiB")
        #expect(TopFrame.bytes(200 << 20) == "200 MiB")
        #expect(TopFrame.bytes(3 << 30) == "3.0 GiB")
    }

    @Test func noTasksSaysSo() {
        let frame = TopFrame(previous: nil, current: TopSample(agents: [], frameworks: [], tasks: []))
        #expect(frame.render(colour: false).hasSuffix("No running tasks.\n"))
    }
}
