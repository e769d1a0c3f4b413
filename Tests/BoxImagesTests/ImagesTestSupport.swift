import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Paths and tools of the BoxImages tests.
enum Fixtures {
    /// Tests/BoxImagesTests/Fixtures in the source tree.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures"

    /// CI runs as root with umoci, skopeo, busybox-static and python3 installed: there a missing tool fails the
    /// test instead of skipping it.
    static let required = ProcessInfo.processInfo.environment["CI"] != nil
    static let isRoot = geteuid() == 0
    static let hostTools = ["/usr/bin/umoci", "/usr/bin/skopeo", "/bin/busybox", "/usr/bin/python3"]
    static var hasHostTools: Bool { hostTools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }
    static let imageToolsReason: Comment =
        "needs root (chown, mknod of whiteouts, overlay mounts) and umoci, skopeo, busybox-static, python3 (install.sh)"

    static func requireImageTools() throws {
        try #require(isRoot, "not root: unpacking images keeps owners and makes whiteout devices")
        for tool in hostTools {
            try #require(FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing (install.sh)")
        }
    }

    /// Runs a fixture script (a .py with python3, else bash) and fails the test when it fails.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], timeoutSeconds: Double = 120) throws -> ChildProcess {
        let path = directory + "/" + script
        let result =
            script.hasSuffix(".py")
            ? try ChildProcess.run("/usr/bin/python3", [path] + arguments, timeoutSeconds: timeoutSeconds)
            : try ChildProcess.run("/bin/bash", [path] + arguments, timeoutSeconds: timeoutSeconds)
        try #require(result.status == 0, "\(script) \(arguments) failed: \(result.stderr)")
        return result
    }

    /// Runs a host tool; its result whatever the status.
    static func tool(_ path: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess.run(path, arguments, timeoutSeconds: 120)
    }
}

/// A temporary directory, removed with everything under it.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "img") throws {
        path = NSTemporaryDirectory() + "clusterbox-\(label)-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Reads every entry of a tar (decompressing gzip), collecting entries and contents.
func readTar(_ bytes: [UInt8]) throws -> [(TarEntry, [UInt8])] {
    let reader = TarReader(try decompressed(MemorySource(bytes)))
    var result: [(TarEntry, [UInt8])] = []
    while let entry = try reader.next() {
        result.append((entry, try reader.readAll(limit: 1 << 24)))
    }
    try reader.finish()
    return result
}

func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

/// Every file under `directory` with its size, sorted (a store's state, compared before and after a failure).
func snapshot(_ directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var lines: [String] = []
    while let path = enumerator.nextObject() as? String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + path)
        lines.append("\(path) \((attributes?[.size] as? Int) ?? -1)")
    }
    return lines.sorted()
}

/// Runs an image test's body on a thread of its own (it blocks on umoci, skopeo, mounts and file IO), one image
/// test at a time: together they would keep both cores busy with gzip and process starts, and the timing tests
/// beside them need a core. The shared `cpuHeavy` queue is left to the long CPU-bound tests.
func serially<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await onOwnThread {
        imageTestGate.wait()
        defer { imageTestGate.signal() }
        return try body()
    }
}

private let imageTestGate = DispatchSemaphore(value: 1)
