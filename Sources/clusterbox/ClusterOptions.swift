import ArgumentParser
import BoxServer
import Foundation

/// Where the cluster lives: `--data-dir`, else `CLUSTERBOX_DATA_DIR`, else `~/.clusterbox`.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "The cluster's data directory (default: $CLUSTERBOX_DATA_DIR or ~/.clusterbox).")
    var dataDir: String?

    var directory: String {
        if let dataDir { return Self.absolute(dataDir) }
        if let env = ProcessInfo.processInfo.environment["CLUSTERBOX_DATA_DIR"], !env.isEmpty {
            return Self.absolute(env)
        }
        return NSHomeDirectory() + "/.clusterbox"
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    /// The running cluster, or nil when none answers.
    func running() -> (ClusterInfo, HTTPClient)? {
        guard let info = ClusterInfo.read(from: directory), processExists(info.pid) else { return nil }
        let client = HTTPClient(host: info.host, port: info.masterPort, timeoutSeconds: 5)
        guard let health = try? client.get("/health"), health.status == 200 else { return nil }
        return (info, HTTPClient(host: info.host, port: info.masterPort))
    }

    /// The running cluster, or a clear error saying none is running.
    func connect() throws -> (ClusterInfo, HTTPClient) {
        guard let found = running() else {
            throw CLIError("no cluster is running (data directory \(directory)); start one with: clusterbox up")
        }
        return found
    }
}

extension ClusterInfo {
    /// Marathon's `/v2` API of this cluster.
    var marathon: HTTPClient { HTTPClient(host: host, port: marathonPort ?? 8080) }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// True while `pid` exists and is not a zombie.
func processExists(_ pid: Int32) -> Bool {
    guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return true }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
}

extension HTTPClient {
    /// GETs JSON, turning an error status into a CLIError with the server's message.
    func json<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        let response = try get(path)
        guard response.status == 200 else { throw CLIError(response.errorMessage) }
        return try response.decode(type)
    }
}
