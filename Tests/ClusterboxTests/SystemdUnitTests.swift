import BoxTestSupport
import Foundation
import Testing

/// `systemd/clusterbox.service`, the unit `./install.sh --systemd` installs: the settings the daemon relies on
/// (Type=notify with NotifyAccess=main, the foreground command, Delegate=yes, …), and `systemd-analyze verify`
/// on a copy whose ExecStart names the binary under test (verify checks that it exists), where systemd-analyze
/// is installed (Debian's systemd package; it verifies without systemd running).
@Suite struct SystemdUnitTests {
    static let unitPath = CLI.root + "/systemd/clusterbox.service"
    static let analyze = "/usr/bin/systemd-analyze"

    @Test func unitHasTheNotifyServiceSettings() async throws {
        try await onOwnThread { () throws in
            let lines = try String(contentsOfFile: Self.unitPath, encoding: .utf8).split(separator: "\n").map(
                String.init)
            for expected in [
                "Type=notify", "NotifyAccess=main", "ExecStart=/usr/local/bin/clusterbox up --foreground",
                "Environment=CLUSTERBOX_DATA_DIR=/var/lib/clusterbox", "Delegate=yes", "KillMode=mixed",
                "Restart=on-failure", "WatchdogSec=30s", "WantedBy=multi-user.target",
            ] {
                #expect(lines.contains(expected), "\(expected) missing")
            }
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze), "no systemd-analyze (Debian systemd)"))
    func systemdAnalyzeAcceptsTheUnit() async throws {
        try await onOwnThread {
            guard FileManager.default.isExecutableFile(atPath: CLI.binary) else { throw CLIMissing(path: CLI.binary) }
            let directory = NSTemporaryDirectory() + "/clusterbox-unit-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let unit = try String(contentsOfFile: Self.unitPath, encoding: .utf8).replacingOccurrences(
                of: "ExecStart=/usr/local/bin/clusterbox ", with: "ExecStart=\(CLI.binary) ")
            try unit.write(toFile: directory + "/clusterbox.service", atomically: true, encoding: .utf8)
            let verify = try ChildProcess.run(Self.analyze, ["verify", directory + "/clusterbox.service"])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(!verify.stderr.contains("clusterbox.service:"), "\(verify.stderr)")
        }
    }
}
