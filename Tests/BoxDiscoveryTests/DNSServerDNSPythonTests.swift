import BoxDiscovery
import BoxTestSupport
import Testing

/// The live server against dnspython (the checkout's `.venv`), through `Fixtures/dns_checks.py`: A, SRV with its
/// additional records, PTR, SOA, NXDOMAIN with the SOA over UDP and TCP, TC without EDNS and the fallback to TCP
/// that gets all 60 records, RD clear, a mixed-case question, three queries on one TCP connection, and REFUSED
/// outside the zones. The script prints a line per check.
@Suite(
    .enabled(
        if: TestTools.hasDNSPython || TestTools.required,
        "no Python with dnspython at .venv/bin/python or $CLUSTERBOX_PYTHON (./install.sh --test sets up .venv)"))
struct DNSServerDNSPythonTests {
    @Test func dnspythonChecksPass() async throws {
        try await withDNSServer { server, _ in
            let arguments = [TestTools.fixtures + "/dns_checks.py", "127.0.0.1", "\(server.port)"]
            let result = try await onOwnThread { try TestTools.run(TestTools.python, arguments, timeoutSeconds: 60) }
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("all 22 checks passed"), "\(result.stdout)\n\(result.stderr)")
        }
    }
}
