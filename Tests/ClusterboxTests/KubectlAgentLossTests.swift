import BoxTestSupport
import Foundation
import Testing

/// Losing an agent, watched with the real kubectl (issue 5, self-healing): three process agents with short
/// timeouts (`--agent-timeout 2 --pod-eviction-timeout 3`), a Deployment of 5 `sleep` pods spread over them. The
/// agent with the most pods is stopped with `clusterbox agent stop`: its processes are gone at once; the master
/// marks it unreachable after about 2 s of missed heartbeats (not told directly); its Node goes NotReady within
/// the node grace period (4 s, twice the agent timeout) and its pods are evicted 3 s later and replaced on the two
/// other nodes, so that 5 replicas run again, none on the stopped node. Started again, the agent registers and
/// its Node is Ready again. Every wait polls for up to 60 s (CI is loaded); the whole story takes about 15 s.
@Suite(.serialized) struct KubectlAgentLossTests {
    static func kubectl(_ cli: CLI, _ arguments: [String]) throws -> ChildProcess {
        try KubectlTests.kubectl(cli, arguments)
    }

    static func eventually(
        _ cli: CLI, _ arguments: [String], seconds: Double = 60, _ condition: (String) -> Bool
    ) throws -> String {
        try KubectlWorkloadTests.eventually(cli, arguments, seconds: seconds, condition)
    }

    /// `NAME NODE PHASE` per pod of the deployment.
    static let placement = [
        "get", "pods", "-l", "app=lost", "-o",
        #"jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase}{"\n"}{end}"#,
    ]

    struct Placed: Equatable {
        var pod: String
        var node: String
        var phase: String
    }

