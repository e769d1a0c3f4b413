import BoxDiscovery
import BoxTestSupport
import Testing

/// BIND's `dig` against a live DNS server answering from a registry with Kubernetes Services: what a pod's
/// resolver asks. ClusterIP `default/web` at 127.97.0.7 (http 80) and headless `default/db` with pods db-0
/// (127.0.0.1:31005) and db-1 (127.0.0.3:31006).
@Suite(
    .enabled(if: TestTools.dig != nil || TestTools.required, "dig is not installed (apt-get install dnsutils)"),
    .timeLimit(.minutes(5)))
struct KubeServicesDigTests {
    static func answerer() -> DNSZoneAnswerer {
        var registry = KubeServicesRegistryTests.registry([
            .kubeService(KubeServicesRegistryTests.web), .kubeEndpoints(KubeServicesRegistryTests.webEndpoints),
            .kubeService(KubeServicesRegistryTests.db), .kubeEndpoints(KubeServicesRegistryTests.dbEndpoints),
        ])
        return DNSZoneAnswerer(zones: registry.zones(virtualServices: registry.virtualServices()))
    }

    /// Runs `dig @127.0.0.1 -p PORT +tries=1 +time=2 arguments…` on a thread of its own.
    func dig(_ server: DNSServer, _ arguments: [String]) async throws -> DigOutput {
        guard let dig = TestTools.dig else { throw TestSocketError(description: "dig is not installed") }
        let command = ["@127.0.0.1", "-p", "\(server.port)", "+tries=1", "+time=2"] + arguments
        let result = try await onOwnThread { try TestTools.run(dig, command, timeoutSeconds: 20) }
        #expect(result.status == 0, "dig \(command): \(result.stdout) \(result.stderr)")
        return DigOutput(result.stdout)
    }

    @Test func serviceNamesAnswerAuthoritatively() async throws {
        try await withDNSServer(Self.answerer()) { server, _ in
            let a = try await dig(server, ["web.default.svc.cluster.local", "A"])
            #expect(a.status == "NOERROR" && a.flags.contains("aa"), "\(a.text)")
            #expect(a.answers("A") == ["127.97.0.7"], "\(a.text)")

            let srv = try await dig(server, ["_http._tcp.web.default.svc.cluster.local", "SRV"])
            #expect(srv.answers("SRV") == ["0 100 80 web.default.svc.cluster.local."], "\(srv.text)")
            #expect(
                srv.additional.filter { $0[3] == "A" }.map { "\($0[0]) \($0[4])" } == [
                    "web.default.svc.cluster.local. 127.97.0.7"
                ], "\(srv.text)")

            let ptr = try await dig(server, ["-x", "127.97.0.7"])
            #expect(ptr.status == "NOERROR" && ptr.flags.contains("aa"), "\(ptr.text)")
            #expect(ptr.answers("PTR") == ["web.default.svc.cluster.local."], "\(ptr.text)")
            let noPTR = try await dig(server, ["-x", "127.97.0.8"])
            #expect(noPTR.status == "NXDOMAIN" && noPTR.authority.first?[3] == "SOA", "\(noPTR.text)")
        }
    }

    @Test func headlessServiceOverTCP() async throws {
        try await withDNSServer(Self.answerer()) { server, _ in
            let a = try await dig(server, ["+tcp", "db.default.svc.cluster.local", "A"])
            #expect(a.transport == "TCP" && Set(a.answers("A")) == ["127.0.0.1", "127.0.0.3"], "\(a.text)")
            let srv = try await dig(server, ["_pg._tcp.db.default.svc.cluster.local", "SRV"])
            #expect(
                Set(srv.answers("SRV")) == [
                    "0 50 31005 db-0.db.default.svc.cluster.local.", "0 50 31006 db-1.db.default.svc.cluster.local.",
                ], "\(srv.text)")
            #expect(
                Set(srv.additional.filter { $0[3] == "A" }.map { "\($0[0]) \($0[4])" }) == [
                    "db-0.db.default.svc.cluster.local. 127.0.0.1", "db-1.db.default.svc.cluster.local. 127.0.0.3",
                ], "\(srv.text)")
            let missing = try await dig(server, ["nope.default.svc.cluster.local", "A"])
            #expect(missing.status == "NXDOMAIN", "\(missing.text)")
        }
    }
}
