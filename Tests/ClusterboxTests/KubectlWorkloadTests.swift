import BoxTestSupport
import Foundation
import Testing

/// The commands Kubernetes tutorials start with, with the real kubectl against a cluster of two process agents:
/// pods are real processes, logs come from their sandboxes, a Service's cluster IP balances real connections.
@Suite(.serialized) struct KubectlWorkloadTests {
    static func kubectl(_ cli: CLI, _ arguments: [String], stdin: String? = nil, timeout: Double = 90) throws
        -> ChildProcess
    {
        try KubectlTests.kubectl(cli, arguments, stdin: stdin, timeout: timeout)
    }

    /// Polls `kubectl ARGS` until its output satisfies `condition` (at most `seconds`).
    static func eventually(
        _ cli: CLI, _ arguments: [String], seconds: Double = 60, _ condition: (String) -> Bool
    ) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            let result = try kubectl(cli, arguments)
            last = result.stdout + result.stderr
            if result.status == 0 && condition(result.stdout) { return result.stdout }
            Thread.sleep(forTimeInterval: 0.3)
        }
        Issue.record("kubectl \(arguments.joined(separator: " ")) never satisfied the condition; last: \(last)")
        return last
    }

    static let manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: {app: web}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: host
                command: ["sh", "-c", "echo serving $HOSTNAME on $PORT_HTTP; exec python3 -m http.server $PORT_HTTP"]
                ports: [{containerPort: 8000, name: http}]
                resources: {requests: {cpu: 100m, memory: 32Mi}}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http}]
        """

    @Test func tutorialCommands() async throws { try await onOwnThread { try Self.tutorialCommands() } }

    static func tutorialCommands() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "2"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")

        let nodes = try eventually(cli, ["get", "nodes"]) { $0.contains("agent-1") && $0.contains("agent-2") }
        #expect(nodes.contains("Ready"), "\(nodes)")

        // create deployment (a protobuf body), rollout status (WatchList), get -o wide.
        let created = try kubectl(
            cli, ["create", "deployment", "hello", "--image=host", "--replicas=2", "--", "sleep", "600"])
        #expect(created.stdout.contains("deployment.apps/hello created"), "\(created.stdout) \(created.stderr)")
        let rolled = try kubectl(cli, ["rollout", "status", "deployment/hello", "--timeout=60s"])
        #expect(rolled.stdout.contains("successfully rolled out"), "\(rolled.stdout) \(rolled.stderr)")
        let wide = try eventually(cli, ["get", "pods", "-l", "app=hello", "-o", "wide"]) {
            $0.components(separatedBy: "Running").count == 3
        }
        #expect(wide.contains("NODE") && wide.contains("agent-"), "\(wide)")

        // apply a Deployment and a Service; the Service's cluster IP balances over both pods.
        let applied = try kubectl(cli, ["apply"], stdin: manifest)
        #expect(applied.stdout.contains("deployment.apps/web created"), "\(applied.stdout) \(applied.stderr)")
        #expect(applied.stdout.contains("service/web created"), "\(applied.stdout)")
        _ = try kubectl(cli, ["rollout", "status", "deployment/web", "--timeout=60s"])
        let endpoints = try eventually(
            cli, ["get", "endpoints", "web", "-o", "jsonpath={.subsets[*].addresses[*].ip}"]
        ) {
            $0.split(separator: " ").count == 2
        }
        #expect(endpoints.contains("127.0.0.1"))
        let clusterIP = try kubectl(cli, ["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]).stdout
        #expect(clusterIP.hasPrefix(cli.serviceRange.components(separatedBy: ".0/")[0]), "\(clusterIP)")
        // The servers start a moment after their tasks (no readiness probe here): wait for a first answer.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let probe = try ChildProcess.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(clusterIP):80/"],
                environment: [:], timeoutSeconds: 5)
            if probe.stdout == "200" { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        var answered = 0
        for _ in 0..<4 {
            let curl = try ChildProcess.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(clusterIP):80/"],
                environment: [:], timeoutSeconds: 10)
            if curl.stdout == "200" { answered += 1 }
        }
        #expect(answered == 4, "\(answered) of 4 requests through \(clusterIP):80 answered")

        // logs from the sandbox, by pod and through the deployment.
        let logs = try eventually(cli, ["logs", "deployment/web"]) { $0.contains("serving web-") }
        #expect(logs.contains("serving web-"), "\(logs)")

        // describe, events, get all.
        let described = try kubectl(cli, ["describe", "deployment", "web"])
        #expect(described.stdout.contains("NewReplicaSet:"), "\(described.stdout) \(described.stderr)")
        #expect(described.stdout.contains("ScalingReplicaSet"), "\(described.stdout)")
        let events = try kubectl(cli, ["get", "events"])
        #expect(events.stdout.contains("Scheduled"), "\(events.stdout) \(events.stderr)")
        let all = try kubectl(cli, ["get", "all"])
        #expect(all.stdout.contains("deployment.apps/web"), "\(all.stdout) \(all.stderr)")
        #expect(all.stdout.contains("service/web"), "\(all.stdout)")

        // scale, label, annotate; a deleted pod is replaced by its ReplicaSet.
        let scaled = try kubectl(cli, ["scale", "deployment", "hello", "--replicas=3"])
        #expect(scaled.stdout.contains("deployment.apps/hello scaled"), "\(scaled.stdout) \(scaled.stderr)")
        let three = try eventually(cli, ["get", "pods", "-l", "app=hello", "-o", "name"]) {
            $0.split(separator: "\n").count == 3
        }
        let victim = String(three.split(separator: "\n")[0])
        _ = try kubectl(cli, ["delete", victim, "--wait=true", "--timeout=60s"])
        let healed = try eventually(cli, ["get", "pods", "-l", "app=hello", "-o", "name"]) {
            let names = $0.split(separator: "\n").map(String.init)
            return names.count == 3 && !names.contains(victim)
        }
        #expect(!healed.contains(victim))
        #expect(try kubectl(cli, ["label", "deployment", "hello", "tier=demo"]).stdout.contains("labeled"))
        #expect(try kubectl(cli, ["annotate", "deployment", "hello", "owner=tests"]).stdout.contains("annotated"))

        // rollout restart, history, undo.
        let restarted = try kubectl(cli, ["rollout", "restart", "deployment/hello"])
        #expect(restarted.stdout.contains("restarted"), "\(restarted.stdout) \(restarted.stderr)")
        let afterRestart = try kubectl(cli, ["rollout", "status", "deployment/hello", "--timeout=90s"])
        #expect(
            afterRestart.stdout.contains("successfully rolled out"), "\(afterRestart.stdout) \(afterRestart.stderr)")
        let history = try kubectl(cli, ["rollout", "history", "deployment/hello"])
        #expect(history.stdout.contains("1 ") && history.stdout.contains("2 "), "\(history.stdout)")
        let undone = try kubectl(cli, ["rollout", "undo", "deployment/hello"])
        #expect(undone.stdout.contains("rolled back"), "\(undone.stdout) \(undone.stderr)")
        let afterUndo = try kubectl(cli, ["rollout", "status", "deployment/hello", "--timeout=90s"])
        #expect(afterUndo.stdout.contains("successfully rolled out"), "\(afterUndo.stdout) \(afterUndo.stderr)")
        let revision = try kubectl(
            cli,
            [
                "get", "deployment", "hello", "-o",
                "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
            ])
        #expect(revision.stdout == "3", "\(revision.stdout) \(revision.stderr)")

        // run: a pod that ends; its status and logs.
        let ran = try kubectl(
            cli, ["run", "once", "--image=host", "--restart=Never", "--", "sh", "-c", "echo bye; exit 3"])
        #expect(ran.stdout.contains("pod/once created"), "\(ran.stdout) \(ran.stderr)")
        let phase = try eventually(cli, ["get", "pod", "once", "-o", "jsonpath={.status.phase}"]) { $0 == "Failed" }
        #expect(phase == "Failed")
        let exitCode = try kubectl(
            cli, ["get", "pod", "once", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}"])
        #expect(exitCode.stdout == "3", "\(exitCode.stdout) \(exitCode.stderr)")
        #expect(try kubectl(cli, ["logs", "once"]).stdout.contains("bye"))
        let table = try kubectl(cli, ["get", "pod", "once"])
        #expect(table.stdout.contains("Error"), "\(table.stdout)")

        // explain reads the OpenAPI schemas.
        let explained = try kubectl(cli, ["explain", "deployment.spec.replicas"])
        #expect(explained.stdout.contains("replicas <integer>"), "\(explained.stdout) \(explained.stderr)")

        // delete with cascade: the pods go with the deployment.
        let deleted = try kubectl(cli, ["delete", "deployment", "web", "--cascade=foreground", "--timeout=60s"])
        #expect(deleted.stdout.contains("deployment.apps \"web\" deleted"), "\(deleted.stdout) \(deleted.stderr)")
        _ = try eventually(cli, ["get", "pods", "-l", "app=web", "-o", "name"]) { $0.isEmpty }
        let namespaceDelete = try kubectl(cli, ["delete", "namespace", "default"])
        #expect(namespaceDelete.status != 0)
        #expect(namespaceDelete.stderr.contains("may not be deleted"), "\(namespaceDelete.stderr)")
    }
}