    static func parse(_ text: String) -> [Placed] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            return words.count == 3 ? Placed(pod: words[0], node: words[1], phase: words[2]) : nil
        }
    }

    /// The STATUS column of each node in `kubectl get nodes`.
    static func nodeStates(_ table: String) -> [String: String] {
        var states: [String: String] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words.count >= 2 { states[words[0]] = words[1] }
        }
        return states
    }

    @Test func losingAnAgentMovesItsPods() async throws { try await onOwnThread { try Self.losingAnAgent() } }

    static func losingAnAgent() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "3", "--agent-timeout", "2", "--pod-eviction-timeout", "3"])
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        _ = try eventually(cli, ["get", "nodes"]) { nodeStates($0).values.filter { $0 == "Ready" }.count == 3 }

        let marker = uniqueSleep()
        let created = try kubectl(
            cli, ["create", "deployment", "lost", "--image=host", "--replicas=5", "--", "sleep", marker])
        #expect(created.stdout.contains("deployment.apps/lost created"), "\(created.stdout) \(created.stderr)")
        let before = parse(
            try eventually(cli, placement) { text in
                let pods = parse(text)
                return pods.count == 5 && pods.allSatisfy { $0.phase == "Running" && !$0.node.isEmpty }
            })
        try #require(before.count == 5, "\(before)")
        let counts = Dictionary(grouping: before, by: \.node).mapValues(\.count)
        let victim = try #require(counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.first?.key)
        let victimPods = Set(before.filter { $0.node == victim }.map(\.pod))
        print("pods per node before: \(counts.sorted { $0.key < $1.key }); stopping \(victim)")

        // The pods' processes, by the agent that runs them (its id in their environment, its name in the state).
        let agentNames = try agentNamesByID(cli)
        let processes = markerProcesses(marker)
        #expect(processes.count == 5, "\(processes)")
        let onVictim = processes.filter { agentNames[$0.agentID] == victim }.map { $0.pid }
        let elsewhere = processes.filter { agentNames[$0.agentID] != victim }.map { $0.pid }
        #expect(onVictim.count == victimPods.count, "\(processes) \(agentNames)")

        let started = Date()
        let stop = try cli.run(["agent", "stop", victim])
        #expect(stop.status == 0, "\(stop.stdout) \(stop.stderr)")
        #expect(stop.stdout.contains("\(victim) stopped"), "\(stop.stdout)")
        // `agent stop` returns once the agent's tasks are gone; the other agents' tasks run on.
        #expect(onVictim.allSatisfy { !processAlive($0) }, "still alive on \(victim): \(onVictim.filter(processAlive))")
        #expect(elsewhere.allSatisfy(processAlive), "killed elsewhere: \(elsewhere.filter { !processAlive($0) })")
        let listed = try cli.run(["agents"])
        #expect(listed.stdout.contains("(stopped)"), "\(listed.stdout)")

        // Bad requests: stopping it again, an unknown agent.
        let again = try cli.run(["agent", "stop", victim])
        #expect(again.status != 0 && again.stderr.contains("agent \(victim) is already stopped"), "\(again.stderr)")
        let unknown = try cli.run(["agent", "stop", "agent-9"])
        #expect(
            unknown.status != 0 && unknown.stderr.contains("no agent named 'agent-9'")
                && unknown.stderr.contains("agent-1, agent-2, agent-3"), "\(unknown.stderr)")
        let http = try cli.curl([
            "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", cli.url + "/clusterbox/v1/agents/nope/start",
        ])
        #expect(http.stdout == "404", "\(http.stdout)")

        // The master finds out by itself, and so does Kubernetes.
        _ = try eventually(cli, ["get", "nodes"]) { nodeStates($0)[victim] == "NotReady" }
        let notReady = Date().timeIntervalSince(started)
        let unreachable = try cli.run(["agents"])
        #expect(unreachable.stdout.contains("unreachable (stopped)"), "\(unreachable.stdout)")
        let healed = parse(
            try eventually(cli, placement) { text in
                let pods = parse(text)
                return pods.count == 5 && pods.allSatisfy { $0.phase == "Running" && $0.node != victim }
                    && victimPods.isDisjoint(with: pods.map(\.pod))
            })
        let replaced = Date().timeIntervalSince(started)
        #expect(healed.allSatisfy { $0.node != victim && !$0.node.isEmpty }, "\(healed)")
        let available = try eventually(
            cli, ["get", "deployment", "lost", "-o", "jsonpath={.status.availableReplicas}"]
        ) { $0 == "5" }
        #expect(available == "5")
        let wide = try kubectl(cli, ["get", "pods", "-l", "app=lost", "-o", "wide"])
        #expect(!wide.stdout.contains(" \(victim) "), "\(wide.stdout)")
        let events = try kubectl(cli, ["get", "events"])
        #expect(events.stdout.contains("TaintManagerEviction"), "\(events.stdout) \(events.stderr)")
        #expect(events.stdout.contains("NodeNotReady"), "\(events.stdout)")
        #expect(markerProcesses(marker).count == 5, "\(markerProcesses(marker))")
        print(
            "\(victim) NotReady after \(Int(notReady)) s; its \(victimPods.count) pods replaced after \(Int(replaced)) s"
        )

        // Back again: it registers, its Node is Ready again.
        let start = try cli.run(["agent", "start", victim])
        #expect(start.status == 0 && start.stdout.contains("\(victim) started"), "\(start.stdout) \(start.stderr)")
        let twice = try cli.run(["agent", "start", victim])
        #expect(twice.status != 0 && twice.stderr.contains("already running"), "\(twice.stderr)")
        _ = try eventually(cli, ["get", "nodes"]) { nodeStates($0).values.filter { $0 == "Ready" }.count == 3 }
        let back = try cli.run(["agents"])
        #expect(!back.stdout.contains("stopped") && !back.stdout.contains("unreachable"), "\(back.stdout)")
    }

    /// `down` still stops a cluster one of whose agents is stopped: every other task ends, the daemon exits.
    @Test func downWithAStoppedAgent() async throws { try await onOwnThread { try Self.downWithAStoppedAgent() } }

    static func downWithAStoppedAgent() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try #require(try cli.up(["--agents", "2"]).status == 0)
        let marker = uniqueSleep()
        _ = try kubectl(cli, ["create", "deployment", "pair", "--image=host", "--replicas=2", "--", "sleep", marker])
        _ = try eventually(cli, placement.map { $0 == "app=lost" ? "app=pair" : $0 }) { text in
            let pods = parse(text)
            return pods.count == 2 && pods.allSatisfy { $0.phase == "Running" }
        }
        let pids = markerProcesses(marker).map { $0.pid }
        #expect(pids.count == 2, "\(pids)")
        let stop = try cli.run(["agent", "stop", "agent-1"])
        #expect(stop.status == 0, "\(stop.stderr)")
        let info =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: cli.dataDirectory + "/cluster.json"))) as? [String: Any]
        let daemon = try #require(info?["pid"] as? Int)
        let down = try cli.run(["down"])
        #expect(down.status == 0 && down.stdout.contains("stopped"), "\(down.stdout) \(down.stderr)")
        #expect(!processAlive(Int32(daemon)), "the daemon outlived down")
        #expect(pids.allSatisfy { !processAlive($0) }, "tasks outlived down: \(pids.filter(processAlive))")
    }

    /// Options that cannot work are refused before anything starts.
    @Test func badTimeoutsAreRefused() async throws {
        try await onOwnThread { () throws in
            let cli = try CLI()
            defer { cli.cleanUp() }
            for (arguments, expected) in [
                (["--agent-timeout", "0.5"], "--agent-timeout must be a number of seconds from 1 to 3600"),
                (["--agent-timeout", "nan"], "--agent-timeout must be a number of seconds from 1 to 3600"),
                (["--pod-eviction-timeout", "100000"], "--pod-eviction-timeout must be a number of seconds from 0"),
                (["--pod-eviction-timeout", "soon"], "--pod-eviction-timeout"),
            ] {
                let up = try cli.run(["up"] + arguments)
                #expect(up.status != 0 && up.stderr.contains(expected), "\(arguments): \(up.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: cli.dataDirectory + "/state.sqlite"))
            let stop = try cli.run(["agent", "stop", "agent-1"])
            #expect(stop.status != 0 && stop.stderr.contains("no cluster is running"), "\(stop.stderr)")
        }
    }

    // MARK: - Helpers

    /// Agent id → hostname, from `/master/state`.
    static func agentNamesByID(_ cli: CLI) throws -> [String: String] {
        let body = try cli.curl([cli.url + "/master/state"]).stdout
        let state = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        var names: [String: String] = [:]
        for agent in state?["slaves"] as? [[String: Any]] ?? [] {
            if let id = agent["id"] as? String, let hostname = agent["hostname"] as? String { names[id] = hostname }
        }
        return names
    }

    /// Live processes with `marker` as an argument, with the agent id from their environment (`MESOS_AGENT_ID`).
    static func markerProcesses(_ marker: String) -> [(pid: Int32, agentID: String)] {
        var found: [(pid: Int32, agentID: String)] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let arguments = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                arguments.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == marker }),
                processAlive(pid)
            else { continue }
            let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") ?? Data()
            let agent = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                .first { $0.hasPrefix("MESOS_AGENT_ID=") }?.dropFirst("MESOS_AGENT_ID=".count)
            found.append((pid, agent.map(String.init) ?? "?"))
        }
        return found.sorted { $0.pid < $1.pid }
    }
}
