import BoxCore
import BoxMaster
import Foundation

/// Reports each component as it comes up and, once both APIs listen and every agent and both frameworks are
/// registered, writes `cluster.json` in the data directory (how the CLI finds the cluster) and says "ready".
actor ReadinessWatcher {
    private let cluster: Cluster
    private var serverUp = false
    private var agentsUp = 0
    private var batchUp = false
    private var marathonUp = false
    private var marathonAPIUp = false
    private var announced = false
    private let started = SystemClock().now
    /// Subscribed when the watcher is made, before any component starts, so no early event is missed.
    private let events: AsyncStream<ClusterEvent>
    private let subscription: Int

    init(cluster: Cluster) {
        self.cluster = cluster
        (subscription, events) = cluster.master.events.subscribeWithID()
    }

    func serverRunning() {
        serverUp = true
        cluster.progress("api        listening on \(cluster.config.masterURL)")
        check()
    }

    func marathonRunning() {
        marathonAPIUp = true
        cluster.progress("marathon   listening on \(cluster.config.marathonURL)")
        check()
    }

    func run() async {
        await followUntilReady()
        // Keep running until shutdown: a Runner that returns early would stop the group.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Prints agents and frameworks as they join, until `check` ends the subscription.
    private func followUntilReady() async {
        for await event in events {
            switch event.kind {
            case .agentAdded:
                agentsUp += 1
                cluster.progress("agent      \(event.message)")
            case .frameworkAdded:
                batchUp = batchUp || event.message.hasPrefix("batch")
                marathonUp = marathonUp || event.message.hasPrefix("marathon")
                cluster.progress("framework  \(event.message)")
            default:
                continue
            }
            check()
        }
    }

    private func check() {
        guard !announced, serverUp, batchUp, marathonUp, marathonAPIUp, agentsUp >= cluster.agents.count else {
            return
        }
        announced = true
        cluster.master.events.finish(subscription)  // stop listening: no idle listener buffering events
        let info = ClusterInfo(
            pid: getpid(), masterURL: cluster.config.masterURL, host: cluster.config.host,
            masterPort: cluster.config.masterPort, marathonPort: cluster.config.marathonPort,
            kubePort: cluster.config.kubePort,
            agents: cluster.agents.count, startedAt: started.secondsSinceEpoch, dnsAddress: cluster.config.dnsHost,
            dnsPort: cluster.discovery.dnsPort, virtualIPRange: cluster.config.virtualIPRange)
        do {
            try info.write(to: cluster.config.dataDirectory)
        } catch {
            cluster.progress("error      cannot write cluster.json: \(error)")
        }
        let elapsed = SystemClock().now - started
        cluster.progress("ready      in \(String(format: "%.0f", elapsed.seconds * 1000)) ms")
        cluster.notifyReady()
    }
}

/// What `cluster.json` holds: enough for the CLI to find and stop a running cluster.
public struct ClusterInfo: Codable, Sendable {
    public var pid: Int32
    public var masterURL: String
    public var host: String
    public var masterPort: Int
    public var marathonPort: Int?
    /// The Kubernetes API's HTTPS port (absent in files written before it existed).
    public var kubePort: Int?
    public var agents: Int
    public var startedAt: Double
    public var dnsAddress: String?
    public var dnsPort: Int?
    public var virtualIPRange: String?

    public static let fileName = "cluster.json"

    func write(to directory: String) throws {
        let data = try JSONEncoder().encode(self)
        let path = directory + "/" + Self.fileName
        try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
    }

    public static func read(from directory: String) -> ClusterInfo? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(ClusterInfo.self, from: data)
    }
}
