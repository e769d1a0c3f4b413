import BoxTestSupport
import Foundation
import Synchronization
import Testing

/// Runs the built `clusterbox` binary (and `curl`) as a user would, with a private data directory.
struct CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The binary under test: `$CLUSTERBOX_BIN`, else the debug build of this checkout.
    static var binary: String {
        ProcessInfo.processInfo.environment["CLUSTERBOX_BIN"] ?? root + "/.build/debug/clusterbox"
    }

    let dataDirectory: String
    /// The master's, Marathon's, the Kubernetes API's (its own for each test cluster: 6443 is the default of a
    /// user's cluster) and the DNS server's ports.
    private let ports: Ports
    var port: Int { ports.chosen.master }
    var marathonPort: Int { ports.chosen.marathon }
    var kubePort: Int { ports.chosen.kube }
    var dnsPort: Int { ports.chosen.dns }
    /// Each cluster of the tests gets DNS and virtual IPs of its own, so that tests run side by side (and beside
    /// a cluster the user runs).
    let dnsAddress: String
    let vipRange: String
    let serviceRange: String
    /// Task ports of its own too: two test clusters' tasks must not race for one port. Room for four agents of
    /// `portsPerAgent`, all below the kernel's ephemeral range (32768 up: another test's outgoing connection may
    /// hold any port there, and a task binding it would fail) and below 31000 (the task ports of in-process test
    /// clusters).
    let firstTaskPort: Int
    static let portsPerAgent = 50

    init() throws {
        let octet = Self.nextOctet()
        vipRange = "127.\(octet).0.0/24"
        serviceRange = "127.\(octet).1.0/24"
        dnsAddress = "127.\(octet).0.10"
        firstTaskPort = 10000 + (octet - 100) * 4 * Self.portsPerAgent
        dataDirectory =
            FileManager.default.temporaryDirectory.appendingPathComponent("cbx-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        ports = try Ports()
    }

    typealias Result = ChildProcess

    @discardableResult
    func run(_ arguments: [String], timeout: Double = 60) throws -> Result {
        // `up` merges the cluster into $KUBECONFIG: a file of the test's own, never the user's ~/.kube/config.
        try Self.execute(
            Self.binary, arguments, environment: ["CLUSTERBOX_DATA_DIR": dataDirectory, "KUBECONFIG": kubeconfig],
            timeout: timeout)
    }

    func curl(_ arguments: [String]) throws -> Result {
        try Self.execute("/usr/bin/curl", ["-s", "--max-time", "20"] + arguments, environment: [:], timeout: 30)
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `up` on this cluster's ports and ranges. A port free when it was chosen can be taken before the daemon binds
    /// it (by another test's outgoing connection: both come from the kernel's ephemeral range), so when the daemon
    /// exits with "Address already in use" the ports are chosen again and `up` runs again, up to three times.
    func up(_ extra: [String] = []) throws -> Result {
        var attempts = 0
        while true {
            let result = try run(
                [
                    "up", "--master-port", "\(port)", "--marathon-port", "\(marathonPort)", "--kube-port",
                    "\(kubePort)", "--dns-address", dnsAddress, "--dns-port", "\(dnsPort)", "--vip-range", vipRange,
                    "--service-range", serviceRange, "--first-task-port", "\(firstTaskPort)", "--ports-per-agent",
                    "\(Self.portsPerAgent)",
                ] + extra)
            attempts += 1
            guard result.status != 0, attempts < 3, (result.stdout + result.stderr).contains("Address already in use")
            else { return result }
            print("clusterbox up found a port taken; choosing others: \(result.stdout.suffix(200))")
            try ports.choose()
        }
    }

    /// The kubeconfig `up` writes for this test cluster.
    var kubeconfig: String { dataDirectory + "/kubeconfig" }

    var marathonURL: String { "http://127.0.0.1:\(marathonPort)" }

    func cleanUp() {
        _ = try? run(["down"])
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    static func execute(_ path: String, _ arguments: [String], environment: [String: String], timeout: Double) throws
        -> Result
    {
        guard FileManager.default.isExecutableFile(atPath: path) else { throw CLIMissing(path: path) }
        return try ChildProcess.run(path, arguments, environment: environment, timeoutSeconds: timeout)
    }

    /// 127.<octet>.0.0/16 and task ports of their own for each cluster of this test run, in turn (from a random
    /// start, so that two runs side by side rarely meet).
    static func nextOctet() -> Int {
        octets.withLock { next in
            defer { next += 1 }
            return 100 + next % 100
        }
    }

    private static let octets = Mutex(Int.random(in: 0..<100))

    /// A port nobody listens on now, from the kernel.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A test cluster's four ports, free when chosen (from the kernel, all different), chosen again on demand.
final class Ports: Sendable {
    struct Choice {
        var master: Int
        var marathon: Int
        var kube: Int
        var dns: Int
    }

    private let choice: Mutex<Choice>

    init() throws { choice = Mutex(try Self.fresh()) }

    var chosen: Choice { choice.withLock { $0 } }

    func choose() throws {
        let fresh = try Self.fresh()
        choice.withLock { $0 = fresh }
    }

    private static func fresh() throws -> Choice {
        var ports: [Int] = []
        while ports.count < 4 {
            let port = try CLI.freePort()
            if !ports.contains(port) { ports.append(port) }
        }
        return Choice(master: ports[0], marathon: ports[1], kube: ports[2], dns: ports[3])
    }
}

struct CLIMissing: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path) is missing: ./install.sh --test builds the binary and sets up .venv" }
}

/// The pid (in this pid namespace) of the one process whose command line has `marker` as an argument: how a test finds
/// a task it started with a unique argument (`sleep 300.<random>`), whichever executor ran it. Waits up to 5 s.
func processWithArgument(_ marker: String) -> Int32? {
    for _ in 0..<200 {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            if data.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == marker }) {
                return pid
            }
        }
        usleep(25_000)
    }
    return nil
}

/// Why the container executor cannot run here (not root), printed as the skip reason; in CI (root) that is an issue.
func containerExecutorUnavailable() -> String? {
    guard getuid() != 0 else { return nil }
    if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("CI must run as root") }
    print("skipped: containers need root (namespaces, cgroups, seccomp)")
    return "not root"
}

/// A unique `sleep` argument: 300 seconds and a random fraction.
func uniqueSleep() -> String { "300.\(UInt32.random(in: 100_000...999_999))" }

func processAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(close, offsetBy: 2)] != "Z"
}
