import BoxTestSupport
import Foundation
import Testing

/// Command-line tools the acceptance tests run: dig (dnsutils) and the checkout's Python with dnspython.
enum TestTools {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let fixtures = repositoryRoot + "/Tests/BoxDiscoveryTests/Fixtures"

    /// `dig` on the PATH.
    static let dig: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dig" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The Python with dnspython: `$CLUSTERBOX_PYTHON`, else the checkout's `.venv` (install.sh --test sets it up).
    static let python: String =
        ProcessInfo.processInfo.environment["CLUSTERBOX_PYTHON"] ?? repositoryRoot + "/.venv/bin/python"

    static var hasDNSPython: Bool {
        FileManager.default.isExecutableFile(atPath: python)
            && ((try? run(python, ["-c", "import dns.query"]))?.status == 0)
    }

    /// True where tests may not skip for a missing tool: CI installs them all, so a missing one fails there.
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// Runs a tool; see `ChildProcess.run`.
    static func run(_ path: String, _ arguments: [String], timeoutSeconds: Double = 30) throws -> ChildProcess {
        try ChildProcess.run(path, arguments, timeoutSeconds: timeoutSeconds)
    }
}
