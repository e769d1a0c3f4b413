import BoxTestSupport
import Foundation
import Synchronization
import Testing

/// The rest of the kubectl acceptance commands (issue 5), against one cluster of two process agents:
/// - `expose deployment` makes a Service from the Deployment's selector; its Endpoints fill and its cluster IP
///   answers, with a named and a numeric `--target-port`;
/// - `set image` to an image no agent has starts a rollout whose new pod waits in ImagePullBackOff with the image's
///   name and the agent's reason, while the two old pods keep serving (maxUnavailable 25% of 2 rounds to 0);
///   `rollout undo` completes it again. As root (container agents), `set image` between `host` and an imported
///   `busybox:test` rolls out to completion each way, one revision each;
/// - `logs --tail=2` prints the last two lines, and `logs -f` shows a line the pod prints after it started.
@Suite(.serialized) struct KubectlMoreTests {
    static func kubectl(_ cli: CLI, _ arguments: [String], stdin: String? = nil) throws -> ChildProcess {
        try KubectlTests.kubectl(cli, arguments, stdin: stdin, timeout: 90)
    }

    static func eventually(
        _ cli: CLI, _ arguments: [String], seconds: Double = 60, _ condition: (String) -> Bool
    ) throws -> String {
        try KubectlWorkloadTests.eventually(cli, arguments, seconds: seconds, condition)
    }

