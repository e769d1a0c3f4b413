import BoxCore
import BoxDiscovery
import Testing

/// Kubernetes Services and Endpoints in the pure registry: the `cluster.local.` zone (A, SRV, PTR, headless,
/// ExternalName), the listeners they ask the load balancer for, the environment, and the VIP pool's claims.
@Suite struct KubeServicesRegistryTests {
    static let configuration = ServiceRegistryTests.configuration

    /// `default/web`: ClusterIP 127.97.0.7, ports http 80/TCP and dns 53/UDP; pods web-1 (127.0.0.1:31001) and
    /// web-2 (127.0.0.2:31002) serve http.
    static let web = KubeService(
        key: KubeServiceKey(namespace: "default", name: "web"), clusterIP: IPv4Octets(127, 97, 0, 7),
        ports: [KubeServicePort(name: "http", port: 80), KubeServicePort(name: "dns", port: 53, protocol: "UDP")])
    static let webEndpoints = KubeEndpoints(
        key: web.key,
        subsets: [
            KubeEndpointSubset(
                addresses: [
                    KubeEndpointAddress(ip: IPv4Octets(127, 0, 0, 2), podName: "web-2", nodeName: "node-1"),
                    KubeEndpointAddress(ip: IPv4Octets(127, 0, 0, 1), podName: "web-1", nodeName: "node-1"),
                ],
                ports: [KubeEndpointPort(name: "http", port: 31001)])
        ])

    /// Headless `default/db` (port pg 5432): pods db-0 on 127.0.0.1:31005 and db-1 on 127.0.0.3:31006, in two
    /// subsets because their ports differ.
    static let db = KubeService(
        key: KubeServiceKey(namespace: "default", name: "db"), clusterIP: nil,
        ports: [KubeServicePort(name: "pg", port: 5432)])
    static let dbEndpoints = KubeEndpoints(
        key: db.key,
        subsets: [
            KubeEndpointSubset(
                addresses: [KubeEndpointAddress(ip: IPv4Octets(127, 0, 0, 1), podName: "db-0")],
                ports: [KubeEndpointPort(name: "pg", port: 31005)]),
            KubeEndpointSubset(
                addresses: [KubeEndpointAddress(ip: IPv4Octets(127, 0, 0, 3), podName: "db-1")],
                ports: [KubeEndpointPort(name: "pg", port: 31006)]),
        ])

    static func registry(_ changes: [RegistryChange]) -> ServiceRegistry {
        var registry = ServiceRegistry(configuration: configuration)
        for change in changes { registry.apply(change) }
        return registry
    }

    func answer(_ registry: inout ServiceRegistry, _ name: DNSName, _ type: DNSRecordType) -> DNSMessage {
        let services = registry.virtualServices()
        let answerer = DNSZoneAnswerer(zones: registry.zones(virtualServices: services))
        guard case .reply(let reply) = answerer.answer(.query(id: 7, name: name, type: type)) else {
            Issue.record("no reply for \(name)")
            return .query(id: 7, name: name, type: type)
        }
        return reply
    }

