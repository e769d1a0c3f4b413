import BoxTestSupport
import Foundation
import Testing

/// DRF across transports: an external framework written with the real pymesos library (HTTP, `POST
/// /api/v1/scheduler`) and clusterbox's built-in batch framework (in process) both want more than the cluster
/// has. With short tasks the cluster churns, and every freed resource goes to the framework with the lower
/// (weighted) dominant share, so the two converge to equal shares, and to 2:1 once the pymesos role weighs 2.
@Suite(.serialized) struct DRFAcrossTransportsTests {
    static let greedy =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/greedy_framework.py"
        ).path

    /// Two agents of 3 cpus and 3072 MiB; both frameworks run `sleep 1` tasks of 0.5 cpus and 256 MiB, so one
    /// task is a dominant share (cpus) of 0.5 / 6 ≈ 0.083 and the cluster holds 12 at once: 6 + 6 at 1:1 and
    /// 8 + 4 at 2:1 are whole numbers of tasks. (With 16 places, 2:1 has no exact split: DRF settles on 10 + 6,
    /// the batch framework winning the tie at 10 + 5 on its lower framework id, which is exactly one task apart.)
    static let agents = 2
    static let agentCPUs = 3.0
    static let agentMem = 3072.0
    static let taskCPUs = 0.5
    static let taskMem = 256.0
    static var oneTask: Double {
        max(taskCPUs / (agentCPUs * Double(agents)), taskMem / (agentMem * Double(agents)))
    }
    /// Jobs the batch framework keeps waiting beyond what it has launched: more than the cluster can hold at once.
    static let backlog = 24

    @Test func equalAndWeightedShares() async throws { try await onOwnThread { try Self.run() } }

    static func run() throws {
        let started = Date()
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up([
            "--agents", "\(agents)", "--agent-resources", "cpus:\(Int(agentCPUs));mem:\(Int(agentMem));disk:8192",
        ])
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        let batch = BatchFeeder(cli: cli)
        try batch.topUp()

        // The pymesos framework, stopped by its own pid; it also stops by itself after 80 s.
        guard FileManager.default.isExecutableFile(atPath: SchedulerAPITests.python) else {
            throw CLIMissing(path: SchedulerAPITests.python)
        }
        let framework = Process()
        framework.executableURL = URL(fileURLWithPath: SchedulerAPITests.python)
        framework.arguments = [
            "-u", greedy, "--master", "127.0.0.1:\(cli.port)", "--role", "pymesos", "--cpus", "\(taskCPUs)",
            "--mem", "\(Int(taskMem))", "--sleep", "1", "--seconds", "80",
        ]
        let output = cli.dataDirectory + "/greedy.log"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        framework.standardOutput = log
        framework.standardError = log
        framework.standardInput = FileHandle.nullDevice
        try framework.run()
        defer {
            if framework.isRunning { kill(framework.processIdentifier, SIGTERM) }
            let deadline = Date().addingTimeInterval(10)
            while framework.isRunning && Date() < deadline { usleep(50_000) }
            if framework.isRunning { kill(framework.processIdentifier, SIGKILL) }
            framework.waitUntilExit()
            try? log.close()
        }
        func frameworkLog() -> String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

        // Wait until pymesos subscribed and holds something.
        var subscribed = false
        for _ in 0..<100 where !subscribed {
            subscribed = (try? shares(cli))?.pymesos.share ?? 0 > 0
            if !subscribed { usleep(100_000) }
            try batch.topUpIfDue()
        }
        try #require(subscribed, "the pymesos framework never got resources:\n\(frameworkLog())")

        // 1:1 — equal dominant shares.
        let equal = try measure(cli, batch, pymesosWeight: 1, warmUp: 5, window: 12)
        print(
            "DRF 1:1: median share pymesos \(format(equal.pymesos)), batch \(format(equal.batch)), "
                + "median |difference| \(format(equal.difference)) (one task \(format(oneTask))), "
                + "median sum \(format(equal.sum)), \(equal.samples) samples")

        // 2:1 — the pymesos role weighs 2: weighted shares (dominant share / weight) equal, pymesos ≈ 2 × batch.
        let put = try cli.curl([
            "-w", "\n%{http_code}", "-X", "PUT", "-d", #"{"weight": 2}"#, "\(cli.url)/clusterbox/v1/roles/pymesos",
        ])
        #expect(put.stdout.hasSuffix("200"), "\(put.stdout)")
        let weighted = try measure(cli, batch, pymesosWeight: 2, warmUp: 5, window: 12)
        print(
            "DRF 2:1: median share pymesos \(format(weighted.pymesos)), batch \(format(weighted.batch)), "
                + "median |weighted difference| \(format(weighted.difference)) (one task \(format(oneTask))), "
                + "median sum \(format(weighted.sum)), \(weighted.samples) samples, reported weight \(weighted.weight)")

        // SIGTERM stops the framework at once, by itself: it tears down and prints its summary.
        kill(framework.processIdentifier, SIGTERM)
        let stopDeadline = Date().addingTimeInterval(10)
        while framework.isRunning && Date() < stopDeadline { usleep(20_000) }
        #expect(!framework.isRunning, "the pymesos framework ignored SIGTERM")
        print("DRF across transports took \(format(Date().timeIntervalSince(started))) s")

        let context = Comment(rawValue: "pymesos framework output:\n\(frameworkLog())")
        if !framework.isRunning {
            #expect(framework.terminationReason == .exit && framework.terminationStatus == 0, context)
            #expect(frameworkLog().contains("greedy framework stopped"), context)
        }
        // The cluster is busy: both frameworks hold something and together most of it.
        #expect(equal.sum >= 0.6, context)
        #expect(weighted.sum >= 0.6, context)
        #expect(equal.pymesos > 0 && equal.batch > 0, context)
        // Equal within two tasks. On a quiet machine the median gap is 0; but the tasks are short and finish all the
        // time, and where the Python framework is starved of CPU its replacements lag, so on a machine with two extra
        // busy loops the median gap was two tasks. An allocator that did not equalise would leave a gap of half the
        // cluster. (The room for rounding: shares are sums of fractions, and a gap of exactly one task once came out as
        // 0.08333333333333337 against 0.08333333333333333.)
        let slack = 2 * oneTask + 1e-9
        #expect(equal.difference <= slack, context)
        // Weighted: pymesos' share / 2 within two tasks of batch's. Were the weight ignored, the shares would stay
        // at 0.5 each, a weighted gap of 0.25 (three tasks).
        #expect(weighted.weight == 2, context)
        #expect(weighted.difference <= slack, context)
        #expect(weighted.pymesos > weighted.batch, context)
    }

    struct Measurement {
        var pymesos: Double
        var batch: Double
        /// Median |pymesos' share / its role's intended weight - batch's share|.
        var difference: Double
        var sum: Double
        var weight: Double
        var samples: Int
    }

    /// Waits `warmUp` seconds, then samples the shares about five times a second for `window` seconds, keeping the
    /// batch queue topped up throughout. The weighted difference uses the weight the test set, not the one the
    /// master reports, so a weight that did not take fails too.
    static func measure(_ cli: CLI, _ batch: BatchFeeder, pymesosWeight: Double, warmUp: Double, window: Double)
        throws -> Measurement
    {
        let warm = Date().addingTimeInterval(warmUp)
        while Date() < warm {
            try batch.topUpIfDue()
            usleep(200_000)
        }
        var pymesos: [Double] = []
        var batchShares: [Double] = []
        var differences: [Double] = []
        var sums: [Double] = []
        var weight = 0.0
        let end = Date().addingTimeInterval(window)
        while Date() < end {
            let sample = try shares(cli)
            pymesos.append(sample.pymesos.share)
            batchShares.append(sample.batch.share)
            differences.append(abs(sample.pymesos.share / pymesosWeight - sample.batch.share))
            sums.append(sample.pymesos.share + sample.batch.share)
            weight = sample.pymesos.weight
            try batch.topUpIfDue()
            usleep(150_000)
        }
        return Measurement(
            pymesos: median(pymesos), batch: median(batchShares), difference: median(differences), sum: median(sums),
            weight: weight, samples: differences.count)
    }

    struct Share {
        var share = 0.0
        /// The framework's weight as the master reports it (role weight × framework weight).
        var weight = 1.0
    }

    /// `GET /clusterbox/v1/shares`: the dominant shares of the pymesos role's framework and of batch.
    static func shares(_ cli: CLI) throws -> (pymesos: Share, batch: Share) {
        let body = try cli.curl(["\(cli.url)/clusterbox/v1/shares"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        var pymesos = Share()
        var batch = Share()
        for entry in object?["frameworks"] as? [[String: Any]] ?? [] {
            let share = Share(
                share: entry["dominant_share"] as? Double ?? 0, weight: entry["weight"] as? Double ?? 1)
            switch entry["role"] as? String {
            case "pymesos": pymesos = share
            case "batch": batch = share
            default: break
            }
        }
        return (pymesos, batch)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

/// Keeps the batch framework's demand unbounded: `backlog` more `sleep 1` jobs submitted than it has launched
/// (running plus completed tasks in `/master/state`), checked about once a second.
final class BatchFeeder {
    let cli: CLI
    private(set) var submitted = 0
    private var lastCheck = Date.distantPast

    init(cli: CLI) { self.cli = cli }

    func topUpIfDue() throws {
        guard Date().timeIntervalSince(lastCheck) >= 0.8 else { return }
        try topUp()
    }

    func topUp() throws {
        lastCheck = Date()
        let waiting = submitted == 0 ? 0 : submitted - (try launched())
        let missing = DRFAcrossTransportsTests.backlog - waiting
        guard missing > 0 else { return }
        let (cpus, mem) = (DRFAcrossTransportsTests.taskCPUs, Int(DRFAcrossTransportsTests.taskMem))
        let job = #"{"cmd": "sleep 1", "cpus": \#(cpus), "mem": \#(mem)}"#
        // One curl for all of them: the same body POSTed to the URL once per copy.
        let urls = Array(repeating: "\(cli.url)/batch/v1/jobs", count: missing)
        let result = try cli.curl(["-w", "\nHTTP %{http_code}\n", "-d", job] + urls)
        let created = result.stdout.components(separatedBy: "HTTP 201").count - 1
        #expect(created == missing, "batch submissions: \(result.stdout.suffix(500))")
        submitted += created
    }

    /// Batch tasks launched so far: running and completed.
    private func launched() throws -> Int {
        let body = try cli.curl(["\(cli.url)/master/state"]).stdout
        let state = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        let batch = (state?["frameworks"] as? [[String: Any]])?.first { $0["name"] as? String == "batch" }
        return ((batch?["tasks"] as? [Any])?.count ?? 0) + ((batch?["completed_tasks"] as? [Any])?.count ?? 0)
    }
}