    static let front = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: front
          labels: {app: front}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: front}
          template:
            metadata:
              labels: {app: front}
            spec:
              containers:
              - name: front
                image: host
                command: ["sh", "-c", "exec python3 -m http.server $PORT_HTTP"]
                ports: [{containerPort: 8000, name: http}]
                readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
                resources: {requests: {cpu: 100m, memory: 32Mi}}
        """

    @Test func setImageExposeAndLogs() async throws { try await onOwnThread { try Self.setImageExposeAndLogs() } }

    static func setImageExposeAndLogs() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let image = try importBusybox(cli)
        let up = try cli.up(["--agents", "2"])
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        _ = try eventually(cli, ["get", "nodes"]) { $0.components(separatedBy: " Ready ").count == 3 }
        // Container agents (root, cgroups) run images; process agents cannot run any.
        let contained = try cli.run(["agents"]).stdout.contains(" container ")

        let applied = try kubectl(cli, ["apply"], stdin: front)
        #expect(applied.stdout.contains("deployment.apps/front created"), "\(applied.stdout) \(applied.stderr)")
        let rolled = try kubectl(cli, ["rollout", "status", "deployment/front", "--timeout=60s"])
        #expect(rolled.stdout.contains("successfully rolled out"), "\(rolled.stdout) \(rolled.stderr)")

        let clusterIP = try expose(cli)
        try setImageToAMissingImage(cli, clusterIP: clusterIP, contained: contained)
        if let image, contained { try setImageBackAndForth(cli, image: image) }
        try logs(cli)
    }

    // MARK: - expose

    /// `expose` with a named and a numeric target port; returns the first Service's cluster IP.
    static func expose(_ cli: CLI) throws -> String {
        let named = try kubectl(cli, ["expose", "deployment", "front", "--port=80", "--target-port=http"])
        #expect(named.stdout.contains("service/front exposed"), "\(named.stdout) \(named.stderr)")
        let numeric = try kubectl(
            cli, ["expose", "deployment", "front", "--name=front-numeric", "--port=81", "--target-port=8000"])
        #expect(numeric.stdout.contains("service/front-numeric exposed"), "\(numeric.stdout) \(numeric.stderr)")
        let selector = try kubectl(cli, ["get", "svc", "front", "-o", "jsonpath={.spec.selector.app}"])
        #expect(selector.stdout == "front", "\(selector.stdout) \(selector.stderr)")
        var clusterIPs: [String] = []
        for (service, port) in [("front", 80), ("front-numeric", 81)] {
            let addresses = try eventually(
                cli, ["get", "endpoints", service, "-o", "jsonpath={.subsets[*].addresses[*].ip}"]
            ) { $0.split(separator: " ").count == 2 }
            #expect(addresses.split(separator: " ").count == 2, "\(service): \(addresses)")
            let clusterIP = try kubectl(cli, ["get", "svc", service, "-o", "jsonpath={.spec.clusterIP}"]).stdout
            #expect(clusterIP.hasPrefix(cli.serviceRange.components(separatedBy: ".0/")[0]), "\(clusterIP)")
            #expect(answers(clusterIP, port), "\(service): \(clusterIP):\(port) never answered 200")
            clusterIPs.append(clusterIP)
        }
        return clusterIPs[0]
    }

    /// Polls `http://ADDRESS:PORT/` until it answers 200 (at most 30 s).
    static func answers(_ address: String, _ port: Int, seconds: Double = 30) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let probe = try? ChildProcess.run(
                "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://\(address):\(port)/"],
                environment: [:], timeoutSeconds: 10)
            if probe?.stdout == "200" { return true }
            Thread.sleep(forTimeInterval: 0.3)
        }
        return false
    }

    // MARK: - set image

    /// `IMAGE REASON MESSAGE` of each pod of `front`'s first container, one line each.
    static let waiting = [
        "get", "pods", "-l", "app=front", "-o",
        #"jsonpath={range .items[*]}{.spec.containers[0].image}|{.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].state.waiting.message}{"\n"}{end}"#,
    ]

    static func setImageToAMissingImage(_ cli: CLI, clusterIP: String, contained: Bool) throws {
        let missing = "nosuch.example/app:1.0"
        let set = try kubectl(cli, ["set", "image", "deployment/front", "front=\(missing)"])
        #expect(set.stdout.contains("deployment.apps/front image updated"), "\(set.stdout) \(set.stderr)")
        let sets = try eventually(cli, ["get", "rs", "-l", "app=front", "-o", "name"]) {
            $0.split(separator: "\n").count == 2
        }
        #expect(sets.split(separator: "\n").count == 2, "\(sets)")
        // Container agents: the agent has no such image, and says so. Process agents: an image cannot run at all.
        let stuck = try eventually(cli, waiting) { text in
            text.split(separator: "\n").contains { line in
                let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard fields.count == 3, fields[0] == missing, !fields[1].isEmpty else { return false }
                return !contained
                    || (["ErrImagePull", "ImagePullBackOff"].contains(fields[1]) && fields[2].contains(missing))
            }
        }
        print("set image to a missing image: \(stuck)")
        // The old pods keep serving: none of them was taken down for a pod that cannot start.
        let available = try kubectl(cli, ["get", "deployment", "front", "-o", "jsonpath={.status.availableReplicas}"])
        #expect(available.stdout == "2", "\(available.stdout) \(available.stderr)")
        #expect(answers(clusterIP, 80), "the old pods stopped answering during the stuck rollout")
        let pending = try kubectl(cli, ["rollout", "status", "deployment/front", "--timeout=2s"])
        #expect(pending.status != 0, "\(pending.stdout)")
        let history = try kubectl(cli, ["rollout", "history", "deployment/front"])
        #expect(history.stdout.contains("1 ") && history.stdout.contains("2 "), "\(history.stdout)")
        if contained {
            let failed = try eventually(cli, ["get", "events"]) {
                $0.contains("Failed to pull image \"\(missing)\"")
            }
            #expect(failed.contains("no such image"), "\(failed)")
        }

        let undone = try kubectl(cli, ["rollout", "undo", "deployment/front"])
        #expect(undone.stdout.contains("rolled back"), "\(undone.stdout) \(undone.stderr)")
        let done = try kubectl(cli, ["rollout", "status", "deployment/front", "--timeout=90s"])
        #expect(done.stdout.contains("successfully rolled out"), "\(done.stdout) \(done.stderr)")
        let images = try eventually(cli, waiting) { text in
            let lines = text.split(separator: "\n")
            return lines.count == 2 && lines.allSatisfy { $0.hasPrefix("host||") }
        }
        #expect(!images.contains(missing), "\(images)")
        #expect(answers(clusterIP, 80), "the Service stopped answering after the undo")
    }

    /// As root: `host` → `busybox:test` → `host`, each a complete rollout and a revision.
    static func setImageBackAndForth(_ cli: CLI, image: String) throws {
        let created = try kubectl(
            cli, ["create", "deployment", "sleeper", "--image=host", "--replicas=2", "--", "sleep", "600"])
        #expect(created.stdout.contains("deployment.apps/sleeper created"), "\(created.stdout) \(created.stderr)")
        _ = try kubectl(cli, ["rollout", "status", "deployment/sleeper", "--timeout=60s"])
        for (revision, next) in [(2, image), (3, "host")] {
            let set = try kubectl(cli, ["set", "image", "deployment/sleeper", "host=\(next)"])
            #expect(set.stdout.contains("image updated"), "\(set.stdout) \(set.stderr)")
            let rolled = try kubectl(cli, ["rollout", "status", "deployment/sleeper", "--timeout=90s"])
            #expect(rolled.stdout.contains("successfully rolled out"), "\(next): \(rolled.stdout) \(rolled.stderr)")
            let running = try eventually(
                cli,
                [
                    "get", "pods", "-l", "app=sleeper", "-o",
                    #"jsonpath={range .items[*]}{.spec.containers[0].image} {.status.phase}{"\n"}{end}"#,
                ]
            ) { text in
                let lines = text.split(separator: "\n")
                return lines.count == 2 && lines.allSatisfy { $0 == "\(next) Running" }
            }
            #expect(running.split(separator: "\n").count == 2, "\(running)")
            let history = try kubectl(cli, ["rollout", "history", "deployment/sleeper"])
            #expect(history.stdout.contains("\(revision) "), "\(history.stdout)")
        }
        print("set image host → \(image) → host: revisions 2 and 3 rolled out")
        _ = try kubectl(cli, ["delete", "deployment", "sleeper"])
    }

    /// `busybox:test` (Tests/ClusterboxTests/Fixtures/make-busybox-image.sh) in the cluster's image store, as root
    /// with umoci; nil otherwise (said why).
    static func importBusybox(_ cli: CLI) throws -> String? {
        guard getuid() == 0 else {
            print("skipped set image between two images: containers need root")
            return nil
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci") else {
            print("skipped set image between two images: umoci is missing (install.sh)")
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("umoci is missing in CI") }
            return nil
        }
        let work = cli.dataDirectory + "/fixture"
        let made = try ChildProcess.run("/bin/bash", [ImageTasksEndToEndTests.script, work], timeoutSeconds: 120)
        try #require(made.status == 0, "make-busybox-image.sh: \(made.stderr)")
        let imported = try cli.run(["image", "import", work + "/busybox.tar", "-t", "busybox:test"])
        try #require(imported.status == 0, "\(imported.stderr)")
        try? FileManager.default.removeItem(atPath: work)
        return "busybox:test"
    }

    // MARK: - logs

    static func logs(_ cli: CLI) throws {
        let ran = try kubectl(
            cli,
            [
                "run", "ticker", "--image=host", "--restart=Never", "--", "sh", "-c",
                "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.5; done",
            ])
        #expect(ran.stdout.contains("pod/ticker created"), "\(ran.stdout) \(ran.stderr)")
        _ = try eventually(cli, ["logs", "ticker"]) { $0.contains("tick 3\n") }
        let tail = try kubectl(cli, ["logs", "ticker", "--tail=2"])
        let lines = tail.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("tick ") }, "\(tail.stdout) \(tail.stderr)")

        let follower = try Follower(cli, ["logs", "-f", "ticker"])
        defer { follower.stop() }
        let first = follower.wait(seconds: 30) { $0.contains { $0.hasPrefix("tick ") } }
        let seen = first.compactMap { Int($0.dropFirst("tick ".count)) }.max() ?? 0
        #expect(seen > 0, "logs -f printed nothing: \(first)")
        // A line the pod prints after kubectl started (two more ticks: one second), arriving while it follows.
        let later = follower.wait(seconds: 30) { lines in
            lines.contains { Int($0.dropFirst("tick ".count)).map { $0 >= seen + 2 } ?? false }
        }
        #expect(later.contains { Int($0.dropFirst("tick ".count)).map { $0 >= seen + 2 } ?? false }, "\(later)")
        #expect(follower.isRunning, "kubectl logs -f ended on its own")
    }
}

/// A `kubectl` that keeps running (`logs -f`), its output collected line by line; `stop()` ends it by its pid.
final class Follower: @unchecked Sendable {  // `lines` is guarded by `lock`; the process is started once in init
    private let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []

    init(_ cli: CLI, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: KubectlTests.kubectl)
        process.arguments = ["--kubeconfig", cli.kubeconfig] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging([
            "HOME": cli.dataDirectory, "KUBECONFIG": cli.kubeconfig,
        ]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    lock.withLock { lines.append(line) }
                }
            }
        }.start()
    }

    var isRunning: Bool { process.isRunning }

    /// The lines so far once `condition` holds for them, or after `seconds` (whatever they are then).
    func wait(seconds: Double, until condition: ([String]) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let now = lock.withLock { lines }
            if condition(now) || Date() >= deadline { return now }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// SIGTERM to kubectl's pid, then waits for it.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}
