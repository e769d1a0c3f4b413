import BoxTestSupport
import Foundation
import Testing

/// Image tasks from the command line, as a user runs them: a busybox image made with umoci
/// (Fixtures/make-busybox-image.sh: /hello.txt, nobody in /etc/passwd, /data owned by nobody, `Cmd ["cat",
/// "/hello.txt"]`) imported as `busybox:test`, then `clusterbox up` with the default executor (the container
/// executor, as root) runs `clusterbox run --image` and a Marathon app with `container.docker.image` in it. Each task
/// gets its own overlay over the image's layers; nothing is mounted under the data directory once a task, an app or
/// the cluster is gone. Needs root: elsewhere it says why it skips; in CI (root) it runs.
@Suite(.serialized) struct ImageTasksEndToEndTests {
    static let script = CLI.root + "/Tests/ClusterboxTests/Fixtures/make-busybox-image.sh"
    static let hello = "hello from the busybox:test image"

    /// `run --image` with the image's cmd, with a shell command (uid 65534, the task name as hostname, the image's
    /// root and not the host's, the host's resolvers as the test cluster's DNS is not on port 53, `clusterbox-init`
    /// as PID 1 and only the task's processes), a write that stays in its task's upper directory, and an unknown
    /// image (exit 1 and the executor's message); a job's image task still running at `down` leaves no mount.
    @Test func runInAnImage() async throws { try await onOwnThread { try Self.runInAnImage() } }

    static func runInAnImage() throws {
        guard let cli = try clusterWithImage() else { return }
        defer { cli.cleanUp() }

        let own = try cli.run(["run", "--image", "busybox:test"])
        #expect(own.status == 0, "\(own.stdout) \(own.stderr)")
        #expect(own.stdout == hello + "\n", "the image's cmd: \(own.stdout) \(own.stderr)")

        let inside = try cli.run([
            "run", "--image", "busybox:test", "--",
            "id -u; hostname; ls /; test -e \(cli.dataDirectory) && echo host-visible || echo host-hidden; "
                + "cat /etc/resolv.conf; ps",
        ])
        #expect(inside.status == 0, "\(inside.stdout) \(inside.stderr)")
        let lines = inside.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "65534", "\(inside.stdout)")
        #expect(lines.count > 1 && lines[1].hasPrefix("run-"), "hostname is the task name: \(inside.stdout)")
        for entry in ["bin", "data", "etc", "hello.txt", "proc"] {
            #expect(lines.contains(entry), "/ is the image's: no \(entry) in \(inside.stdout)")
        }
        #expect(!lines.contains("usr") && !lines.contains("var"), "the host's / shows: \(inside.stdout)")
        #expect(lines.contains("host-hidden"), "the data directory is visible: \(inside.stdout)")
        // resolv.conf names no port: with the cluster DNS on a test port (not 53) a task gets the host's resolvers.
        let hostResolvers = ((try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? "")
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                $0.hasPrefix("nameserver")
            }
        #expect(!lines.contains("nameserver \(cli.dnsAddress)"), "\(inside.stdout)")
        for resolver in hostResolvers { #expect(lines.contains(resolver), "/etc/resolv.conf: \(inside.stdout)") }
        let first = lines.first { $0.split(separator: " ").first == "1" } ?? ""
        #expect(first.hasSuffix("clusterbox-init"), "PID 1: \(inside.stdout)")
        let processes = lines.drop { !$0.hasPrefix("PID") }.dropFirst()
        #expect(processes.count == 2, "the init and the shell running ps: \(inside.stdout)")

        // Each task writes to its own upper directory: the next task sees the image as it was.
        let write = try cli.run(["run", "--image", "busybox:test", "--", "echo mine > /data/mine && cat /data/mine"])
        #expect(write.status == 0 && write.stdout == "mine\n", "\(write.stdout) \(write.stderr)")
        let after = try cli.run(["run", "--image", "busybox:test", "--", "ls -a /data; echo end"])
        #expect(after.status == 0 && after.stdout == ".\n..\nend\n", "\(after.stdout) \(after.stderr)")
        #expect(try files(named: "mine", under: cli.dataDirectory + "/images").isEmpty, "the write reached the store")

        let unknown = try cli.run(["run", "--image", "nope:1", "--", "true"])
        #expect(unknown.status == 1, "\(unknown.stdout) \(unknown.stderr)")
        #expect(unknown.stderr.contains("image nope:1: "), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("(`clusterbox image ls` lists them)"), "\(unknown.stderr)")

        #expect(mounts(mentioning: cli.dataDirectory).isEmpty, "ended tasks left mounts")

        // A job's task still running at `down`: its overlay goes with it. Its init holds none of the daemon's
        // descriptors (which would keep the cluster's ports bound after a kill -9 of the daemon).
        let duration = uniqueSleep()
        let sleeper = try cli.run(["job", "create", "sleeper", "--image", "busybox:test", "--", "sleep", duration])
        #expect(sleeper.status == 0, "\(sleeper.stdout) \(sleeper.stderr)")
        let mounted = MarathonCurl(cli).waitUntil(timeout: 30) { !mounts(mentioning: cli.dataDirectory).isEmpty }
        #expect(mounted, "the job's task has no overlay")
        let initPID = try #require(processWithArgument(duration).flatMap(initOf), "no clusterbox-init above the task")
        let held = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(initPID)/fd")
        #expect(held.isEmpty, "the task's init holds descriptors \(held)")
        #expect(try cli.run(["down"]).status == 0)
        #expect(mounts(mentioning: cli.dataDirectory).isEmpty, "mounts left after down")
        #expect(try files(named: ".container", under: cli.dataDirectory + "/sandboxes").isEmpty)
    }

