import ArgumentParser
import BoxAgent
import BoxCore
import BoxDiscovery
import BoxServer
import Foundation
import Logging

/// `clusterbox up`: boots the cluster daemon (in the background unless `--foreground`), shows each component as
/// it comes up, and returns once every agent is registered.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a cluster: master, agents and the batch framework.")

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Process agents: each task a real child process.")
    var agents = 3

    @Option(name: .long, help: "Simulated agents, in process, for scale and teaching.")
    var simulated = 0

    @Option(name: .long, help: "Port of the master's API, dashboard and metrics.")
    var masterPort = 5050

    @Option(name: .long, help: "Port of Marathon's /v2 API.")
    var marathonPort = 8080

    @Option(name: .long, help: "Port of the Kubernetes API (HTTPS, bearer token).")
    var kubePort = 6443

    @Option(
        name: .long,
        help: """
            How process agents run tasks: container (own cgroup, namespaces, seccomp; needs root), process (a \
            process group), or auto: container where the host allows it, else process.
            """)
    var executor = "auto"

    @Option(name: .long, help: "Loopback address of the cluster DNS server (its own, so tasks can name it).")
    var dnsAddress = "127.96.0.10"

    @Option(name: .long, help: "DNS port, UDP and TCP (default 53 as root, 1053 otherwise; 0: any free port).")
    var dnsPort: Int?

    @Flag(
        name: .long, inversion: .prefixedNo, help: "Forward names outside the cluster's zones to the host's resolvers.")
    var dnsForward = true

    @Option(name: .long, help: "Virtual IPs of Marathon services (VIP_0 labels): a /8, /16 or /24 inside 127.0.0.0/8.")
    var vipRange = "127.96.0.0/16"

    @Option(name: .long, help: "Cluster IPs of Kubernetes Services: a /8, /16 or /24 inside 127.0.0.0/8.")
    var serviceRange = "127.97.0.0/16"

    @Option(name: .long, help: "First task port: process agent N offers ports first+N×ports-per-agent onwards.")
    var firstTaskPort = 31000

    @Option(name: .long, help: "Task ports each process agent offers (three agents of 500 stay below 32768).")
    var portsPerAgent = 500

    @Option(name: .long, help: "Resources of each process agent (Mesos form: cpus:2;mem:2048;disk:8192).")
    var agentResources = "cpus:2;mem:2048;disk:8192"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds an agent may miss heartbeats before the master marks it unreachable (default 15).",
            discussion: """
                Agents heartbeat three times per timeout, and Kubernetes Nodes go NotReady within about twice \
                it (the node monitor grace period follows, 4 to 40 s). An unreachable agent is removed 60 s later.
                """, valueName: "seconds"))
    var agentTimeout: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds a Kubernetes Node stays NotReady before its pods are evicted and replaced elsewhere (default 30).",
            valueName: "seconds"))
    var podEvictionTimeout: Double?

    @Option(name: .long, help: "Probability that a simulated task crashes.")
    var simulatedFailureRate = 0.0

    @Option(name: .long, help: "Log level of the daemon: trace, debug, info, notice, warning, error.")
    var logLevel = "notice"

    @Flag(name: .long, help: "Run in this terminal instead of in the background.")
    var foreground = false

    @Option(name: .long, help: "Seconds to wait for the cluster to become ready.")
    var timeout = 30.0

    func validate() throws {
        guard agents >= 0, simulated >= 0, agents + simulated > 0 else {
            throw ValidationError("a cluster needs at least one agent (--agents or --simulated)")
        }
        guard (1...65535).contains(masterPort) else { throw ValidationError("--master-port must be 1 to 65535") }
        guard (1...65535).contains(marathonPort), marathonPort != masterPort else {
            throw ValidationError("--marathon-port must be 1 to 65535 and differ from --master-port")
        }
        guard (1...65535).contains(kubePort), kubePort != masterPort, kubePort != marathonPort else {
            throw ValidationError("--kube-port must be 1 to 65535 and differ from --master-port and --marathon-port")
        }
        guard (1024...65535).contains(firstTaskPort), (1...10_000).contains(portsPerAgent),
            firstTaskPort + agents * portsPerAgent <= 65536
        else {
            throw ValidationError(
                "--first-task-port and --ports-per-agent must keep every agent's ports within 1024-65535")
        }
        guard ExecutorChoice(rawValue: executor) != nil else {
            throw ValidationError("--executor must be process, container or auto, not \(executor)")
        }
        if let dnsPort, !(0...65535).contains(dnsPort) { throw ValidationError("--dns-port must be 0 to 65535") }
        guard let dns = IPv4Octets(dnsAddress), dns.bytes[0] == 127 else {
            throw ValidationError("--dns-address must be an IPv4 loopback address (127.x.y.z), not \(dnsAddress)")
        }
        guard VirtualIPPool(cidr: vipRange) != nil else {
            throw ValidationError("--vip-range must be 127.x.0.0/16, 127.x.y.0/24 or 127.0.0.0/8, not \(vipRange)")
        }
        guard VirtualIPPool(cidr: serviceRange) != nil else {
            throw ValidationError(
                "--service-range must be 127.x.0.0/16, 127.x.y.0/24 or 127.0.0.0/8, not \(serviceRange)")
        }
        if let agentTimeout, !(agentTimeout.isFinite && (1...3600).contains(agentTimeout)) {
            throw ValidationError("--agent-timeout must be a number of seconds from 1 to 3600, not \(agentTimeout)")
        }
        if let podEvictionTimeout, !(podEvictionTimeout.isFinite && (0...86400).contains(podEvictionTimeout)) {
            throw ValidationError(
                "--pod-eviction-timeout must be a number of seconds from 0 to 86400, not \(podEvictionTimeout)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        do { _ = try Resources(parsing: agentResources) } catch {
            throw ValidationError("--agent-resources: \(error)")
        }
    }

    func run() async throws {
        let directory = cluster.directory
        if let (info, _) = cluster.running() {
            print("clusterbox is already running (pid \(info.pid), master \(info.masterURL), data \(directory))")
            return
        }
        if foreground {
            try await runForeground(directory)
        } else {
            try startDaemon(directory)
        }
    }

    // MARK: - Foreground: this process is the cluster

    private func runForeground(_ directory: String) async throws {
        var config = ClusterConfig(dataDirectory: directory)
        config.masterPort = masterPort
        config.marathonPort = marathonPort
        config.kubePort = kubePort
        config.processAgents = agents
        config.simulatedAgents = simulated
        config.simulatedFailureRate = simulatedFailureRate
        config.executor = ExecutorChoice(rawValue: executor) ?? .auto
        config.firstPort = UInt16(firstTaskPort)
        config.portsPerAgent = UInt16(portsPerAgent)
        config.dnsHost = dnsAddress
        if let dnsPort { config.dnsPort = dnsPort }
        config.dnsForward = dnsForward
        config.virtualIPRange = vipRange
        config.serviceIPRange = serviceRange
        config.agentTimeout = agentTimeout.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        config.podEvictionTimeout = podEvictionTimeout.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        let resources = try Resources(parsing: agentResources)
        config.processAgentResources = resources
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        // Tasks a previous daemon left running when it was killed (kill -9, a crash) are ours to stop.
        let leftovers = ProcessExecutor.killLeftovers(sandboxRoot: config.sandboxRoot)
        if leftovers > 0 { print("• cleanup    killed \(leftovers) tasks left by a previous run") }
        var logger = Logger(label: "clusterbox")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        let box: Cluster
        let steps = StepTimer()
        do {
            box = try Cluster(config: config, logger: logger) { line in
                print("• \(steps.annotate(line))")  // each start-up step with what it took
                fflush(nil)
            }
        } catch {
            throw CLIError("\(error)")
        }
        try await box.run()
        try? FileManager.default.removeItem(atPath: directory + "/" + ClusterInfo.fileName)
    }

    // MARK: - Background: start a daemon and follow its progress

    private func startDaemon(_ directory: String) throws {
        do {
            try Cluster.checkPortFree("127.0.0.1", masterPort)
            try Cluster.checkPortFree("127.0.0.1", marathonPort)
            try Cluster.checkPortFree("127.0.0.1", kubePort)
        } catch {
            throw CLIError("\(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot use data directory \(directory): \((error as NSError).localizedDescription)")
        }
        let logPath = directory + "/clusterbox.log"
        guard FileManager.default.createFile(atPath: logPath, contents: Data()) else {
            throw CLIError("cannot use data directory \(directory): it is not writable")
        }
        try? FileManager.default.removeItem(atPath: directory + "/" + ClusterInfo.fileName)
        let arguments =
            [
                "up", "--foreground", "--data-dir", directory, "--agents", "\(agents)", "--simulated", "\(simulated)",
                "--master-port", "\(masterPort)", "--marathon-port", "\(marathonPort)", "--kube-port", "\(kubePort)",
                "--agent-resources",
                agentResources,
                "--simulated-failure-rate", "\(simulatedFailureRate)", "--log-level", logLevel,
                "--executor", executor, "--first-task-port", "\(firstTaskPort)", "--ports-per-agent",
                "\(portsPerAgent)",
                "--dns-address", dnsAddress, "--vip-range", vipRange, "--service-range", serviceRange,
                dnsForward ? "--dns-forward" : "--no-dns-forward",
            ] + (dnsPort.map { ["--dns-port", "\($0)"] } ?? [])
            + (agentTimeout.map { ["--agent-timeout", "\($0)"] } ?? [])
            + (podEvictionTimeout.map { ["--pod-eviction-timeout", "\($0)"] } ?? [])
        print("Starting clusterbox in \(directory)")
        let started = Date()
        let pid = try Daemon.spawn(executable: Daemon.selfPath(), arguments: arguments, log: logPath)
        try follow(logPath, pid: pid, started: started)
        try printSummary(directory, elapsed: Date().timeIntervalSince(started))
    }

    /// Echoes the daemon's progress lines until it says ready, or fails if it exits or times out first.
    private func follow(_ logPath: String, pid: pid_t, started: Date) throws {
        var shown = 0
        while Date().timeIntervalSince(started) < timeout {
            let lines =
                (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(
                    separator: "\n", omittingEmptySubsequences: false) ?? []
            let complete = lines.dropLast()  // the last piece may be a line still being written
            for line in complete.dropFirst(shown) where line.hasPrefix("• ") {
                print("  " + line.dropFirst(2))
                if line.hasPrefix("• ready") { return }
            }
            shown = complete.count
            if !processExists(pid) {
                let tail = lines.suffix(15).joined(separator: "\n")
                throw CLIError("the cluster daemon exited during start-up:\n\(tail)")
            }
            usleep(20_000)
        }
        // Do not leave a half-started daemon behind: it was ours, stop it by its pid.
        kill(pid, SIGTERM)
        for _ in 0..<100 where processExists(pid) { usleep(50_000) }
        if processExists(pid) { kill(pid, SIGKILL) }
        throw CLIError("the cluster did not become ready within \(Int(timeout)) s (stopped it); see \(logPath)")
    }

    private func printSummary(_ directory: String, elapsed: TimeInterval) throws {
        let (info, client) = try cluster.connect()
        let state = try client.json(MesosState.self, "/master/state")
        print("")
        print("clusterbox is up in \(String(format: "%.2f", elapsed)) s (pid \(info.pid)).")
        print("  dashboard  \(info.masterURL)/   (live, in the browser)")
        print("  master     \(info.masterURL)   (/master/state, /metrics, /clusterbox/v1/events)")
        if let port = info.marathonPort { print("  marathon   http://\(info.host):\(port)   (/v2/apps, /v2/events)") }
        if let address = info.dnsAddress, let port = info.dnsPort {
            print(
                "  dns        \(address) port \(port)   (dig @\(address)\(port == 53 ? "" : " -p \(port)") leader.mesos)"
            )
        }
        if let range = info.virtualIPRange { print("  vips       \(range)   (clusterbox services)") }
        if let port = info.kubePort {
            print("  kubernetes https://\(info.host):\(port)   (kubectl, the kubernetes Python client)")
            do {
                let written = try Kubeconfig.merge(Kubeconfig.entry(directory: directory, info: info))
                print(
                    "  kubeconfig \(written.path): context \"clusterbox\" \(written.wasCurrent ? "is" : "is now") the current context"
                )
            } catch {
                print("  kubeconfig not written: \(error)")
            }
        }
        print("  data       \(directory)")
        print("  agents     \(state.slaves.count):")
        for agent in state.slaves {
            print("             \(agent.hostname)  \(agent.clusterbox_kind)  \(agent.resources.summary)")
        }
        print("")
        print("Try next:")
        print("  clusterbox tour                       guided lessons on this cluster (clusterbox tour --list)")
        print("  clusterbox run -- echo hello          run a command on an agent and read its output")
        print("  clusterbox run --image busybox -- id  the same in an image (clusterbox image ls lists them)")
        print("  clusterbox app deploy -f app.json     run a Marathon app (see examples/marathon)")
        print("  clusterbox top                        what each task uses, live")
        print("  clusterbox agents                     agents and their resources")
        print("  clusterbox agent stop agent-2         lose an agent, watch its work move (agent start brings it back)")
        print("  clusterbox shares                     DRF dominant shares per framework")
        print("  clusterbox offers --watch             watch resource offers flow")
        print("  clusterbox services                   DNS names, virtual IPs and load-balancer counters")
        if info.kubePort != nil {
            print("  kubectl get ns                        the Kubernetes API (or: clusterbox kubectl -- get ns)")
        }
        print("  curl -s \(info.masterURL)/master/state")
        print("  clusterbox down                       stop the cluster and every task")
    }
}

/// Starting the daemon detached from the terminal.
enum Daemon {
    static func selfPath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func spawn(executable: String, arguments: [String], log: String) throws -> pid_t {
        do {
            return try DetachedProcess.spawn(executable: executable, arguments: arguments, log: log)
        } catch {
            throw CLIError("cannot start the daemon: \(error)")
        }
    }
}
