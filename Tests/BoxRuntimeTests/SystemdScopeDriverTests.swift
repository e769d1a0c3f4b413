import BoxRuntime
import BoxTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The systemd cgroup driver against a fake manager on a private bus (no systemd runs here, and booting one is
/// what destroyed a host's /tmp: runtime.md §0.12). The driver's real sd-bus messages are checked as the manager
/// received them, signature by signature; where the host lets tests write cgroups, the fake also makes the scope's
/// cgroup in a scratch subtree and the task's /proc/<pid>/cgroup must name it.
@Suite(.serialized, .enabled(if: FakeSystemd.enabled, FakeSystemd.skipComment))
struct SystemdScopeDriverTests {
    static let logger: Logger = {
        var logger = Logger(label: "clusterbox.runtime.test")
        logger.logLevel = .error
        return logger
    }()

    /// cpus 0.5 → 50 000 µs per 100 000 µs → CPUQuotaPerSecUSec 500 000; weight 50 → shares 512 (v1 host);
    /// 64 MiB = 67 108 864 bytes with swap 0; TasksMax 100.
    static let limits = CgroupLimits(cpus: 0.5, memoryBytes: 64 << 20, pids: 100)

    @Test func startsAndStopsAScopeWithCrunsProperties() async throws {
        try await onOwnThread {
            if let reason = FakeSystemd.unavailableReason {
                Issue.record("the fake systemd cannot run here (CI is set, so this is not a skip): \(reason)")
                return
            }
            if CgroupTestHost.unavailableReason == nil {
                try Self.withScratchCgroupParent { parent in try Self.startAndStop(cgroupParent: parent) }
            } else {
                try Self.startAndStop(cgroupParent: nil)
            }
        }
    }

    static func startAndStop(cgroupParent: String?) throws {
        let fake = try FakeSystemd(cgroupParents: cgroupParent.map { [$0] } ?? [])
        defer { fake.stop() }
        let child = try sleeper()
        defer { stopSleeper(child) }
        let driver = SystemdScopeDriver(
            bus: try SystemdBus(.address(fake.address, busClient: true)), unified: false, logger: logger)

        let unit = try driver.startScope(
            task: "web.1/a b", pids: [child.processIdentifier], limits: limits, description: "clusterbox task web.1")
        #expect(unit == "clusterbox-web.1_a_b.scope")

        let start = try #require(try fake.calls().first)
        #expect(start["call"] as? String == "StartTransientUnit")
        #expect(start["unit"] as? String == unit)
        #expect(start["mode"] as? String == "fail")
        #expect(start["aux"] as? Int == 0)
        let received = try #require(start["properties"] as? [[Any]]).map { Property($0) }
        let pid = Int(child.processIdentifier)
        #expect(
            received == [
                Property("DefaultDependencies", "b", "false"),
                Property("Description", "s", "\"clusterbox task web.1\""), Property("PIDs", "au", "[\(pid)]"),
                Property("Delegate", "b", "true"), Property("CPUAccounting", "b", "true"),
                Property("MemoryAccounting", "b", "true"), Property("TasksAccounting", "b", "true"),
                Property("MemoryMax", "t", "67108864"), Property("MemorySwapMax", "t", "0"),
                Property("TasksMax", "t", "100"), Property("CPUQuotaPerSecUSec", "t", "500000"),
                Property("CPUQuotaPeriodUSec", "t", "100000"), Property("CPUShares", "t", "512"),
            ])

        if let cgroupParent {
            // The fake did what systemd does with PIDs: the task's cgroup is now the scope's.
            let cgroups = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
            #expect(cgroups.split(separator: "\n").contains { $0.hasSuffix("/" + unit) }, "\(cgroups)")
            #expect(FileManager.default.fileExists(atPath: cgroupParent + "/" + unit))
        }

        try driver.stopScope(unit)
        let calls = try fake.calls().map { "\($0["call"] ?? "") \($0["unit"] ?? "") \($0["mode"] ?? "")" }
        #expect(
            calls == [
                "StartTransientUnit \(unit) fail", "StopUnit \(unit) replace", "ResetFailedUnit \(unit) ",
            ])
        if let cgroupParent {
            #expect(waitUntil(within: .seconds(5)) { isGone(child.processIdentifier) }, "StopUnit left the task")
            #expect(!FileManager.default.fileExists(atPath: cgroupParent + "/" + unit))
        }
        // Stopping a scope that is gone is not an error (NoSuchUnit).
        try driver.stopScope(unit)
    }

    /// An older systemd refuses TasksAccounting: the driver retries without it, and later scopes leave it out
    /// from the start.
    @Test func refusedPropertyIsLeftOutFromThenOn() async throws {
        try await onOwnThread {
            if let reason = FakeSystemd.unavailableReason {
                Issue.record("the fake systemd cannot run here (CI is set, so this is not a skip): \(reason)")
                return
            }
            let fake = try FakeSystemd(refuse: "TasksAccounting")
            defer { fake.stop() }
            let driver = SystemdScopeDriver(
                bus: try SystemdBus(.address(fake.address, busClient: true)), unified: true, logger: Self.logger)
            let first = try driver.startScope(task: "t1", pids: [], limits: Self.limits, description: "t1")
            let second = try driver.startScope(task: "t2", pids: [], limits: Self.limits, description: "t2")
            let starts = try fake.calls().filter { $0["call"] as? String == "StartTransientUnit" }
            let names = try starts.map { call in
                try #require(call["properties"] as? [[Any]]).map { Property($0).name }
            }
            #expect(starts.map { $0["unit"] as? String } == [first, first, second])
            #expect(names.map { $0.contains("TasksAccounting") } == [true, false, false])
            // A v2 host gets CPUWeight (50 for half a core), not CPUShares.
            #expect(names[1].contains("CPUWeight") && !names[1].contains("CPUShares"))
        }
    }

    /// A unit of the same name exists: ResetFailedUnit, one more try, then the error.
    @Test func existingUnitIsResetOnceThenReported() async throws {
        try await onOwnThread {
            if let reason = FakeSystemd.unavailableReason {
                Issue.record("the fake systemd cannot run here (CI is set, so this is not a skip): \(reason)")
                return
            }
            let fake = try FakeSystemd()
            defer { fake.stop() }
            let driver = SystemdScopeDriver(
                bus: try SystemdBus(.address(fake.address, busClient: true)), unified: true, logger: Self.logger)
            try driver.startScope(task: "dup", pids: [], limits: CgroupLimits(), description: "dup")
            #expect {
                try driver.startScope(task: "dup", pids: [], limits: CgroupLimits(), description: "dup")
            } throws: { error in
                (error as? SystemdError)?.unitExists == true
            }
            let calls = try fake.calls().map { $0["call"] as? String ?? "" }
            #expect(calls == ["StartTransientUnit", "StartTransientUnit", "ResetFailedUnit", "StartTransientUnit"])
        }
    }

    @Test func noManagerIsAConnectError() throws {
        let missing = NSTemporaryDirectory() + "/clusterbox-no-bus-\(UUID().uuidString.prefix(8))"
        #expect(throws: SystemdError.self) { try SystemdBus(.address("unix:path=" + missing, busClient: true)) }
    }

    // MARK: - Helpers

    /// The scratch subtree's v2 directory (the last; on v1-only hosts the last v1 one), for the fake's scopes.
    static func withScratchCgroupParent(_ body: (String) throws -> Void) throws {
        let subtree = try CgroupSubtree.detect(root: CgroupTestHost.scratchName(), logger: CgroupTestHost.logger)
        defer {
            _ = subtree.removeLeftovers()
            do { try subtree.remove() } catch { Issue.record("cannot remove the scratch subtree: \(error)") }
        }
        try body(try #require(subtree.paths.last))
    }

    static func sleeper() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["300"]
        try process.run()
        return process
    }

    static func stopSleeper(_ process: Process) {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// One received property: name, D-Bus signature, and the value as JSON text (`false`, `512`, `[1234]`, `"text"`).
struct Property: Equatable, CustomStringConvertible {
    var name: String
    var signature: String
    var json: String

    init(_ name: String, _ signature: String, _ json: String) {
        self.name = name
        self.signature = signature
        self.json = json
    }

    init(_ record: [Any]) {
        self.init(record[0] as? String ?? "?", record[1] as? String ?? "?", record[2] as? String ?? "?")
    }

    var description: String { "\(name) \(signature) \(json)" }
}
