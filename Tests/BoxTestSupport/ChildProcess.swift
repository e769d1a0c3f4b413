import Foundation
import Testing

/// A command-line tool run by a test (the built binary, curl, dig, Python), with its whole output.
public struct ChildProcess: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// Runs `path` with `environment` added to the test's, and waits at most `timeoutSeconds` (then stops it and
    /// records an issue). Blocks: call it on a thread of its own (`onOwnThread`).
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 30
    ) throws -> ChildProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs, so that a full pipe never blocks it; on threads of their own,
        // since tests may hold GCD's few threads blocked in sockets.
        let done = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        for (pipe, sink) in [(out, 0), (err, 1)] {
            done.enter()
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                if sink == 0 { outData = data } else { errData = data }
                done.leave()
            }.start()
        }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(path) \(arguments) did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        done.wait()
        return ChildProcess(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