    /// A Marathon app in the image (busybox httpd on its port, HTTP health check on /hello.txt) becomes healthy and
    /// serves the image's file; with the cluster DNS on port 53 (of the cluster's own loopback address), an image
    /// task's resolv.conf names it and `nslookup img.marathon.mesos` finds the app; deleting the app unmounts and
    /// removes its rootfs; `down` leaves no overlay behind.
    @Test func marathonAppInAnImage() async throws { try await onOwnThread { try Self.marathonAppInAnImage() } }

    static func marathonAppInAnImage() throws {
        guard let cli = try clusterWithImage(dnsOn53: true) else { return }
        defer { cli.cleanUp() }
        let api = MarathonCurl(cli)
        let app = """
            {"id":"/img","container":{"docker":{"image":"busybox:test"}},"cmd":"httpd -f -p $PORT0 -h /",\
            "cpus":0.1,"mem":32,"instances":1,"healthChecks":[{"protocol":"HTTP","path":"/hello.txt",\
            "intervalSeconds":1,"gracePeriodSeconds":30}]}
            """
        let created = try api.call("POST", "/v2/apps", app)
        #expect(created.status == 201, "\(created.body)")
        let healthy = api.waitUntil(timeout: 60) { (try api.app("/img")["tasksHealthy"] as? Int) == 1 }
        let failure = healthy ? [:] : try api.app("/img", embed: "app.lastTaskFailure")
        #expect(healthy, "not healthy: \(failure)")
        let tasks = (try api.json("/v2/apps/img/tasks") as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
        let port = (tasks.first?["ports"] as? [Int])?.first
        let host = tasks.first?["host"] as? String ?? "127.0.0.1"
        try #require(port != nil, "no task port: \(tasks)")
        let served = try cli.curl(["http://\(host):\(port!)/hello.txt"])
        #expect(served.stdout == hello + "\n", "\(served.stdout) \(served.stderr)")
        #expect(!mounts(mentioning: cli.dataDirectory).isEmpty, "the running task's overlay is not mounted")

        let dns = try cli.run([
            "run", "--image", "busybox:test", "--", "cat /etc/resolv.conf; nslookup img.marathon.mesos",
        ])
        #expect(dns.status == 0, "\(dns.stdout) \(dns.stderr)")
        #expect(dns.stdout.contains("nameserver \(cli.dnsAddress)\n"), "\(dns.stdout)")
        #expect(dns.stdout.contains("search default.svc."), "\(dns.stdout)")
        #expect(dns.stdout.contains("Address: \(host)"), "the app's address: \(dns.stdout)")

        let deleted = try api.call("DELETE", "/v2/apps/img")
        #expect(deleted.status == 200, "\(deleted.body)")
        let gone = api.waitUntil(timeout: 30) {
            let rootfs = try files(named: ".container", under: cli.dataDirectory + "/sandboxes")
            return mounts(mentioning: cli.dataDirectory).isEmpty && rootfs.isEmpty
        }
        #expect(gone, "left after the delete: \(mounts(mentioning: cli.dataDirectory))")
        #expect(try cli.run(["down"]).status == 0)
        #expect(mounts(mentioning: cli.dataDirectory).isEmpty, "mounts left after down")
    }

    // MARK: - Helpers

    /// A cluster (one agent, default executor) whose store holds `busybox:test`; nil (said why) when not root.
    /// `dnsOn53`: its DNS on port 53 of its own address (127.<octet>.0.10), so that image tasks get it in resolv.conf.
    static func clusterWithImage(dnsOn53: Bool = false) throws -> CLI? {
        if containerExecutorUnavailable() != nil { return nil }
        for tool in ["/usr/bin/umoci", "/bin/busybox"] {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing (install.sh)")
        }
        let cli = try CLI()
        let work = cli.dataDirectory + "/fixture"
        let made = try ChildProcess.run("/bin/bash", [script, work], timeoutSeconds: 120)
        try #require(made.status == 0, "make-busybox-image.sh: \(made.stderr)")
        let imported = try cli.run(["image", "import", work + "/busybox.tar", "-t", "busybox:test"])
        try #require(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "Imported: busybox:test\n", "\(imported.stdout)")
        try? FileManager.default.removeItem(atPath: work)
        let up = try cli.up(["--agents", "1"] + (dnsOn53 ? ["--dns-port", "53"] : []))
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("agent-1 (container)"), "\(up.stdout)")
        return cli
    }

    /// Mounts whose mount point or source options name `path` (an overlay's lowerdir, upperdir and workdir).
    static func mounts(mentioning path: String) -> [String] {
        // FileHandle reads to the end; String(contentsOfFile:) stops after the first 4 KiB of a /proc file.
        let data = FileHandle(forReadingAtPath: "/proc/self/mountinfo").flatMap { try? $0.readToEnd() } ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").map(String.init).filter { $0.contains(path) }
    }

    /// The `clusterbox-init` among the ancestors of `pid` (at most 3 up), as the host sees it.
    static func initOf(_ pid: Int32) -> Int32? {
        var current = pid
        for _ in 0..<3 {
            guard let stat = try? String(contentsOfFile: "/proc/\(current)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"),
                let parent = Int32(stat[stat.index(close, offsetBy: 4)...].prefix { $0 != " " })
            else { return nil }
            let comm = try? String(contentsOfFile: "/proc/\(parent)/comm", encoding: .utf8)
            if comm?.hasPrefix("clusterbox-init") == true { return parent }
            current = parent
        }
        return nil
    }

    /// Paths under `root` whose last component is `name`.
    static func files(named name: String, under root: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if (relative as NSString).lastPathComponent == name { found.append(root + "/" + relative) }
        }
        return found
    }
}
