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

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `path` and waits at most `timeoutSeconds` (then kills it and records an issue). Blocks: call it on a
    /// thread of its own.
    static func run(_ path: String, _ arguments: [String], timeoutSeconds: Double = 30) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs, so that a full pipe never blocks it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(path) \(arguments) did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
