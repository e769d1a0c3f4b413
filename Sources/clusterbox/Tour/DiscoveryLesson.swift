import BoxServer
import Foundation

/// Lesson 5: service discovery: a Marathon app of 2 tasks with a virtual IP; its Mesos-DNS names (A, SRV) looked
/// up with dig (or a query of the tour's own), the VIP's name, and 6 requests through the VIP served in turn.
struct DiscoveryLesson: Lesson {
    let number = 5
    let title = "Service discovery: DNS names, dig, round robin through a virtual IP"
    let summary = "an app's A and SRV records, its VIP's name, 6 requests through the VIP served in turn"

    static let id = "/tour/echo"
    static let vipPort = 8090
    static let requests = 6

    func run(_ session: TourSession) throws {
        let marathon = session.marathon
        try session.step("Deploy an app with a virtual IP")
        session.say(
            """
            Tasks come and go on whatever agent and port the offers gave them, so clients find them by name.
            The app "\(Self.id)" has 2 instances and the port label VIP_0: /tour-echo:\(Self.vipPort), which asks for
            a virtual IP: one stable address, load-balanced round robin over the app's ready tasks.
            """)
        try Workloads.createApp(
            session, Workloads.marathonApp(Self.id, instances: 2, portLabels: ["VIP_0": "/tour-echo:\(Self.vipPort)"]))
        guard let tasks = try Workloads.waitHealthy(marathon, Self.id, count: 2) else {
            session.check("2 tasks become healthy", false, measured: try MarathonLesson.progress(marathon))
            return
        }
        let taskIDs = Set(tasks.compactMap { $0["id"] as? String })
        let ports = Set(tasks.compactMap { ($0["ports"] as? [Int])?.first })
        session.say("tasks: " + tasks.map(MarathonLesson.describe).joined(separator: "\n       "))

        try session.step("Names in the cluster DNS")
        guard let address = session.info.dnsAddress, let dnsPort = session.info.dnsPort else {
            session.check("the cluster runs a DNS server", false, measured: "no DNS address in cluster.json")
            return
        }
        let dns = DNSLookup(server: address, port: dnsPort)
        session.say("asking \(address) port \(dnsPort) with \(dns.tool)")
        // Discovery follows task updates within milliseconds; wait until it lists both tasks as ready.
        let view = try poll(timeoutSeconds: 20, intervalSeconds: 0.1) { () -> DiscoveryView? in
            let view = try session.master.json(DiscoveryView.self, "/discovery/v1/services")
            let ours = view.tasks.filter { taskIDs.contains($0.task_id) && $0.ready }
            let service = view.services.first { $0.name == "/tour-echo" && $0.backends.count == 2 }
            return ours.count == 2 && service != nil ? view : nil
        }
        guard let view, let service = view.services.first(where: { $0.name == "/tour-echo" }) else {
            session.check("discovery lists both tasks and the VIP", false, measured: "not within 20 s")
            return
        }
        let taskName = view.tasks.first { taskIDs.contains($0.task_id) }?.dns ?? "echo-tour.marathon.mesos."
        let srvName = "_\(taskName.split(separator: ".").first ?? "echo-tour")._tcp.marathon.mesos."
        session.say("\(dns.command(taskName, .a))")
        let a = try dns.lookup(taskName, .a)
        for line in a { session.say("  \(line)") }
        let hosts = Set(tasks.compactMap { $0["host"] as? String })
        session.check(
            "\(taskName) has A records, the tasks' host addresses", !a.isEmpty && Set(a).isSubset(of: hosts),
            measured: "\(a.count) record(s): \(a.joined(separator: ", "))")
        session.say("\(dns.command(srvName, .srv))")
        let srv = try dns.lookup(srvName, .srv)
        for line in srv { session.say("  \(line)") }
        let srvPorts = Set(srv.compactMap { $0.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } })
        session.check(
            "the SRV records carry the 2 tasks' ports (the ports the offers gave them)", srvPorts == ports,
            measured: "SRV ports \(srvPorts.sorted()), task ports \(ports.sorted())")
        session.say("\(dns.command(service.dns, .a))")
        let vip = try dns.lookup(service.dns, .a)
        for line in vip { session.say("  \(line)") }
        session.check(
            "the VIP's name \(service.dns) resolves to the virtual IP", vip == [service.vip],
            measured: "\(vip.joined(separator: ", ")) (discovery says \(service.vip))")

        try session.step("Round robin through the virtual IP")
        session.say("\(Self.requests) requests to http://\(service.vip):\(service.port)/, one connection each:")
        let before = service.connections_total
        var counts: [String: Int] = [:]
        for _ in 0..<Self.requests {
            let response = try HTTPClient(host: service.vip, port: service.port, timeoutSeconds: 10).get("/")
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            session.say("  \(text)")
            counts[String(text.split(separator: " ").first ?? ""), default: 0] += 1
        }
        session.check(
            "each of the 2 tasks answered \(Self.requests / 2) of the \(Self.requests) requests",
            Set(counts.keys) == taskIDs && counts.values.allSatisfy { $0 == Self.requests / 2 },
            measured: counts.sorted { $0.key < $1.key }.map { "\($0.value)" }.joined(separator: " and "))
        let after = try session.master.json(DiscoveryView.self, "/discovery/v1/services").services
            .first { $0.name == "/tour-echo" }
        session.check(
            "the load balancer counted the connections",
            (after?.connections_total ?? 0) - before >= Self.requests,
            measured: "connections_total \(before) → \(after?.connections_total ?? 0)")
        session.say(
            """
            Kubernetes Services work the same way here: a cluster IP from --service-range and the name
            NAME.NAMESPACE.svc.cluster.local (lesson 6 shows one). All of it: clusterbox services
            """)
    }
}
