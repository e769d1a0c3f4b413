import BoxCore
import BoxDiscovery
import Testing

@Suite struct ServiceRegistryTests {
    static let configuration = RegistryConfiguration(
        dnsAddress: IPv4Octets(127, 96, 0, 10), masterAddress: IPv4Octets(127, 0, 0, 1), masterPort: 5050,
        virtualIPRange: "127.96.0.0/16")

    /// A Marathon task of app `/prod/web` with a named port that asks for VIP `/web:80`.
    static func webTask(_ number: Int, ready: Bool = true) -> RegisteredTask {
        RegisteredTask(
            key: TaskKey(frameworkID: "fw-marathon", taskID: "prod_web.\(number)"), framework: "marathon",
            name: "web.prod", serviceName: "web.prod", agent: "agent-\(number)",
            address: IPv4Octets(127, 0, 0, UInt8(number)),
            ports: [
                DiscoveryPort(number: UInt16(31000 + number), name: "http", labels: ["VIP_0": "/web:80"]),
                DiscoveryPort(number: UInt16(32000 + number), protocol: "udp,tcp"),
            ])
    }

    func answers(_ registry: inout ServiceRegistry, _ name: DNSName, _ type: DNSRecordType) -> DNSMessage {
        let services = registry.virtualServices()
        let answerer = DNSZoneAnswerer(zones: registry.zones(virtualServices: services))
        guard case .reply(let reply) = answerer.answer(.query(id: 1, name: name, type: type)) else {
            Issue.record("no reply for \(name)")
            return .query(id: 1, name: name, type: type)
        }
        return reply
    }

    @Test func marathonTasksGetMesosDNSNames() {
        var registry = ServiceRegistry(configuration: Self.configuration)
        registry.apply(.agent(id: "a1", name: "agent-1", address: IPv4Octets(127, 0, 0, 1)))
        for number in 1...3 { registry.apply(.running(Self.webTask(number))) }

        let a = answers(&registry, "WEB-prod.marathon.mesos", .a)
        #expect(a.rcode == .noError)
        #expect(Set(a.answers.map(\.data)) == Set((1...3).map { DNSRecordData.a(IPv4Octets(127, 0, 0, UInt8($0))) }))

        let srv = answers(&registry, "_web-prod._tcp.marathon.mesos", .srv)
        let ports = srv.answers.compactMap { record -> UInt16? in
            if case .srv(_, _, let port, _) = record.data { return port }
            return nil
        }
        #expect(Set(ports) == [31001, 31002, 31003, 32001, 32002, 32003])
        // Each target has its A record in the additional section.
        #expect(srv.additional.filter { $0.type == .a }.count == 3)

        let named = answers(&registry, "_http._web-prod._tcp.marathon.mesos", .srv)
        #expect(named.answers.count == 3)
        #expect(answers(&registry, "_web-prod._udp.marathon.mesos", .srv).answers.count == 3)
        #expect(answers(&registry, "leader.mesos", .a).answers.map(\.data) == [.a(IPv4Octets(127, 0, 0, 1))])
        #expect(answers(&registry, "_leader._tcp.mesos", .srv).answers.count == 1)
        #expect(answers(&registry, "agent-1.slave.mesos", .a).answers.count == 1)
        #expect(answers(&registry, "nothing.marathon.mesos", .a).rcode == .nameError)
    }

    @Test func aTaskLeavesWhenItStopsOrIsNotReady() {
        var registry = ServiceRegistry(configuration: Self.configuration)
        for number in 1...3 { registry.apply(.running(Self.webTask(number))) }
        registry.apply(.stopped(Self.webTask(1).key))
        registry.apply(.readiness(taskID: Self.webTask(2).key.taskID, ready: false))
        #expect(answers(&registry, "web-prod.marathon.mesos", .a).answers.map(\.data) == [.a(IPv4Octets(127, 0, 0, 3))])
        let services = registry.virtualServices()
        #expect(services.count == 1)
        #expect(services[0].backends.map(\.port) == [31003])
        // Back to ready: it returns.
        registry.apply(.readiness(taskID: Self.webTask(2).key.taskID, ready: true))
        #expect(registry.virtualServices()[0].backends.map(\.port) == [31002, 31003])
    }

