import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `clusterbox up --foreground` as systemd runs it for a `Type=notify` unit: with NOTIFY_SOCKET naming a listening
/// datagram socket (abstract, as systemd's own is) and WATCHDOG_USEC set for this process. Expected, in order:
/// STATUS= lines while components come up, one READY=1 (with a ready STATUS) only after the API answers, WATCHDOG=1
/// pings at half of 2 s, and STOPPING=1 once SIGTERM starts the shutdown, before the process exits 0.
@Suite(.serialized) struct SystemdNotifyEndToEndTests {
    @Test func foregroundDaemonNotifiesSystemd() async throws { try await onOwnThread { try Self.notifies() } }

    static func notifies() throws {
        let cli = try CLI()
        defer { try? FileManager.default.removeItem(atPath: cli.dataDirectory) }
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else { throw CLIMissing(path: CLI.binary) }
        let listener = try NotifyListener(abstract: true)
        defer { listener.close() }

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLI.binary)
        daemon.arguments = [
            "up", "--foreground", "--agents", "1", "--master-port", "\(cli.port)", "--marathon-port",
            "\(cli.marathonPort)", "--dns-address", cli.dnsAddress, "--dns-port", "\(cli.dnsPort)", "--vip-range",
            cli.vipRange, "--service-range", cli.serviceRange, "--first-task-port", "\(cli.firstTaskPort)",
            "--ports-per-agent", "\(CLI.portsPerAgent)",
        ]
        // No WATCHDOG_PID: the test cannot know the pid before the start; unset means "ours".
        daemon.environment = ProcessInfo.processInfo.environment.merging([
            "CLUSTERBOX_DATA_DIR": cli.dataDirectory, "NOTIFY_SOCKET": listener.environmentValue,
            "WATCHDOG_USEC": "2000000",
        ]) { $1 }
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        let pid = daemon.processIdentifier
        defer {
            if daemon.isRunning { kill(pid, SIGKILL) }
            daemon.waitUntilExit()
        }

        let untilReady = try #require(listener.receive(until: "READY=1", within: .seconds(60)), "no READY=1")
        let statuses = untilReady.flatMap { $0.split(separator: "\n") }.filter { $0.hasPrefix("STATUS=") }
        #expect(statuses.contains { $0.hasPrefix("STATUS=store") }, "\(statuses)")
        #expect(statuses.contains { $0.hasPrefix("STATUS=agent") }, "\(statuses)")
        let ready = try #require(untilReady.last)
        #expect(ready.hasPrefix("READY=1\nSTATUS=ready: 1 agents, master http://127.0.0.1:\(cli.port)"), "\(ready)")
        #expect(untilReady.dropLast().allSatisfy { !$0.contains("READY=1") }, "READY=1 sent more than once")
        // READY=1 means the API answers.
        let health = try cli.curl(["-o", "/dev/null", "-w", "%{http_code}", cli.url + "/health"])
        #expect(health.stdout == "200")

        // Pings every second: one arrives (within 10 s, for a loaded machine; ServiceNotifierTests check the interval).
        let watchdog = listener.receive(until: "WATCHDOG=1", within: .seconds(10))
        #expect(watchdog != nil, "no WATCHDOG=1 within 10 s")

        kill(pid, SIGTERM)
        let stopping = listener.receive(until: "STOPPING=1", within: .seconds(30))
        #expect(stopping != nil, "no STOPPING=1 after SIGTERM")
        let deadline = Date().addingTimeInterval(30)
        while daemon.isRunning && Date() < deadline { usleep(20_000) }
        #expect(!daemon.isRunning, "the daemon did not stop within 30 s of SIGTERM")
        if !daemon.isRunning { #expect(daemon.terminationStatus == 0) }
    }
}
