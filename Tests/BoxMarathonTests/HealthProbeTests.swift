import Foundation
import Synchronization
import Testing

@testable import BoxMarathon

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Each probe runs against something the test starts itself on 127.0.0.1 (a LoopbackServer, a bound but not listening
// socket, a child shell) and stops before returning. Timeouts are 0.5 s; a timed-out probe must return within
// 0.5 s + 1.5 s of slack, and a command's whole process group must be gone afterwards.
@Suite struct HealthProbeTests {
    let prober = HealthProbe()

    static func check(_ kind: HealthCheck.Kind, path: String = "/", timeoutSeconds: Double = 5) -> HealthCheck {
        var check = HealthCheck(protocol: kind)
        check.path = path
        check.timeoutSeconds = timeoutSeconds
        return check
    }

    func probe(_ check: HealthCheck, ports: [UInt16], environment: [String: String] = [:], sandbox: String? = nil)
        async -> ProbeResult
    {
        await prober.probe(check, host: "127.0.0.1", ports: ports, environment: environment, sandbox: sandbox)
    }

    func probeHTTP(reply: String?, check: HealthCheck) async throws -> (ProbeResult, [String], Duration) {
        let server = try LoopbackServer(reply: reply)
        defer { server.stop() }
        let start = ContinuousClock.now
        let result = await probe(check, ports: [server.port])
        return (result, server.requests, ContinuousClock.now - start)
    }

    // MARK: - HTTP

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ProbeResult.alive),
        ("HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n", .alive),
        ("HTTP/1.0 399 Odd\r\n\r\n", .alive),
        ("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", .dead("HTTP 503")),
        ("HTTP/1.1 404 Not Found\r\n\r\n", .dead("HTTP 404")),
        ("SSH-2.0-OpenSSH\r\n", .dead("malformed HTTP status line")),
        ("", .dead("connection closed before a response")),
    ])
    func httpStatus(reply: String, expected: ProbeResult) async throws {
        let (result, requests, _) = try await probeHTTP(reply: reply, check: Self.check(.http))
        #expect(result == expected)
        #expect(requests.count == 1)
    }

    @Test func httpSendsPathAndHost() async throws {
        let server = try LoopbackServer(reply: "HTTP/1.1 204 No Content\r\n\r\n")
        defer { server.stop() }
        let result = await probe(Self.check(.mesosHTTP, path: "/health?deep=1"), ports: [server.port])
        #expect(result == .alive)
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("GET /health?deep=1 HTTP/1.1\r\n"))
        #expect(request.contains("\r\nHost: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("\r\nConnection: close\r\n"))
        #expect(request.contains("\r\nUser-Agent: clusterbox-marathon\r\n"))
    }

    /// 100 Continue then 200: alive only when 1xx responses are ignored; otherwise the 100 is the (failing) answer.
    @Test(arguments: [true, false])
    func httpInformational(ignore: Bool) async throws {
        var check = Self.check(.http)
        check.ignoreHttp1xx = ignore
        let reply = "HTTP/1.1 100 Continue\r\nX-A: b\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        let (result, _, _) = try await probeHTTP(reply: reply, check: check)
        #expect(result == (ignore ? .alive : .dead("HTTP 100")))
    }

    @Test func httpTimesOutWhenTheServerNeverAnswers() async throws {
        let (result, requests, elapsed) = try await probeHTTP(reply: nil, check: Self.check(.http, timeoutSeconds: 0.5))
        #expect(result == .dead("timed out after 0.5s waiting for a response"))
        #expect(requests.count == 1)
        // The upper bound only proves the timeout ended the wait: a loaded 2-core CI machine delays resumption.
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(30))
    }

    @Test(arguments: [HealthCheck.Kind.http, .mesosHTTP, .tcp, .mesosTCP])
    func connectionRefused(kind: HealthCheck.Kind) async throws {
        let socket = try LoopbackSocket.bound()  // bound, not listening: nothing accepts on this port
        defer { close(socket) }
        let result = await probe(Self.check(kind), ports: [LoopbackSocket.port(of: socket)])
        #expect(result == .dead("connection refused"))
    }

    @Test func resolvesHostNames() async throws {
        let server = try LoopbackServer(reply: "HTTP/1.1 200 OK\r\n\r\n")
        defer { server.stop() }
        let check = Self.check(.http, timeoutSeconds: 1)
        #expect(
            await prober.probe(check, host: "localhost", ports: [server.port], environment: [:], sandbox: nil) == .alive
        )
        let start = ContinuousClock.now
        let unknown = await prober.probe(
            check, host: "no-such-host.invalid", ports: [server.port], environment: [:], sandbox: nil)
        #expect(!unknown.alive)
        #expect(
            unknown.cause == "cannot resolve host no-such-host.invalid" || unknown.cause?.hasPrefix("timed out") == true
        )
        // The check's 1 s timeout covers the lookup: no waiting out the system resolver (5 s per attempt, two
        // attempts). Room for a loaded machine: a full test run took 4 s here once.
        #expect(ContinuousClock.now - start < .seconds(8))
    }

    @Test(arguments: [HealthCheck.Kind.https, .mesosHTTPS])
    func httpsIsNotSupported(kind: HealthCheck.Kind) async {
        #expect(await probe(Self.check(kind), ports: [443]) == .dead("HTTPS checks are not supported yet"))
    }

    // MARK: - TCP and ports

    @Test func tcpConnects() async throws {
        let (result, _, _) = try await probeHTTP(reply: nil, check: Self.check(.tcp))
        #expect(result == .alive)
    }

    @Test func portIndexAndFixedPort() async throws {
        let server = try LoopbackServer(reply: nil)
        defer { server.stop() }
        var check = Self.check(.tcp)
        check.portIndex = 1
        #expect(await probe(check, ports: [1, server.port]) == .alive)
        #expect(
            await probe(check, ports: [server.port]) == .dead("portIndex 1 is out of range: the task has 1 port(s)"))
        check.port = Int(server.port)
        #expect(await probe(check, ports: []) == .alive)
    }

    // MARK: - COMMAND

    static func command(_ line: String, timeoutSeconds: Double = 5) -> HealthCheck {
        var check = check(.command, timeoutSeconds: timeoutSeconds)
        check.command = line
        return check
    }

    @Test(arguments: [
        ("exit 0", ProbeResult.alive), ("true", .alive), ("exit 1", .dead("exit status 1")),
        ("exit 3", .dead("exit status 3")), ("kill -TERM $$", .dead("terminated by signal 15")),
    ])
    func commandExitStatus(line: String, expected: ProbeResult) async {
        #expect(await probe(Self.command(line), ports: []) == expected)
    }

    @Test func commandSeesEnvironmentAndSandbox() async throws {
        let sandbox = try Self.makeSandbox()
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        let environment = ["PORT0": "31000", "HOST": "agent-1", "MESOS_SANDBOX": sandbox]
        let line = #"printf '%s|%s|%s|%s' "$PORT0" "$HOST" "$MESOS_SANDBOX" "$(pwd -P)" > probe.out"#
        #expect(await probe(Self.command(line), ports: [], environment: environment, sandbox: sandbox) == .alive)
        let written = try String(contentsOfFile: sandbox + "/probe.out", encoding: .utf8)
        let physical = try #require(realpath(sandbox, nil))
        defer { free(physical) }
        #expect(written == "31000|agent-1|\(sandbox)|\(String(cString: physical))")
        // Without a sandbox the command runs in /.
        #expect(await probe(Self.command(#"test "$(pwd)" = /"#), ports: []) == .alive)
        let missing = await probe(Self.command("true"), ports: [], sandbox: sandbox + "/missing")
        #expect(
            missing == .dead("cannot run the command: working directory \(sandbox)/missing: No such file or directory"))
    }

    /// `sleep 30` in the background, then `wait`: at 0.5 s the probe kills the group, the shell and the sleep.
    @Test func commandTimeoutKillsTheProcessGroup() async throws {
        let sandbox = try Self.makeSandbox()
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        let start = ContinuousClock.now
        let check = Self.command("sleep 30 & echo $! > sleeper.pid; wait", timeoutSeconds: 0.5)
        let result = await probe(check, ports: [], sandbox: sandbox)
        let elapsed = ContinuousClock.now - start
        #expect(result == .dead("timed out after 0.5s"))
        #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(30))
        try await Self.expectGone(sandbox + "/sleeper.pid")
    }

    @Test func leftoverBackgroundProcessesAreKilled() async throws {
        let sandbox = try Self.makeSandbox()
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        let result = await probe(Self.command("sleep 30 & echo $! > sleeper.pid"), ports: [], sandbox: sandbox)
        #expect(result == .alive)
        try await Self.expectGone(sandbox + "/sleeper.pid")
    }

    @Test func cancellationKillsTheCommand() async throws {
        let sandbox = try Self.makeSandbox()
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        let prober = prober
        let ended = Mutex<ProbeResult?>(nil)
        let task = Task {
            let result = await prober.probe(
                Self.command("echo $$ > shell.pid; sleep 30", timeoutSeconds: 60), host: "127.0.0.1", ports: [],
                environment: [:], sandbox: sandbox)
            ended.withLock { $0 = result }
            return result
        }
        // Generous for a loaded machine (the shell must start and write its pid), but a probe that ended before
        // the shell wrote it says why at once.
        try await Self.waitForFile(sandbox + "/shell.pid", timeout: .seconds(30)) {
            ended.withLock { $0.map { "the probe ended before the shell wrote its pid: \($0)" } }
        }
        task.cancel()
        #expect(await task.value == .dead("cancelled"))
        try await Self.expectGone(sandbox + "/shell.pid")
    }

    // MARK: - Status line scanner

    @Test func scannerAcceptsArbitraryChunks() {
        var scanner = HTTPStatusScanner(ignoreInformational: true)
        let response = Array("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 503 Busy\r\n\r\n".utf8)
        var outcomes: [HTTPStatusScanner.Outcome] = []
        for byte in response { outcomes.append(scanner.feed([byte])) }
        #expect(outcomes.dropLast(4).allSatisfy { $0 == .needMore })
        #expect(outcomes.last == .status(503))
        var strict = HTTPStatusScanner(ignoreInformational: false)
        #expect(strict.feed(Array("HTTP/1.1 1000 x\r\n".utf8)) == .malformed("malformed HTTP status line"))
        var huge = HTTPStatusScanner(ignoreInformational: false)
        #expect(huge.feed([UInt8](repeating: 65, count: 70_000)) == .malformed("HTTP response head exceeds 64 KiB"))
    }

    @Test func requestTargetCannotInjectHeaders() {
        let request = HealthProbe.httpRequest(path: "health\r\nX: y z", host: "::1", port: 8080)
        #expect(request.hasPrefix("GET /health%0D%0AX:%20y%20z HTTP/1.1\r\nHost: [::1]:8080\r\n"))
    }

    // MARK: - Helpers

    static func makeSandbox() throws -> String {
        let path = NSTemporaryDirectory() + "health-probe-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Waits until `path` holds a whole line. Fails after `timeout`, or as soon as `giveUp` returns a reason.
    static func waitForFile(
        _ path: String, timeout: Duration = .seconds(5), giveUp: () -> String? = { nil }
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while (try? String(contentsOfFile: path, encoding: .utf8))?.hasSuffix("\n") != true {
            if let reason = giveUp() { throw WaitFailure(description: reason) }
            guard ContinuousClock.now < deadline else {
                throw WaitFailure(description: "\(path): none after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    struct WaitFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// The process whose pid the file holds is gone (or a zombie awaiting its reaper) within 2 s.
    static func expectGone(_ pidFile: String) async throws {
        let text = try String(contentsOfFile: pidFile, encoding: .utf8)
        let pid = try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = ContinuousClock.now + .seconds(2)
        while isRunning(pid), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!isRunning(pid), "process \(pid) survived the probe")
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[close...].hasPrefix(") Z")
    }
}
