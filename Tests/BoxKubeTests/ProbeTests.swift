import BoxCore
import Foundation
import Testing

@testable import BoxKube

/// Probe specs, the prober's state machine, and probes of real processes on a process agent.
@Suite(.timeLimit(.minutes(4))) struct ProbeTests {
    static let start = Instant(nanosecondsSinceEpoch: 1_000_000_000_000)

    @Test func specsParseWithKubernetesDefaults() throws {
        let container: JSONValue = [
            "name": "main",
            "readinessProbe": ["httpGet": ["port": "web", "path": "healthz"], "periodSeconds": 2],
            "livenessProbe": ["tcpSocket": ["port": 8080], "failureThreshold": 5, "successThreshold": 4],
            "startupProbe": ["exec": ["command": ["true"]], "initialDelaySeconds": 3],
        ]
        let readiness = try #require(PodProbe.parse(container, kind: .readiness))
        #expect(
            readiness.action
                == .http(host: nil, port: .name("web"), path: "/healthz", scheme: "HTTP", headers: [:]))
        #expect(readiness.period == .seconds(2))
        #expect(readiness.timeout == .seconds(1))
        #expect(readiness.failureThreshold == 3)
        let liveness = try #require(PodProbe.parse(container, kind: .liveness))
        #expect(liveness.action == .tcp(host: nil, port: .number(8080)))
        #expect(liveness.failureThreshold == 5)
        #expect(liveness.successThreshold == 1)  // liveness probes always succeed at once
        #expect(liveness.period == .seconds(10))
        let startup = try #require(PodProbe.parse(container, kind: .startup))
        #expect(startup.action == .exec(command: ["true"]))
        #expect(startup.initialDelay == .seconds(3))
        #expect(PodProbe.parse(["name": "plain"], kind: .readiness) == nil)
        #expect(PodProbe.parse(["readinessProbe": ["periodSeconds": 1]], kind: .readiness)?.action != nil)
        if case .invalid = PodProbe.parse(["readinessProbe": ["periodSeconds": 1]], kind: .readiness)?.action {
        } else {
            Issue.record("a probe without a handler is invalid")
        }
    }

    @Test func portsMapToHostPorts() throws {
        let ports: [(name: String?, containerPort: Int, host: UInt16)] = [("web", 8080, 33001), (nil, 9090, 33002)]
        #expect(try PodProbe.hostPort(.name("web"), container: ports, pod: ports).get() == 33001)
        #expect(try PodProbe.hostPort(.number(9090), container: [], pod: ports).get() == 33002)
        #expect(try PodProbe.hostPort(.number(7000), container: ports, pod: ports).get() == 7000)
        #expect(throws: ProbeFailure.self) { try PodProbe.hostPort(.name("db"), container: ports, pod: ports).get() }
    }

    func probe(_ kind: PodProbe.Kind, delay: Int = 0, success: Int = 1, failure: Int = 3) -> PodProbe {
        var probe = PodProbe(kind: kind, action: .tcp(host: nil, port: .number(1)))
        probe.initialDelay = .seconds(delay)
        probe.period = .seconds(1)
        probe.successThreshold = success
        probe.failureThreshold = failure
        return probe
    }

    @Test func readinessNeedsAFirstSuccessAndFailsAfterTheThreshold() {
        var probes = ContainerProbes(
            taskID: "t", probes: [probe(.readiness, delay: 2, success: 2, failure: 2)], startedAt: Self.start)
        #expect(!probes.ready)
        #expect(probes.started)
        #expect(probes.due(now: Self.start + .seconds(1)).isEmpty)  // initial delay
        #expect(probes.due(now: Self.start + .seconds(2)).map(\.kind) == [.readiness])
        #expect(probes.due(now: Self.start + .seconds(2)).isEmpty)  // one run at a time
        var now = Self.start + .seconds(2)
        #expect(probes.record(.readiness, success: true, now: now) == .none)
        #expect(!probes.ready)  // success threshold 2
        now = now + .seconds(1)
        #expect(probes.due(now: now).count == 1)
        #expect(probes.record(.readiness, success: true, now: now) == .statusChanged)
        #expect(probes.ready)
        #expect(probes.readyAt == now)
        #expect(probes.record(.readiness, success: false, now: now) == .none)
        #expect(probes.ready)
        #expect(probes.record(.readiness, success: false, now: now) == .statusChanged)
        #expect(!probes.ready)
        #expect(!probes.killed)  // readiness never kills
    }

    @Test func startupGatesLivenessAndReadiness() {
        var probes = ContainerProbes(
            taskID: "t", probes: [probe(.startup, failure: 2), probe(.liveness), probe(.readiness)],
            startedAt: Self.start)
        #expect(!probes.started)
        #expect(probes.due(now: Self.start).map(\.kind) == [.startup])
        #expect(probes.record(.startup, success: false, now: Self.start) == .none)
        #expect(probes.due(now: Self.start + .seconds(1)).map(\.kind) == [.startup])
        #expect(probes.record(.startup, success: true, now: Self.start + .seconds(1)) == .statusChanged)
        #expect(probes.started && !probes.ready)
        let due = probes.due(now: Self.start + .seconds(1)).map(\.kind)
        #expect(due == [.liveness, .readiness])
        #expect(probes.record(.readiness, success: true, now: Self.start + .seconds(1)) == .statusChanged)
        #expect(probes.ready)
    }

    @Test func livenessKillsAfterFailuresInARow() {
        var probes = ContainerProbes(taskID: "t", probes: [probe(.liveness, failure: 3)], startedAt: Self.start)
        #expect(probes.ready)  // no readiness probe: ready when running
        #expect(probes.record(.liveness, success: false, now: Self.start) == .none)
        #expect(probes.record(.liveness, success: true, now: Self.start) == .none)  // resets the count
        #expect(probes.record(.liveness, success: false, now: Self.start) == .none)
        #expect(probes.record(.liveness, success: false, now: Self.start) == .none)
        #expect(probes.record(.liveness, success: false, now: Self.start) == .kill)
        #expect(probes.killed && !probes.ready)
        #expect(probes.due(now: Self.start + .seconds(60)).isEmpty)
        #expect(probes.record(.liveness, success: false, now: Self.start) == .none)
    }

    @Test func checksAgainstRealSockets() async throws {
        // Nothing listens on port 1 of loopback.
        let refused = await ProbeCheck.tcp(host: "127.0.0.1", port: 1).run(timeout: .seconds(1))
        #expect(throws: ProbeFailure.self) { try refused.get() }
        if case .failure(let failure) = refused { #expect(failure.message.contains("connection refused")) }
        let exec = await ProbeCheck.exec(line: "exit 0", environment: [:], directory: "/").run(timeout: .seconds(2))
        #expect(throws: Never.self) { try exec.get() }
        let failing = await ProbeCheck.exec(line: "exit 4", environment: [:], directory: "/").run(timeout: .seconds(2))
        if case .failure(let failure) = failing {
            #expect(failure.message.contains("exited with 4"))
        } else {
            Issue.record("exit 4 must fail")
        }
        let slow = await ProbeCheck.exec(line: "sleep 5", environment: [:], directory: "/").run(timeout: .seconds(1))
        if case .failure(let failure) = slow {
            #expect(failure.message.contains("timed out"))
        } else {
            Issue.record("a command past its timeout must fail")
        }
    }

    /// The pod with `probe` set as its first container's `key` (`readinessProbe`…).
    static func withProbe(_ pod: JSONValue, _ key: String, _ probe: JSONValue) -> JSONValue {
        var pod = pod
        var containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        if !containers.isEmpty { containers[0].set([key], probe) }
        pod.set(["spec", "containers"], .array(containers))
        return pod
    }

    /// A process agent runs three host pods: an HTTP server behind a readiness probe (Ready only once it
    /// answers), a readiness probe on a closed port (never Ready), and an exec liveness probe whose file goes
    /// away (the container is restarted).
    @Test(.timeLimit(.minutes(3))) func probesOfRealProcesses() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 0, process: 1)
        // Stopped before the test returns, pass or fail: the agent kills its tasks (real processes that would
        // otherwise outlive the test and hold their ports).
        do {
            try await exerciseProbes(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    func exerciseProbes(_ cluster: KubeNodesCluster) async throws {
        try await cluster.wait("node") {
            try await cluster.api.list(.node, namespace: nil).items.count == 1 ? true : nil
        }
        let marker = "/tmp/clusterbox-probe-\(UUID().uuidString)"
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: marker) }

        let web0 = KubeNodesCluster.podJSON(
            "web", image: "host",
            command: ["sh", "-c", "sleep 3; exec python3 -m http.server $PORT_WEB --bind 127.0.0.1"],
            ports: [["name": "web", "containerPort": 8080]])
        let web = Self.withProbe(
            web0, "readinessProbe",
            ["httpGet": ["port": "web", "path": "/"], "periodSeconds": 1])
        let closed0 = KubeNodesCluster.podJSON(
            "closed", image: "host", command: ["sleep", "120"], ports: [["containerPort": 7000]])
        let closed = Self.withProbe(closed0, "readinessProbe", ["tcpSocket": ["port": 7000], "periodSeconds": 1])
        let live0 = KubeNodesCluster.podJSON("live", image: "host", command: ["sleep", "120"])
        let live = Self.withProbe(
            live0, "livenessProbe",
            [
                "exec": ["command": ["sh", "-c", .string("test -f \(marker)")]], "periodSeconds": 1,
                "failureThreshold": 2,
            ])
        for pod in [web, closed, live] { try await cluster.api.create(.pod, namespace: "default", pod) }

        // Running (its task started) but not Ready until the server answers, seconds later.
        let running = try await cluster.wait("web running") {
            let pod = await cluster.pod("web")
            return KubeNodesCluster.phase(pod) == "Running" ? pod : nil
        }
        #expect(KubeNodesCluster.condition(running, "Ready")?["status"]?.stringValue == "False")
        #expect(
            running?[path: ["status", "containerStatuses"]]?.arrayValue?.first?["ready"]?.boolValue == false)
        let ready = try await cluster.wait("web Ready", timeout: .seconds(60)) {
            let pod = await cluster.pod("web")
            return KubeNodesCluster.condition(pod, "Ready")?["status"]?.stringValue == "True" ? pod : nil
        }
        #expect(KubeNodesCluster.condition(ready, "ContainersReady")?["status"]?.stringValue == "True")
        #expect(ready?[path: ["status", "containerStatuses"]]?.arrayValue?.first?["ready"]?.boolValue == true)

        // The closed port: failures reported, never Ready.
        try await cluster.wait("closed Unhealthy") {
            let events = try await cluster.api.list(.event, namespace: "default").items
            return events.contains {
                $0[path: ["involvedObject", "name"]]?.stringValue == "closed"
                    && $0["reason"]?.stringValue == "Unhealthy"
                    && $0["message"]?.stringValue?.hasPrefix("Readiness probe failed: dial tcp 127.0.0.1:") == true
            } ? true : nil
        }
        let closedPod = await cluster.pod("closed")
        #expect(KubeNodesCluster.phase(closedPod) == "Running")
        #expect(KubeNodesCluster.condition(closedPod, "Ready")?["status"]?.stringValue == "False")

        // Live while the file exists; restarted once it is gone.
        try await cluster.wait("live Ready") {
            KubeNodesCluster.condition(await cluster.pod("live"), "Ready")?["status"]?.stringValue == "True"
                ? true : nil
        }
        try await Task.sleep(for: .seconds(2))
        #expect(
            (await cluster.pod("live"))?[path: ["status", "containerStatuses"]]?.arrayValue?.first?["restartCount"]?
                .intValue == 0)
        try FileManager.default.removeItem(atPath: marker)
        let restarted = try await cluster.wait("live restarted", timeout: .seconds(40), every: .milliseconds(200)) {
            let status = (await cluster.pod("live"))?[path: ["status", "containerStatuses"]]?.arrayValue?.first
            return (status?["restartCount"]?.intValue ?? 0) >= 1 ? status : nil
        }
        #expect(restarted?["restartCount"]?.intValue == 1)
        let events = try await cluster.api.list(.event, namespace: "default").items.filter {
            $0[path: ["involvedObject", "name"]]?.stringValue == "live"
        }
        #expect(
            events.contains {
                $0["reason"]?.stringValue == "Unhealthy"
                    && $0["message"]?.stringValue?.hasPrefix("Liveness probe failed: command") == true
            })
        #expect(events.contains { $0["reason"]?.stringValue == "Killing" })
    }
}
