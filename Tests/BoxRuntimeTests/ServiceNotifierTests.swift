import BoxRuntime
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify without libsystemd: the environment systemd sets is read as it documents, and each notification
/// arrives as one datagram at a real listening socket, named by a path or in the abstract namespace.
@Suite struct ServiceNotifierTests {
    // MARK: - Reading the environment

    @Test func unsetSocketMeansNoOp() throws {
        let settings = NotifySettings.parse(environment: [:], pid: 42)
        #expect(settings == NotifySettings())
        // No address: sending succeeds and goes nowhere.
        try ServiceNotifier(settings: settings).ready(status: "up")
    }

    @Test(arguments: [
        ("/run/systemd/notify", NotifySettings.Address.path("/run/systemd/notify")),
        ("@/org/freedesktop/systemd1/notify/123", .abstract("/org/freedesktop/systemd1/notify/123")),
    ])
    func socketAddress(value: String, expected: NotifySettings.Address) {
        let settings = NotifySettings.parse(environment: ["NOTIFY_SOCKET": value], pid: 42)
        #expect(settings.address == expected)
        #expect(settings.problem == nil)
    }

    @Test(arguments: ["vsock:2:1234", "@", "relative/path", "/" + String(repeating: "x", count: 108)])
    func unusableSocketIsIgnoredWithAReason(value: String) {
        let settings = NotifySettings.parse(environment: ["NOTIFY_SOCKET": value], pid: 42)
        #expect(settings.address == nil)
        #expect(settings.problem?.contains("NOTIFY_SOCKET") == true)
    }

    /// WatchdogSec=30s arrives as WATCHDOG_USEC=30000000; the pings go every 15 s, and only when WATCHDOG_PID is
    /// this process or unset.
    @Test(
        arguments: [
            (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], Duration.seconds(15)),
            (["WATCHDOG_USEC": "30000000"], Duration.seconds(15)),
            (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "43"], nil),
            (["WATCHDOG_USEC": "0"], nil),
            ([:], nil),
        ] as [([String: String], Duration?)])
    func watchdogInterval(environment: [String: String], ping: Duration?) {
        var environment = environment
        environment["NOTIFY_SOCKET"] = "/run/systemd/notify"
        #expect(NotifySettings.parse(environment: environment, pid: 42).watchdogPingInterval == ping)
    }

    @Test func malformedWatchdogIsReported() {
        let settings = NotifySettings.parse(environment: ["WATCHDOG_USEC": "soon"], pid: 42)
        #expect(settings.watchdogTimeout == nil)
        #expect(settings.problem?.contains("WATCHDOG_USEC") == true)
    }

    // MARK: - Real datagrams

    @Test(arguments: [false, true])
    func messagesArriveAsOneDatagramEach(abstract: Bool) async throws {
        try await onOwnThread {
            let listener = try NotifyListener(abstract: abstract)
            defer { listener.close() }
            let notifier = ServiceNotifier(
                settings: .parse(environment: ["NOTIFY_SOCKET": listener.environmentValue], pid: getpid()))
            #expect(notifier.isActive)
            try notifier.ready(status: "ready: 3 agents\nmaster http://127.0.0.1:5050")
            try notifier.status("agent agent-2 registered")
            try notifier.watchdog()
            try notifier.stopping(status: "stopping")
            #expect(
                listener.receive(within: .seconds(5))
                    == "READY=1\nSTATUS=ready: 3 agents master http://127.0.0.1:5050")
            #expect(listener.receive(within: .seconds(5)) == "STATUS=agent agent-2 registered")
            #expect(listener.receive(within: .seconds(5)) == "WATCHDOG=1")
            #expect(listener.receive(within: .seconds(5)) == "STOPPING=1\nSTATUS=stopping")
            #expect(listener.receive(within: .milliseconds(50)) == nil)
        }
    }

    /// WATCHDOG_USEC=400000 (0.4 s): a ping at once, then one every 0.2 s. Four pings must arrive (within 30 s each:
    /// the suite may keep Swift concurrency's threads busy), never two closer than the interval (less 20 ms of
    /// socket jitter), and none after the task is cancelled. How late a ping may come depends on the suite's load,
    /// so the interval itself is checked by `watchdogInterval`, not by a clock here.
    @Test func watchdogPingsAtHalfTheTimeout() async throws {
        let listener = try NotifyListener(abstract: true)
        defer { listener.close() }
        let notifier = ServiceNotifier(
            settings: .parse(
                environment: ["NOTIFY_SOCKET": listener.environmentValue, "WATCHDOG_USEC": "400000"], pid: getpid()))
        let pinger = Task { await notifier.runWatchdog() }
        let arrivals = try await onOwnThread { () -> [ContinuousClock.Instant] in
            var arrivals: [ContinuousClock.Instant] = []
            while arrivals.count < 4, let message = listener.receive(within: .seconds(30)) {
                #expect(message == "WATCHDOG=1")
                arrivals.append(.now)
            }
            return arrivals
        }
        pinger.cancel()
        await pinger.value
        #expect(arrivals.count == 4)
        let gaps = zip(arrivals.dropFirst(), arrivals).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(180) }, "gaps \(gaps)")
        // A ping sent before the cancellation may still be queued; after it, nothing for over two intervals.
        let late = try await onOwnThread { () -> String? in
            while listener.receive(within: .milliseconds(20)) != nil {}
            return listener.receive(within: .milliseconds(450))
        }
        #expect(late == nil)
    }

    @Test func noListenerIsAnError() throws {
        let path = NSTemporaryDirectory() + "/clusterbox-no-listener-\(UUID().uuidString.prefix(8)).sock"
        let notifier = ServiceNotifier(settings: .parse(environment: ["NOTIFY_SOCKET": path], pid: getpid()))
        #expect(throws: NotifyError.self) { try notifier.status("nobody hears this") }
    }
}
