import BoxServer
import Foundation

/// One lesson of `clusterbox tour`: it acts on the live cluster step by step, says what happened with measured
/// numbers, and checks each claim it makes against measured state (`TourSession.check`).
protocol Lesson: Sendable {
    /// Its number in `clusterbox tour N`.
    var number: Int { get }
    var title: String { get }
    /// One line for `tour --list`.
    var summary: String { get }
    /// Runs the lesson. What it creates it registers with `session.onCleanup`, so it is removed even on failure.
    func run(_ session: TourSession) throws
}

/// The lessons, in order.
enum Lessons {
    static let all: [any Lesson] = [
        OffersLesson(), DRFLesson(), MarathonLesson(), KubernetesLesson(), DiscoveryLesson(), SideBySideLesson(),
    ]
}

/// What a running lesson shares with its steps: the cluster, printing, pausing, claims and cleanups.
final class TourSession {
    let cluster: ClusterOptions
    let info: ClusterInfo
    let master: HTTPClient
    /// Without pauses (`--yes`, or stdin not a terminal).
    let unattended: Bool
    private(set) var passed = 0
    private(set) var failed = 0
    private var stepNumber = 0
    private var cleanups: [(label: String, action: () throws -> Void)] = []

    init(cluster: ClusterOptions, info: ClusterInfo, master: HTTPClient, unattended: Bool) {
        self.cluster = cluster
        self.info = info
        self.master = master
        self.unattended = unattended
    }

    var marathon: HTTPClient { info.marathon }

    /// The Kubernetes API with the cluster's CA and token (made on first use).
    lazy var kube: Result<KubeClient, any Error> = Result { try KubeClient(directory: cluster.directory, info: info) }

    func kubeClient() throws -> KubeClient { try kube.get() }

    // MARK: - Printing

    /// Starts a lesson: its banner.
    func begin(_ lesson: any Lesson) {
        stepNumber = 0
        print("")
        print("━━ Lesson \(lesson.number): \(lesson.title) ━━")
        flush()
    }

    /// A new step: waits for Enter first when someone is at the terminal. Throws after Ctrl-C.
    func step(_ title: String) throws {
        try TourInterrupt.check()
        stepNumber += 1
        if !unattended, stepNumber > 1 {
            print("  (press Enter to continue)", terminator: "")
            flush()
            _ = readLine()
        }
        print("")
        print("▸ \(stepNumber). \(title)")
        flush()
    }

    /// Explanation or measured output, indented under the step.
    func say(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { print("  \(line)") }
        flush()
    }

    /// Checks a claim against what was measured: ✓ when it holds, ✗ (and a failed lesson) when it does not.
    @discardableResult
    func check(_ claim: String, _ holds: Bool, measured: String) -> Bool {
        if holds {
            passed += 1
            print("  ✓ \(claim) (measured: \(measured))")
        } else {
            failed += 1
            print("  ✗ \(claim): does NOT hold here (measured: \(measured))")
        }
        flush()
        return holds
    }

    /// A failure that stopped the lesson, counted as a failed claim.
    func stopped(by error: any Error) {
        failed += 1
        print("  ✗ the lesson stopped: \(error)")
        flush()
    }

    private func flush() { fflush(nil) }

    // MARK: - Cleanup

    /// Registers an action that undoes something the lesson created; they run in reverse order.
    func onCleanup(_ label: String, _ action: @escaping () throws -> Void) {
        cleanups.append((label, action))
    }

    /// Runs every registered cleanup (newest first), reporting the ones that fail.
    func cleanUp() {
        guard !cleanups.isEmpty else { return }
        print("")
        var done: [String] = []
        while let last = cleanups.popLast() {
            let start = Date()
            do {
                try last.action()
                done.append("\(last.label) (\(elapsed(since: start)))")
            } catch {
                done.append("\(last.label) FAILED: \(error)")
            }
        }
        print("  cleaned up: " + done.joined(separator: ", "))
        flush()
    }
}

// MARK: - Measuring

/// Polls `body` every `intervalSeconds` until it returns a value or `timeoutSeconds` pass (or Ctrl-C is pressed).
func poll<T>(timeoutSeconds: Double, intervalSeconds: Double = 0.1, _ body: () throws -> T?) rethrows -> T? {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
        if let value = try body() { return value }
        if Date() >= deadline || TourInterrupt.requested { return nil }
        usleep(useconds_t(intervalSeconds * 1_000_000))
    }
}

/// Seconds since `start`, for printing ("0.42 s").
func elapsed(since start: Date) -> String { String(format: "%.2f s", Date().timeIntervalSince(start)) }

/// A JSON request with a JSON answer (an object, an array, or nil for an empty body).
func jsonRequest(_ client: HTTPClient, _ method: String, _ path: String, _ body: Any? = nil) throws -> (Int, Any?) {
    let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
    let response = try client.request(method, path, json: data)
    return (response.status, try? JSONSerialization.jsonObject(with: response.body))
}

/// `0.667` → `66.7%`.
func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