    @Test func clusterIPServiceHasAnAAndSRVPerNamedPort() {
        var registry = Self.registry([.kubeService(Self.web), .kubeEndpoints(Self.webEndpoints)])
        let a = answer(&registry, "WEB.default.svc.cluster.local", .a)
        #expect(a.rcode == .noError && a.answers.map(\.data) == [.a(IPv4Octets(127, 97, 0, 7))])

        let srv = answer(&registry, "_http._tcp.web.default.svc.cluster.local", .srv)
        #expect(
            srv.answers.map(\.data) == [
                .srv(priority: 0, weight: 100, port: 80, target: "web.default.svc.cluster.local")
            ])
        #expect(srv.additional.map(\.data) == [.a(IPv4Octets(127, 97, 0, 7))])
        let udp = answer(&registry, "_dns._udp.web.default.svc.cluster.local", .srv)
        #expect(
            udp.answers.map(\.data) == [
                .srv(priority: 0, weight: 100, port: 53, target: "web.default.svc.cluster.local")
            ])
        // The port is UDP: no TCP SRV name.
        #expect(answer(&registry, "_dns._tcp.web.default.svc.cluster.local", .srv).rcode == .nameError)

        // Names above existing ones exist (NOERROR, no data); others do not; the SOA comes with both.
        let namespace = answer(&registry, "default.svc.cluster.local", .a)
        #expect(namespace.rcode == .noError && namespace.answers.isEmpty)
        let missing = answer(&registry, "nope.default.svc.cluster.local", .a)
        #expect(missing.rcode == .nameError && missing.authority.first?.type == .soa)
        #expect(answer(&registry, "web.other.svc.cluster.local", .a).rcode == .nameError)
    }

    @Test func clusterIPHasAPTRInTheServiceRangesReverseZone() {
        var registry = Self.registry([.kubeService(Self.web)])
        let ptr = answer(&registry, "7.0.97.127.in-addr.arpa", .ptr)
        #expect(ptr.rcode == .noError && ptr.answers.map(\.data) == [.ptr("web.default.svc.cluster.local")])
        #expect(answer(&registry, "8.0.97.127.in-addr.arpa", .ptr).rcode == .nameError)
        let zones = registry.zones(virtualServices: registry.virtualServices()).map(\.apex)
        #expect(zones.contains("97.127.in-addr.arpa") && zones.contains("96.127.in-addr.arpa"))
        #expect(zones.contains("cluster.local"))
    }

    @Test func headlessServiceAnswersWithItsEndpoints() {
        var registry = Self.registry([.kubeService(Self.db), .kubeEndpoints(Self.dbEndpoints)])
        let a = answer(&registry, "db.default.svc.cluster.local", .a)
        #expect(Set(a.answers.map(\.data)) == [.a(IPv4Octets(127, 0, 0, 1)), .a(IPv4Octets(127, 0, 0, 3))])
        #expect(a.answers.count == 2)

        // Two endpoints: weight 100/2 each, the endpoint's own port, the pod's own name as target with its A.
        let srv = answer(&registry, "_pg._tcp.db.default.svc.cluster.local", .srv)
        #expect(
            Set(srv.answers.map(\.data)) == [
                .srv(priority: 0, weight: 50, port: 31005, target: "db-0.db.default.svc.cluster.local"),
                .srv(priority: 0, weight: 50, port: 31006, target: "db-1.db.default.svc.cluster.local"),
            ])
        #expect(
            Set(srv.additional.map(\.name)) == [
                "db-0.db.default.svc.cluster.local", "db-1.db.default.svc.cluster.local",
            ])
        let pod = answer(&registry, "db-1.db.default.svc.cluster.local", .a)
        #expect(pod.answers.map(\.data) == [.a(IPv4Octets(127, 0, 0, 3))])

        // No cluster IP: no listener and no PTR.
        #expect(registry.virtualServices().isEmpty)

        // Without endpoints the name is gone; so is everything once the Service is deleted.
        registry.apply(.kubeEndpointsDeleted(Self.db.key))
        #expect(answer(&registry, "db.default.svc.cluster.local", .a).answers.isEmpty)
        registry.apply(.kubeEndpoints(Self.dbEndpoints))
        registry.apply(.kubeServiceDeleted(Self.db.key))
        #expect(answer(&registry, "db-0.db.default.svc.cluster.local", .a).rcode == .nameError)
        #expect(registry.kubeEndpoints.isEmpty)
    }

    @Test func externalNameIsACNAME() {
        var registry = Self.registry([
            .kubeService(
                KubeService(
                    key: KubeServiceKey(namespace: "ops", name: "mail"), type: .externalName, clusterIP: nil,
                    ports: [], externalName: "smtp.example.com")),
            .kubeService(
                KubeService(
                    key: KubeServiceKey(namespace: "ops", name: "broken"), type: .externalName, clusterIP: nil,
                    ports: [], externalName: "bad..name")),
        ])
        let reply = answer(&registry, "mail.ops.svc.cluster.local", .cname)
        #expect(reply.answers.map(\.data) == [.cname("smtp.example.com")])
        #expect(answer(&registry, "broken.ops.svc.cluster.local", .a).rcode == .nameError)
        #expect(registry.virtualServices().isEmpty)
    }

    /// web: 127.97.0.7:80 over its two http endpoints in address order (the UDP port gets no listener); a NodePort
    /// Service also listens on 127.0.0.1:30080. Endpoint ports are matched by name: an unnamed endpoint port serves
    /// no named Service port.
    @Test func listenersForClusterIPsAndNodePorts() throws {
        let shop = KubeService(
            key: KubeServiceKey(namespace: "shop", name: "api"), type: .nodePort, clusterIP: IPv4Octets(127, 97, 1, 1),
            ports: [KubeServicePort(name: "web", port: 8080, nodePort: 30080)])
        var registry = Self.registry([
            .kubeService(Self.web), .kubeEndpoints(Self.webEndpoints), .kubeService(shop),
            .kubeEndpoints(
                KubeEndpoints(
                    key: shop.key,
                    subsets: [
                        KubeEndpointSubset(
                            addresses: [KubeEndpointAddress(ip: IPv4Octets(127, 0, 0, 1), podName: "api-1")],
                            ports: [KubeEndpointPort(port: 31010)])
                    ])),
        ])
        let services = registry.virtualServices()
        #expect(services.map { "\($0.address):\($0.port)" } == ["127.0.0.1:30080", "127.97.0.7:80", "127.97.1.1:8080"])
        let web = try #require(services.first { $0.port == 80 })
        #expect(web.name == "default/web" && web.framework == "kubernetes" && web.namespace == "default")
        #expect(web.dnsName == "web.default.svc.cluster.local" && web.portName == "http")
        #expect(
            web.backends.map { "\($0.task.taskID) \($0.address):\($0.port)" } == [
                "web-1 127.0.0.1:31001", "web-2 127.0.0.2:31001",
            ])
        #expect(services.filter { $0.name == "shop/api" }.allSatisfy { $0.backends.isEmpty })
        #expect(VirtualService(web).backends.map(\.id.value) == ["web-1", "web-2"])

        // Endpoints changes reach the backends; the Service's deletion removes its listeners.
        registry.apply(.kubeEndpointsDeleted(Self.web.key))
        #expect(try #require(registry.virtualServices().first { $0.port == 80 }).backends.isEmpty)
        registry.apply(.kubeServiceDeleted(shop.key))
        #expect(registry.virtualServices().map(\.port) == [80])
    }

    @Test func environmentFollowsTheKubeletsNaming() {
        let api = KubeService(
            key: KubeServiceKey(namespace: "shop", name: "web-api"), clusterIP: IPv4Octets(127, 97, 3, 3),
            ports: [KubeServicePort(name: "grpc-main", port: 9090), KubeServicePort(port: 9091)])
        let registry = Self.registry([.kubeService(Self.web), .kubeService(api), .kubeService(Self.db)])
        #expect(
            registry.kubeEnvironment(namespace: "shop") == [
                "WEB_API_SERVICE_HOST": "127.97.3.3", "WEB_API_SERVICE_PORT": "9090",
                "WEB_API_SERVICE_PORT_GRPC_MAIN": "9090",
            ])
        // Headless db has no variables; web's are in its own namespace only.
        #expect(
            registry.kubeEnvironment(namespace: "default") == [
                "WEB_SERVICE_HOST": "127.97.0.7", "WEB_SERVICE_PORT": "80", "WEB_SERVICE_PORT_HTTP": "80",
                "WEB_SERVICE_PORT_DNS": "53",
            ])
        #expect(registry.kubeEnvironment(namespace: "nothing").isEmpty)
        #expect(Set(registry.kubeEnvironments().keys) == ["default", "shop"])
        // The Marathon-VIP environment ignores Kubernetes entries.
        var copy = registry
        #expect(ServiceRegistry.environment(for: copy.virtualServices()).isEmpty)
    }

    /// A Kubernetes cluster IP inside the VIP range is claimed before Marathon names get addresses: the name whose
    /// hash would give it that address gets another one, and the claim ends with the Service.
    @Test func clusterIPsInTheVIPRangeAreClaimed() throws {
        var alone = ServiceRegistry(configuration: Self.configuration)
        alone.apply(.running(ServiceRegistryTests.webTask(1)))
        let marathonFirstChoice = try #require(alone.virtualServices().first).address

        let squatter = KubeService(
            key: KubeServiceKey(namespace: "default", name: "squatter"), clusterIP: marathonFirstChoice,
            ports: [KubeServicePort(port: 81)])
        var registry = Self.registry([.kubeService(squatter), .running(ServiceRegistryTests.webTask(1))])
        let services = registry.virtualServices()
        let marathon = try #require(services.first { $0.namespace == nil })
        #expect(marathon.address != marathonFirstChoice)
        #expect(registry.pool.assigned["default/squatter"] == marathonFirstChoice)
        // The reverse zone of the VIP range has both PTRs, each once.
        let ptr = answer(&registry, ServiceRegistryTests.reverse(marathonFirstChoice), .ptr)
        #expect(ptr.answers.map(\.data) == [.ptr("squatter.default.svc.cluster.local")])

        registry.apply(.kubeServiceDeleted(squatter.key))
        _ = registry.virtualServices()
        #expect(registry.pool.assigned["default/squatter"] == nil)
    }

    @Test func poolClaimsAndReleases() throws {
        var pool = try #require(VirtualIPPool(cidr: "127.97.0.0/24", reserved: [IPv4Octets(127, 97, 0, 10)]))
        func claim(_ last: UInt8, _ name: String, third: UInt8 = 97) -> Bool {
            pool.claim(IPv4Octets(127, third, 0, last), for: name)
        }
        #expect(claim(5, "a"))
        #expect(claim(5, "a"))  // again: still a's
        #expect(!claim(5, "b"))  // a's
        #expect(!claim(10, "b"))  // reserved
        #expect(!claim(0, "b"))  // the network
        #expect(!claim(255, "b"))  // the last address
        #expect(!claim(5, "b", third: 96))  // outside
        // Moving a name frees its old address.
        #expect(claim(6, "a"))
        #expect(claim(5, "b"))
        pool.release("b")
        #expect(pool.assigned["b"] == nil)
        #expect(claim(5, "c"))

        // Filling the range: 256 - network - last - reserved = 253 addresses, all different, then nil.
        var full = try #require(VirtualIPPool(cidr: "127.97.0.0/24", reserved: [IPv4Octets(127, 97, 0, 10)]))
        var given: Set<IPv4Octets> = []
        for index in 0..<253 {
            let address = full.address(for: "svc-\(index)")
            given.insert(try #require(address))
        }
        #expect(given.count == 253 && !given.contains(IPv4Octets(127, 97, 0, 10)))
        let overflow = full.address(for: "one-more")
        #expect(overflow == nil)
        full.release("svc-7")
        let afterRelease = full.address(for: "one-more")
        #expect(afterRelease != nil)
    }
}

extension ServiceRegistryTests {
    /// `d.c.b.a.in-addr.arpa.`
    static func reverse(_ address: IPv4Octets) -> DNSName {
        DNSName(address.bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa")!
    }
}
