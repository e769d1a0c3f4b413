import BoxCore
import Testing

@Suite struct ResourcesTests {
    /// <2 CPUs, 1 GiB, ports 31000-31009> minus <0.5 CPU, 256 MiB, port 31003> leaves <1.5, 768, the other 9>.
    @Test func arithmetic() {
        let agent = Resources(cpus: 2, memoryMiB: 1024, ports: PortRanges([31000...31009]))
        let task = Resources(cpus: 0.5, memoryMiB: 256, ports: PortRanges(ports: [31003]))
        #expect(agent.contains(task))
        let left = agent - task
        #expect(left.milliCPUs == 1500)
        #expect(left.memoryMiB == 768)
        #expect(left.ports.ranges == [31000...31002, 31004...31009])
        #expect(left + task == agent)
        #expect(!left.contains(task))
        #expect(!agent.contains(Resources(cpus: 2.001)))
    }

    @Test func parsesMesosText() throws {
        let parsed = try Resources(parsing: "cpus:1.5;mem:2048;disk:100;gpus:1;ports:[31000-31005,32000-32000]")
        #expect(
            parsed
                == Resources(
                    cpus: 1.5, memoryMiB: 2048, diskMiB: 100, gpus: 1,
                    ports: PortRanges([31000...31005, 32000...32000])))
        #expect(parsed.description == "cpus:1.5;mem:2048;disk:100;gpus:1;ports:[31000-31005, 32000-32000]")
        #expect(try Resources(parsing: "cpus:2,mem:512") == Resources(cpus: 2, memoryMiB: 512))
    }

    @Test(arguments: [
        ("cpus:-1", "bad value '-1' for resource cpus"),
        ("mem:1.5", "bad value '1.5' for resource mem"),
        ("bogus:1", "unknown resource 'bogus' (known: cpus, mem, disk, gpus, ports)"),
        ("cpus", "malformed resource 'cpus': expected NAME:VALUE"),
        ("ports:[5-1]", "bad value '[5-1]' for resource ports"),
    ])
    func rejectsBadText(text: String, message: String) {
        #expect(throws: ResourceParseError.self) { try Resources(parsing: text) }
        do { _ = try Resources(parsing: text) } catch { #expect(error.description == message) }
    }
}