    @Test func virtualIPsHaveNamesAndReverseRecords() throws {
        var registry = ServiceRegistry(configuration: Self.configuration)
        registry.apply(.running(Self.webTask(1)))
        let service = try #require(registry.virtualServices().first)
        #expect(service.name == "/web")
        #expect(service.port == 80)
        #expect(service.dnsName == "web.marathon.l4lb.thisdcos.directory")
        #expect(VirtualIPPool(cidr: "127.96.0.0/16")!.contains(service.address))
        #expect(service.address != Self.configuration.dnsAddress)

        let a = answers(&registry, "web.marathon.l4lb.thisdcos.directory", .a)
        #expect(a.answers.map(\.data) == [.a(service.address)])
        let reverse = DNSName(
            labels: service.address.bytes.reversed().map { Array(String($0).utf8) } + [
                Array("in-addr".utf8), Array("arpa".utf8),
            ])!
        #expect(answers(&registry, reverse, .ptr).answers.map(\.data) == [.ptr(service.dnsName)])
        #expect(answers(&registry, "10.0.96.127.in-addr.arpa", .ptr).answers.map(\.data) == [.ptr("ns1.mesos")])

        // The same name gets the same address in a new registry (a restart), and the address goes when no task
        // asks for it any more.
        var again = ServiceRegistry(configuration: Self.configuration)
        again.apply(.running(Self.webTask(2)))
        #expect(again.virtualServices().first?.address == service.address)
        again.apply(.stopped(Self.webTask(2).key))
        #expect(again.virtualServices().isEmpty)
        #expect(again.pool.assigned.isEmpty)
    }

    @Test func environmentNamesEachVirtualService() {
        var registry = ServiceRegistry(configuration: Self.configuration)
        registry.apply(.running(Self.webTask(1)))
        let services = registry.virtualServices()
        let environment = ServiceRegistry.environment(for: services)
        #expect(environment["WEB_SERVICE_HOST"] == "\(services[0].address)")
        #expect(environment["WEB_SERVICE_PORT"] == "80")
        #expect(environment["WEB_SERVICE_PORT_HTTP"] == "80")
    }

    @Test func vipLabelsAmongTaskLabelsApplyToThePortWithTheirIndex() {
        var registry = ServiceRegistry(configuration: Self.configuration)
        var task = Self.webTask(1)
        task.ports = [DiscoveryPort(number: 31001), DiscoveryPort(number: 31002)]
        task.labels = ["VIP_1": "api:8080", "VIP_0": "10.0.0.1:80"]  // an IP VIP is not served
        registry.apply(.running(task))
        let services = registry.virtualServices()
        #expect(services.map(\.name) == ["/api"])
        #expect(services.first?.backends.map(\.port) == [31002])
    }

    @Test func labelsFollowMesosDNS() {
        #expect(ServiceRegistry.label("web.prod") == "web-prod")
        #expect(ServiceRegistry.label("-My_App-") == "my-app")
        #expect(ServiceRegistry.label("...") == "x")
        #expect(ServiceRegistry.label(String(repeating: "a", count: 61) + ".bc").count == 63)
        #expect(ServiceRegistry.label(String(repeating: "a", count: 62) + ".") == String(repeating: "a", count: 62))
    }

    @Test func thePoolNeverGivesReservedAddressesAndFillsUp() {
        var pool = VirtualIPPool(cidr: "127.97.3.0/24", reserved: [IPv4Octets(127, 97, 3, 10)])!
        var seen: Set<IPv4Octets> = []
        for index in 0..<253 {
            guard let address = pool.address(for: "s\(index)") else {
                Issue.record("pool full after \(index)")
                return
            }
            #expect(seen.insert(address).inserted)
        }
        #expect(!seen.contains(IPv4Octets(127, 97, 3, 0)))
        #expect(!seen.contains(IPv4Octets(127, 97, 3, 10)))
        #expect(!seen.contains(IPv4Octets(127, 97, 3, 255)))
        #expect(pool.address(for: "one-too-many") == nil)
        #expect(VirtualIPPool(cidr: "10.0.0.0/16") == nil)
        #expect(VirtualIPPool(cidr: "127.0.0.0/20") == nil)
    }

    @Test func containersGetTheClusterDNSAndItsSearchDomains() {
        let registry = ServiceRegistry(configuration: Self.configuration)
        #expect(
            registry.resolvConf(namespace: "prod")
                == "nameserver 127.96.0.10\nsearch prod.svc.cluster.local svc.cluster.local cluster.local marathon.mesos\n"
                + "options ndots:5\n")
    }
}
