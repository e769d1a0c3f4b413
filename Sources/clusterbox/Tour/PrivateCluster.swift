import BoxServer
import Foundation

/// A small cluster a lesson boots for itself (`clusterbox up` in a temporary data directory, on free ports and a
/// loopback range of its own), when the user's cluster does not have the shape the lesson needs. It is stopped
/// with `clusterbox down` and its directory removed.
struct PrivateCluster {
    let directory: String
    let info: ClusterInfo
    let master: HTTPClient

    /// Boots it with `extra` arguments for `up` (agents and their resources); waits until it is ready.
    static func start(_ extra: [String]) throws -> PrivateCluster {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "clusterbox-tour-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var ports: [Int] = []
        while ports.count < 3 {
            let port = try freePort()
            if !ports.contains(port) { ports.append(port) }
        }
        // 127.95.x: away from the defaults (127.96/127.97) and the tests' 127.100-199 ranges. Nothing in the
        // private cluster asks for a virtual IP, and its DNS takes any free port.
        let arguments =
            [
                "up", "--data-dir", directory, "--master-port", "\(ports[0])", "--marathon-port", "\(ports[1])",
                "--kube-port", "\(ports[2])", "--dns-address", "127.95.0.10", "--dns-port", "0",
                "--vip-range", "127.95.1.0/24", "--service-range", "127.95.2.0/24", "--no-dns-forward",
            ] + extra
        let (status, output) = try runSelf(arguments, kubeconfig: directory + "/kubeconfig")
        guard status == 0, let info = ClusterInfo.read(from: directory) else {
            try? FileManager.default.removeItem(atPath: directory)
            throw CLIError("could not start the lesson's own cluster: \(output)")
        }
        return PrivateCluster(
            directory: directory, info: info, master: HTTPClient(host: info.host, port: info.masterPort))
    }

    /// `clusterbox down` and the directory removed.
    func stop() throws {
        let (status, output) = try Self.runSelf(
            ["down", "--data-dir", directory], kubeconfig: directory + "/kubeconfig")
        try? FileManager.default.removeItem(atPath: directory)
        if status != 0 { throw CLIError("clusterbox down: \(output)") }
    }

    /// Runs this binary with `arguments`, its output captured; `KUBECONFIG` points into the private directory so
    /// that the user's kubeconfig is left alone.
    private static func runSelf(_ arguments: [String], kubeconfig: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Daemon.selfPath())
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["CLUSTERBOX_DATA_DIR"] = nil
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tour-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: output)
        }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A TCP port nobody listens on now, from the kernel.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw CLIError("bind: \(String(cString: strerror(errno)))") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
