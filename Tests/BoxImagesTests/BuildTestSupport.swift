import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary directory for one test, removed (with everything in it) when the test is done.
final class ScratchDirectory {
    let path: String

    init(_ label: String) throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "clusterbox-build-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
            ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `relative`, creating parent directories.
    @discardableResult
    func write(_ relative: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, mode_t(mode))
        return file
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }
}

/// Writes `entries` with `TarWriter` to `file`; returns the digests.
func writeTar(
    _ entries: [LayerEntry], to file: String, gzipLevel: Int32? = nil, fixedModificationTime: Int? = nil,
    sorted: Bool = true
) throws -> TarDigests {
    guard FileManager.default.createFile(atPath: file, contents: nil),
        let handle = FileHandle(forWritingAtPath: file)
    else { throw TarWriterError("cannot create \(file)") }
    defer { try? handle.close() }
    let writer = try TarWriter(handle: handle, gzipLevel: gzipLevel, fixedModificationTime: fixedModificationTime)
    if sorted { try writer.write(entries) } else { for entry in entries { try writer.append(entry) } }
    return try writer.finish()
}

/// Runs a tool and expects it to succeed; returns its standard output.
@discardableResult
func tool(_ path: String, _ arguments: [String]) throws -> String {
    let result = try ChildProcess.run(path, arguments)
    #expect(result.status == 0, "\(path) \(arguments) failed: \(result.stderr)")
    return result.stdout
}

/// `sha256:<hex>` of a file, from coreutils' sha256sum: an oracle independent of swift-crypto.
func sha256sum(_ file: String) throws -> String {
    "sha256:" + (try tool("/usr/bin/sha256sum", [file]).split(separator: " ").first.map(String.init) ?? "")
}

/// The names GNU tar lists in an archive, in archive order.
func tarNames(_ archive: String) throws -> [String] {
    try tool("/usr/bin/tar", ["-tf", archive]).split(separator: "\n").map(String.init)
}

/// Whether the test runs as root (mounts, devices, chown); in CI it must.
enum RootTestHost {
    static let isRoot = geteuid() == 0
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }
    static var enabled: Bool { isRoot || required }
    static let skipComment = Comment(rawValue: "needs root (uid \(geteuid())) to mount overlayfs and make devices")

    /// False (with an issue recorded) when the test cannot run; CI makes that a failure rather than a skip.
    static func ready() -> Bool {
        if !isRoot { Issue.record("needs root, and CI is set, so this is not a skip (uid \(geteuid()))") }
        return isRoot
    }
}
