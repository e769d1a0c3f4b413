import BoxImages
import BoxTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The images of Fixtures/make-images.sh (umoci and skopeo), made once per test process in a temporary directory
/// removed at exit, with umoci's unpacking of v3 listed for comparison.
struct ImageFixture: Sendable {
    let directory: String
    /// listing.py of `umoci unpack` of v3: one line per entry.
    let expected: [String]

    var ociArchive: String { directory + "/v3.oci.tar" }
    var ociArchiveGzip: String { directory + "/v3.oci.tar.gz" }
    var dockerArchive: String { directory + "/v3.docker.tar" }
    var layout: String { directory + "/layout" }

    private static let shared = Mutex<ImageFixture?>(nil)

    /// The fixture, made on first use (about 10 s). Needs root and the host tools.
    static func get() throws -> ImageFixture {
        try Fixtures.requireImageTools()
        return try shared.withLock { fixture in
            if let fixture { return fixture }
            let directory = NSTemporaryDirectory() + "clusterbox-images-fixture-\(getpid())"
            try? FileManager.default.removeItem(atPath: directory)
            try Fixtures.run("make-images.sh", [directory], timeoutSeconds: 300)
            atexit {
                try? FileManager.default.removeItem(
                    atPath: NSTemporaryDirectory() + "clusterbox-images-fixture-\(getpid())")
            }
            let made = ImageFixture(directory: directory, expected: try listing(directory + "/expected/rootfs"))
            fixture = made
            return made
        }
    }
}

/// listing.py's lines for the tree at `root`.
func listing(_ root: String) throws -> [String] {
    let result = try Fixtures.run("listing.py", [root])
    return result.stdout.split(separator: "\n").map(String.init)
}

/// The lines only one side has, for a readable failure.
func difference(_ actual: [String], _ expected: [String]) -> String {
    let a = Set(actual)
    let e = Set(expected)
    let missing = e.subtracting(a).sorted().prefix(10)
    let extra = a.subtracting(e).sorted().prefix(10)
    return "missing: \(Array(missing))\nextra: \(Array(extra))"
}

/// A store in a temporary directory, removed (after unmounting anything left) by `remove()`.
struct TemporaryStore {
    let directory: TemporaryDirectory
    let store: ImageStore

    init() throws {
        directory = try TemporaryDirectory("store")
        store = try ImageStore(root: directory.path + "/images")
    }

    var root: String { store.root }

    func remove() { directory.remove() }
}

/// The mount points under `prefix` in this process's mount table.
func mounts(under prefix: String) -> [String] {
    let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count > 4, fields[4].hasPrefix(prefix) else { return nil }
        return String(fields[4])
    }
}
