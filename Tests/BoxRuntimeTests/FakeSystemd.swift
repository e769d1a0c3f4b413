import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A private dbus-daemon (its own config and socket in a temporary directory, no service activation) with
/// `Fixtures/fake_systemd.py` owning `org.freedesktop.systemd1` on it. Both are stopped by pid, and the directory
/// removed, by `stop()`.
final class FakeSystemd: @unchecked Sendable {  // set up in init, torn down once by the test that made it
    let directory: String
    let address: String
    private let daemon = Process()
    private let manager = Process()

    static let python = "/usr/bin/python3"
    static let dbusDaemon = "/usr/bin/dbus-daemon"
    static let script =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/fake_systemd.py"

    /// Why the fake cannot run here (dbus-daemon, or Debian's python3 with dbus and gi missing), or nil.
    static let unavailableReason: String? = {
        guard FileManager.default.isExecutableFile(atPath: dbusDaemon) else { return "no \(dbusDaemon) (dbus-daemon)" }
        let probe = try? ChildProcess.run(python, ["-c", "import dbus, dbus.service; from gi.repository import GLib"])
        guard probe?.status == 0 else { return "\(python) lacks dbus or gi (python3-dbus, python3-gi)" }
        return nil
    }()

    /// CI installs both: there a missing one is a failure, not a skip.
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }
    static var enabled: Bool { unavailableReason == nil || required }
    static var skipComment: Comment { Comment(rawValue: "fake systemd unavailable: \(unavailableReason ?? "")") }

    /// Starts the bus and the manager; `cgroupParents` (one directory per hierarchy) let the manager create
    /// scopes' cgroups there, with their limits, `refuse`
    /// makes it refuse one property once, as an older systemd does.
    init(cgroupParents: [String] = [], refuse: String? = nil) throws {
        directory = NSTemporaryDirectory() + "/clusterbox-fake-systemd-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        address = "unix:path=\(directory)/bus"
        let config = """
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>\(address)</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """
        try config.write(toFile: directory + "/bus.conf", atomically: true, encoding: .utf8)
        daemon.executableURL = URL(fileURLWithPath: Self.dbusDaemon)
        daemon.arguments = ["--config-file=\(directory)/bus.conf", "--nofork", "--nopidfile"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        guard waitUntil(within: .seconds(10), { FileManager.default.fileExists(atPath: directory + "/bus") }) else {
            stop()
            throw FakeSystemdFailed(reason: "dbus-daemon did not listen within 10 s")
        }
        manager.executableURL = URL(fileURLWithPath: Self.python)
        manager.arguments =
            [
                Self.script, "--address", address, "--record", recordPath, "--ready", directory + "/ready",
            ] + cgroupParents.flatMap { ["--cgroup-parent", $0] } + (refuse.map { ["--refuse", $0] } ?? [])
        manager.standardOutput = FileHandle.nullDevice
        manager.standardError = FileHandle(forWritingAtPath: "/dev/stderr")
        try manager.run()
        guard waitUntil(within: .seconds(20), { FileManager.default.fileExists(atPath: directory + "/ready") })
        else {
            stop()
            throw FakeSystemdFailed(reason: "the fake manager did not own its name within 20 s")
        }
    }

    var recordPath: String { directory + "/calls.jsonl" }

    /// Every call the manager received, in order: `{"call": "StartTransientUnit", "unit": …, "properties":
    /// [[name, signature, value]], …}`.
    func calls() throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Stops the manager (SIGTERM, SIGKILL after 5 s), then the bus, by their pids, and removes the directory.
    /// The bus gets SIGKILL at once: it holds nothing but its socket in our directory, and it may have inherited
    /// a mask that blocks SIGTERM from the test runner's thread.
    func stop() {
        if manager.processIdentifier > 0 {
            if manager.isRunning { kill(manager.processIdentifier, SIGTERM) }
            if !waitUntil(within: .seconds(5), { !manager.isRunning }) { kill(manager.processIdentifier, SIGKILL) }
            manager.waitUntilExit()
        }
        if daemon.processIdentifier > 0 {
            if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) }
            daemon.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct FakeSystemdFailed: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
