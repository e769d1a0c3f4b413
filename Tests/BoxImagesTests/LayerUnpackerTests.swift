import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Single layers unpacked into the cache (Fixtures/layer-cases.py), checking the overlay form entry by entry: where
/// whiteouts become devices or opaque directories, what replaces what, modes applied after children, devices, and
/// that a tar cannot set overlayfs's own xattrs.
@Suite(
    .enabled(
        if: (Fixtures.isRoot && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")) || Fixtures.required,
        "needs root (whiteout devices, trusted.* xattrs, chown) and python3"))
struct LayerUnpackerTests {
    /// Unpacks each case's tar; returns the layer directories by case name.
    static func unpack(_ body: ([String: String]) throws -> Void) throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let cases = temporary.directory.path + "/cases"
        try Fixtures.run("layer-cases.py", [cases])
        var layers: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: cases) {
            let descriptor = try temporary.store.putBlob(contentsOf: cases + "/" + file, mediaType: MediaType.layerTar)
            let layer = Image.Layer(descriptor: descriptor, diffID: descriptor.digest)
            layers[String(file.dropLast(4))] = try temporary.store.layerCache.unpack(
                layer, blobPath: temporary.store.blobPath(descriptor.digest))
        }
        try body(layers)
    }

    static func kind(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0 else { return "missing" }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return "dir \(String(status.st_mode & 0o7777, radix: 8))"
        case S_IFREG: return "file \((try? String(contentsOfFile: path, encoding: .utf8)) ?? "?")"
        case S_IFLNK: return "symlink"
        case S_IFCHR: return "chr \(status.st_rdev == 0 ? "whiteout" : "\(status.st_rdev)")"
        default: return "other"
        }
    }

    static func xattr(_ path: String, _ name: String) throws -> String {
        let result = try Fixtures.tool(
            "/usr/bin/python3",
            [
                "-c",
                "import os, sys\ntry: print(os.getxattr(sys.argv[1], sys.argv[2]).decode())\nexcept OSError: print('-')",
                path, name,
            ])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func whiteoutsInTheLayersOwnTree() async throws {
        try await serially { try Self.whiteoutsInTheLayersOwnTree() }
    }

    static func whiteoutsInTheLayersOwnTree() throws {
        try Self.unpack { (layers) throws in
            // .wh.foo then foo/bar: foo is a new directory hiding the lower foo.
            let first = layers["whiteout-then-child"]!
            #expect(Self.kind(first + "/foo") == "dir 755")
            #expect(Self.kind(first + "/foo/bar") == "file bar\n")
            #expect(try Self.xattr(first + "/foo", "trusted.overlay.opaque") == "y")
            // foo/x then .wh.foo: the layer's foo/x stays, the lower foo's children are hidden.
            let second = layers["child-then-whiteout"]!
            #expect(Self.kind(second + "/foo/x") == "file x\n")
            #expect(try Self.xattr(second + "/foo", "trusted.overlay.opaque") == "y")
            // f then .wh.f: the layer's own file stays.
            #expect(Self.kind(layers["file-then-whiteout"]! + "/f") == "file mine\n")
            // An opaque root.
            let root = layers["root-opaque"]!
            #expect(try Self.xattr(root, "trusted.overlay.opaque") == "y")
            #expect(Self.kind(root + "/ok.txt") == "file ok\n")
            #expect(!FileManager.default.fileExists(atPath: root + "/.wh..wh..opq"))
        }
    }

    @Test func laterEntriesReplaceEarlierOnes() async throws {
        try await serially { try Self.laterEntriesReplaceEarlierOnes() }
    }

    static func laterEntriesReplaceEarlierOnes() throws {
        try Self.unpack { (layers) throws in
            let layer = layers["replacements"]!
            #expect(Self.kind(layer + "/a") == "dir 755")
            #expect(Self.kind(layer + "/a/child") == "file c\n")
            #expect(Self.kind(layer + "/d") == "file now a file\n")
            #expect(Self.kind(layer + "/dup") == "file second\n")
        }
    }

    @Test func modesDevicesAndLinks() async throws {
        try await serially { try Self.modesDevicesAndLinks() }
    }

    static func modesDevicesAndLinks() throws {
        try Self.unpack { (layers) throws in
            let layer = layers["modes"]!
            // The 0555 mode was applied after ro/child was written into it.
            #expect(Self.kind(layer + "/ro") == "dir 555")
            #expect(Self.kind(layer + "/ro/child") == "file c\n")
            #expect(Self.kind(layer + "/sgid") == "dir 2775")
            #expect(Self.kind(layer + "/null") == "chr 259")  // makedev(1, 3)
            // A hard link to a symlink links the symlink itself.
            var a = stat()
            var b = stat()
            lstat(layer + "/sym", &a)
            lstat(layer + "/sym-hard", &b)
            #expect(a.st_ino == b.st_ino && Self.kind(layer + "/sym-hard") == "symlink")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layer + "/sym") == "target-elsewhere")
        }
    }

    @Test func aTarCannotSetOverlayAttributes() async throws {
        try await serially { try Self.aTarCannotSetOverlayAttributes() }
    }

    static func aTarCannotSetOverlayAttributes() throws {
        try Self.unpack { (layers) throws in
            let layer = layers["fake-opaque"]!
            #expect(try Self.xattr(layer + "/dir", "trusted.overlay.opaque") == "-")
            #expect(try Self.xattr(layer + "/dir", "user.kept") == "yes")
        }
    }
}
