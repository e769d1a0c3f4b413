import BoxDiscovery
import BoxTestSupport
import Testing

/// The live server against BIND's `dig`, over UDP and TCP on loopback: what an operator types.
@Suite(.enabled(if: TestTools.dig != nil || TestTools.required, "dig is not installed (apt-get install dnsutils)"))
struct DNSServerDigTests {
    /// Runs `dig @127.0.0.1 -p PORT +tries=1 +time=2 arguments…` on a thread of its own.
    func dig(_ server: DNSServer, _ arguments: [String]) async throws -> DigOutput {
        guard let dig = TestTools.dig else { throw TestSocketError(description: "dig is not installed") }
        let command = ["@127.0.0.1", "-p", "\(server.port)", "+tries=1", "+time=2"] + arguments
        let result = try await onOwnThread { try TestTools.run(dig, command, timeoutSeconds: 20) }
        #expect(result.status == 0, "dig \(command): \(result.stdout) \(result.stderr)")
        return DigOutput(result.stdout)
    }

    @Test func aRecordsAreAuthoritative() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["web-prod.marathon.mesos", "A"])
            #expect(output.status == "NOERROR" && output.flags.isSuperset(of: ["qr", "aa", "rd"]), "\(output.text)")
            #expect(Set(output.answers("A")) == ["127.96.0.10", "127.96.0.11", "127.96.0.12"], "\(output.text)")
            #expect(output.answer.allSatisfy { $0[1] == "5" }, "TTL 5 s: \(output.text)")
            #expect(output.transport == "UDP")
            let k8s = try await dig(server, ["api.default.svc.cluster.local"])
            #expect(k8s.answers("A") == ["127.96.2.1"], "\(k8s.text)")
        }
    }

    /// Three SRV records; the additional section carries the A record of each target.
    @Test func srvRecordsCarryTheirTargetsAddresses() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["_web-prod._tcp.marathon.mesos", "SRV"])
            #expect(output.status == "NOERROR", "\(output.text)")
            #expect(
                Set(output.answers("SRV")) == Set((0..<3).map { "0 1 \(31000 + $0) web-prod-\($0).marathon.mesos." }),
                "\(output.text)")
            let additional = Set(output.additional.filter { $0[3] == "A" }.map { "\($0[0]) \($0[4])" })
            #expect(
                additional == Set((0..<3).map { "web-prod-\($0).marathon.mesos. 127.96.0.\(10 + $0)" }),
                "\(output.text)")
        }
    }

    @Test func reverseLookupFindsThePTR() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["-x", "127.96.0.10"])
            #expect(output.status == "NOERROR" && output.flags.contains("aa"), "\(output.text)")
            #expect(output.answers("PTR") == ["web-prod-0.marathon.mesos."], "\(output.text)")
            let missing = try await dig(server, ["-x", "127.96.0.99"])
            #expect(missing.status == "NXDOMAIN" && missing.authority.first?[3] == "SOA", "\(missing.text)")
        }
    }

    @Test func soaAtTheApex() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["mesos", "SOA"])
            #expect(output.status == "NOERROR", "\(output.text)")
            #expect(output.answers("SOA") == ["ns1.mesos. root.ns1.mesos. 7 60 10 3600 5"], "\(output.text)")
        }
    }

    /// An unknown name in a zone: NXDOMAIN, and the zone's SOA in the authority section for negative caching.
    @Test func unknownNameIsNXDOMAINWithTheSOA() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["nope.marathon.mesos", "A"])
            #expect(output.status == "NXDOMAIN" && output.answer.isEmpty, "\(output.text)")
            #expect(output.authority.map { [$0[0], $0[3]] } == [["mesos.", "SOA"]], "\(output.text)")
            // A name that exists with another type: NOERROR, no data, the SOA.
            let noData = try await dig(server, ["leader.mesos", "AAAA"])
            #expect(noData.status == "NOERROR" && noData.answer.isEmpty && noData.authority.count == 1)
            let outside = try await dig(server, ["example.com", "A"])
            #expect(outside.status == "REFUSED", "\(outside.text)")
        }
    }

    /// 60 A records are 960 octets of answer: over 512, so without EDNS (or with a 512-octet buffer) the UDP reply
    /// is cut with TC and dig asks again over TCP, which carries all 60. With dig's default EDNS size (1232) they
    /// fit in UDP.
    @Test func truncatedReplyMakesDigRetryOverTCP() async throws {
        try await withDNSServer { server, _ in
            for options in [["+noedns"], ["+bufsize=512"]] {
                let output = try await dig(server, options + ["big.marathon.mesos", "A"])
                #expect(output.retriedOverTCP && output.transport == "TCP", "\(options): \(output.text)")
                #expect(output.answers("A").count == ServerTestZones.bigCount, "\(options): \(output.text)")
            }
            let cut = try await dig(server, ["+noedns", "+ignore", "big.marathon.mesos", "A"])
            #expect(cut.flags.contains("tc") && cut.answer.count < ServerTestZones.bigCount, "\(cut.text)")
            let tcp = try await dig(server, ["+tcp", "big.marathon.mesos", "A"])
            #expect(tcp.transport == "TCP" && !tcp.retriedOverTCP, "\(tcp.text)")
            #expect(tcp.answers("A").count == ServerTestZones.bigCount, "\(tcp.text)")
            let edns = try await dig(server, ["big.marathon.mesos", "A"])
            #expect(edns.transport == "UDP" && edns.answers("A").count == ServerTestZones.bigCount, "\(edns.text)")
            #expect(server.statistics.truncated == 3)
        }
    }

    /// +norecurse clears RD, which the reply echoes; the question comes back spelled as asked.
    @Test func noRecurseAndMixedCase() async throws {
        try await withDNSServer { server, _ in
            let output = try await dig(server, ["+norecurse", "LeAdEr.MeSoS", "A"])
            #expect(output.status == "NOERROR" && output.flags.contains("aa") && !output.flags.contains("rd"))
            #expect(output.question == ["LeAdEr.MeSoS.", "IN", "A"], "\(output.text)")
            #expect(output.answers("A") == ["127.96.0.1"], "\(output.text)")
            let tcp = try await dig(server, ["+tcp", "WEB-PROD.Marathon.MESOS", "A"])
            #expect(tcp.answers("A").count == 3 && tcp.question.first == "WEB-PROD.Marathon.MESOS.", "\(tcp.text)")
        }
    }
}
