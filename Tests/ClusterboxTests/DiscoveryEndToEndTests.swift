import BoxTestSupport
import Foundation
import Testing

/// Service discovery on a live cluster, with the clients users have: `dig` (dnsutils, installed by install.sh)
/// against the cluster DNS, curl-like HTTP through a virtual IP, and the Marathon API to deploy and kill.
@Suite(.serialized) struct DiscoveryEndToEndTests {
    static let example = CLI.root + "/examples/discovery"

    /// examples/discovery deployed as its README does: three backends of one Marathon app behind VIP
    /// `/backend:8080`: Mesos-DNS names, the VIP's name and PTR, NXDOMAIN, exactly 100 of 300 connections each, the
    /// frontend calling the backend by name through the VIP, the service variables in a new task's environment; then
    /// one backend is killed: within seconds (milliseconds on a quiet machine) it is gone from DNS and gets no new
    /// connections, while requests in flight to the others complete.
    @Test func marathonVirtualIPRoundRobinAndDNS() async throws {
        try await onOwnThread { try Self.marathonVirtualIPRoundRobinAndDNS() }
    }

    static func marathonVirtualIPRoundRobinAndDNS() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dig") else {
            Issue.record("dig is missing: ./install.sh installs dnsutils")
            return
        }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "3"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("dns"), "\(up.stdout)")
        let api = MarathonCurl(cli)
        // The example's apps, deployed as its README does.
        for app in ["backend", "frontend"] {
            let deploy = try cli.run(["app", "deploy", "-f", "\(example)/\(app).yaml"])
            #expect(deploy.status == 0, "\(deploy.stdout) \(deploy.stderr)")
        }
        let dig = Dig(server: cli.dnsAddress, port: cli.dnsPort)

        // Ready means running and healthy: the VIP has three backends only once all three passed their check.
        var service: [String: Any] = [:]
        let ready = api.waitUntil(timeout: 60) {
            let view = try discovery(cli)
            guard
                let found = (view["services"] as? [[String: Any]])?.first(where: { $0["name"] as? String == "/backend" }
                ),
                (found["backends"] as? [[String: Any]])?.count == 3,
                let front = (view["services"] as? [[String: Any]])?.first(where: {
                    $0["name"] as? String == "/frontend"
                }),
                (front["backends"] as? [[String: Any]])?.count == 1
            else { return false }
            service = found
            return true
        }
        #expect(ready, "the VIP never had 3 backends: \(String(describing: try? discovery(cli)))")
        guard ready, let address = service["vip"] as? String else { return }
        let vip = "\(address):8080"
        #expect(service["port"] as? Int == 8080)
        #expect(service["dns"] as? String == "backend.marathon.l4lb.thisdcos.directory.")
        let tasks = try api.taskIDs("/discovery/backend")
        #expect(tasks.count == 3)

        // DNS, as dig asks.
        #expect(try dig.short("backend-discovery.marathon.mesos") == ["127.0.0.1"])
        let srv = try dig.short("_backend-discovery._tcp.marathon.mesos", "SRV")
        #expect(srv.count == 3, "\(srv)")
        #expect(try dig.short("_http._backend-discovery._tcp.marathon.mesos", "SRV").count == 3)
        #expect(try dig.short("BACKEND.Marathon.l4lb.thisdcos.directory") == [address])
        #expect(try dig.short("-x", address) == ["backend.marathon.l4lb.thisdcos.directory."])
        #expect(try dig.short("leader.mesos") == ["127.0.0.1"])
        let missing = try dig.run(["nothing.marathon.mesos"])
        #expect(missing.contains("status: NXDOMAIN") && missing.contains("AUTHORITY: 1"), "\(missing)")
        let tcp = try dig.run(["+tcp", "+short", "_backend-discovery._tcp.marathon.mesos", "SRV"])
        #expect(tcp.split(separator: "\n").count == 3, "\(tcp)")

        // Round robin: 300 connections, 100 to each backend. A health check that times out on a loaded machine takes
        // a backend out for a moment (as marathon-lb would), so a round with a changed backend set is tried again.
        var counts: [String: Int] = [:]
        for _ in 0..<3 {
            counts = [:]
            for _ in 0..<300 {
                guard let body = HTTP.get(address, 8080, "/") else {
                    Issue.record("a connection through the VIP failed")
                    continue
                }
                counts[String(body.split(separator: " ")[0]), default: 0] += 1
            }
            if counts.count == 3 && counts.values.allSatisfy({ $0 == 100 }) { break }
            print("round robin round with a changed backend set: \(counts)")
        }
        #expect(counts.count == 3 && counts.values.allSatisfy { $0 == 100 }, "\(counts)")
        #expect(Set(counts.keys) == Set(tasks), "\(counts.keys) vs \(tasks)")

        // The frontend looks the backend up in the cluster DNS and calls it through the VIP.
        let frontend = try dig.short("frontend.marathon.l4lb.thisdcos.directory")
        #expect(frontend.count == 1)
        var seen: Set<String> = []
        for _ in 0..<3 {
            let answer = frontend.first.flatMap { HTTP.get($0, 8000, "/") } ?? ""
            #expect(answer.contains("-> backend.marathon.l4lb.thisdcos.directory = \(vip) -> "), "\(answer)")
            seen.insert(String(answer.split(separator: " ").last ?? ""))
        }
        #expect(seen.count == 3, "the frontend's calls did not go round robin: \(seen)")

        let listing = try cli.run(["services"])
        #expect(listing.stdout.contains("/backend") && listing.stdout.contains(vip), "\(listing.stdout)")
        let metrics = try cli.curl([cli.url + "/metrics"]).stdout
        #expect(metrics.contains("clusterbox_lb_connections_total{service=\"/backend\""), "\(metrics)")
        #expect(metrics.contains("clusterbox_dns_queries_total{transport=\"udp\"}"))

        // A task started now sees the service in its environment.
        let env = try cli.run(["run", "--", "echo $BACKEND_SERVICE_HOST:$BACKEND_SERVICE_PORT"])
        #expect(env.stdout.contains(vip), "\(env.stdout) \(env.stderr)")

        // Six slow requests in flight (two per backend), then one backend is killed.
        let victim = tasks[0]
        let victimPort = try victimSRVPort(cli, victim)
        // Its SRV record: the port and a target named after the task (a replacement may reuse the port).
        let victimSRV = try dig.short("_backend-discovery._tcp.marathon.mesos", "SRV").filter {
            $0.contains(" \(victimPort) ")
        }
        #expect(victimSRV.count == 1, "\(victimSRV)")
        nonisolated(unsafe) var slow: [String?] = Array(repeating: nil, count: 6)
        // Threads of their own: blocked in recv on GCD's pool, they would starve the pipe readers of `CLI.execute`.
        let group = DispatchGroup()
        for index in 0..<6 {
            group.enter()
            Thread {
                slow[index] = HTTP.get(address, 8080, "/slow", timeout: 10)
                group.leave()
            }.start()
        }
        usleep(300_000)
        let killedAt = Date()
        let kill = try api.call("DELETE", "/v2/apps/discovery/backend/tasks/\(victim)")
        #expect(kill.status == 200, "\(kill.body)")
        print("DELETE answered after \(Int(Date().timeIntervalSince(killedAt) * 1000)) ms")
        // Event-driven: gone in milliseconds on a quiet machine (Benchmarks/discovery-removal.sh measures it); the
        // bound leaves room for a loaded one and is still far below a polling registry's (Mesos-DNS: 60 s).
        let gone = api.waitUntil(timeout: 5) {
            try Set(dig.short("_backend-discovery._tcp.marathon.mesos", "SRV")).isDisjoint(with: victimSRV)
        }
        let elapsed = Date().timeIntervalSince(killedAt)
        #expect(gone, "the killed backend was still in DNS after 5 s")
        print("killed backend left DNS after \(Int(elapsed * 1000)) ms")
        for _ in 0..<30 {
            if let body = HTTP.get(address, 8080, "/") { #expect(!body.hasPrefix(victim), "\(body)") }
        }
        group.wait()
        let answered = slow.compactMap { $0 }
        #expect(answered.count >= 4, "\(slow)")
        #expect(answered.allSatisfy { !$0.hasPrefix(victim) }, "\(answered)")
    }

    /// Options that cannot work are refused before anything starts.
    @Test func badDiscoveryOptionsAreRefused() async throws {
        try await onOwnThread { () throws in
            let cli = try CLI()
            defer { cli.cleanUp() }
            let range = try cli.run(["up", "--vip-range", "10.0.0.0/8"])
            #expect(range.status != 0 && range.stderr.contains("--vip-range"), "\(range.stderr)")
            let dns = try cli.run(["up", "--dns-address", "8.8.8.8"])
            #expect(dns.status != 0 && dns.stderr.contains("--dns-address"), "\(dns.stderr)")
        }
    }

    static func discovery(_ cli: CLI) throws -> [String: Any] {
        let body = try cli.curl([cli.url + "/discovery/v1/services"]).stdout
        return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }

    /// The agent port of a task, from the registry.
    static func victimSRVPort(_ cli: CLI, _ taskID: String) throws -> Int {
        let tasks = try discovery(cli)["tasks"] as? [[String: Any]] ?? []
        let task = tasks.first { $0["task_id"] as? String == taskID }
        return (task?["ports"] as? [[String: Any]])?.first?["number"] as? Int ?? -1
    }
}

/// `dig` against the cluster DNS.
struct Dig {
    var server: String
    var port: Int

    func run(_ arguments: [String]) throws -> String {
        try CLI.execute(
            "/usr/bin/dig", ["@\(server)", "-p", "\(port)", "+tries=1", "+time=2"] + arguments, environment: [:],
            timeout: 10
        ).stdout
    }

    /// `+short` answers, one per line, sorted.
    func short(_ arguments: String...) throws -> [String] {
        try run(["+short"] + arguments).split(separator: "\n").map(String.init).sorted()
    }
}

/// A blocking HTTP/1.0 GET over one connection: the body, or nil when the connection failed.
enum HTTP {
    static func get(_ host: String, _ port: Int, _ path: String, timeout: Int = 5) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: \(host)\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.0 200"), let split = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[split.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
