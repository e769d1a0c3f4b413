import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Archives that must be refused (Fixtures/bad-archives.py, and a cut-short skopeo archive): each fails with an
/// error naming what is wrong, leaves the store exactly as it was (same files, same sizes), and writes nothing
/// outside it.
@Suite(.enabled(if: (Fixtures.isRoot && Fixtures.hasHostTools) || Fixtures.required, Fixtures.imageToolsReason))
struct HostileArchiveTests {
    /// A store holding one good image, the bad archives, and a host directory outside everything to watch.
    struct Setup {
        let temporary: TemporaryStore
        let archives: String
        let outside: String
        var store: ImageStore { temporary.store }

        init() throws {
            let fixture = try ImageFixture.get()
            temporary = try TemporaryStore()
            archives = temporary.directory.path + "/bad"
            outside = temporary.directory.path + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try Fixtures.run("bad-archives.py", [archives, outside])
            try temporary.store.importArchive(fixture.ociArchive, tag: "good")
        }

        /// Imports `archive`, which must fail with an error `check` accepts, leaving the store unchanged.
        func refuse(_ archive: String, _ check: (any Error) -> Bool) throws {
            let before = snapshot(store.root)
            do {
                let imported = try store.importArchive(archive)
                Issue.record("\(archive) was imported as \(imported)")
            } catch {
                #expect(check(error), "\(archive): \(error)")
            }
            #expect(snapshot(store.root) == before, "\(archive) changed the store")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
            #expect(try store.images().map(\.reference) == ["good:latest"])
        }
    }

    @Test func truncatedArchive() async throws {
        try await serially { try Self.truncatedArchive() }
    }

    static func truncatedArchive() throws {
        let setup = try Setup()
        defer { setup.temporary.remove() }
        let fixture = try ImageFixture.get()
        let bytes = try fileBytes(fixture.ociArchive)
        for (name, cut) in [("half", bytes.count / 2), ("header", 700)] {
            let path = setup.archives + "/truncated-\(name).tar"
            try Data(bytes.prefix(cut)).write(to: URL(fileURLWithPath: path))
            try setup.refuse(path) { error in
                if case ArchiveError.truncated(let offset, _) = error { return offset == Int64(cut) }
                return false
            }
        }
        // Gzip cut short: zlib's stream ends early.
        let gzip = try fileBytes(fixture.ociArchiveGzip)
        let path = setup.archives + "/truncated.tar.gz"
        try Data(gzip.prefix(gzip.count / 3)).write(to: URL(fileURLWithPath: path))
        try setup.refuse(path) { error in
            if case ArchiveError.gzip(let message) = error { return message.contains("unexpected end") }
            return false
        }
    }

    @Test func blobWhoseDigestDoesNotMatch() async throws {
        try await serially { try Self.blobWhoseDigestDoesNotMatch() }
    }

    static func blobWhoseDigestDoesNotMatch() throws {
        let setup = try Setup()
        defer { setup.temporary.remove() }
        try setup.refuse(setup.archives + "/bad-blob.tar") { error in
            guard case ImageError.digestMismatch(let what, let expected, let actual) = error else { return false }
            return what.contains("blobs/sha256/\(expected.hex)") && expected != actual
        }
    }

    @Test func diffIDThatDoesNotMatchTheLayer() async throws {
        try await serially { try Self.diffIDThatDoesNotMatchTheLayer() }
    }

    static func diffIDThatDoesNotMatchTheLayer() throws {
        let setup = try Setup()
        defer { setup.temporary.remove() }
        try setup.refuse(setup.archives + "/bad-diffid.tar") { error in
            guard case ImageError.digestMismatch(let what, let expected, _) = error else { return false }
            return what.contains("diff_id") && expected.hex == String(repeating: "0", count: 64)
        }
    }

    @Test func entriesThatLeaveTheLayer() async throws {
        try await serially { try Self.entriesThatLeaveTheLayer() }
    }

    static func entriesThatLeaveTheLayer() throws {
        let setup = try Setup()
        defer { setup.temporary.remove() }
        try setup.refuse(setup.archives + "/escape.tar") { error in
            guard case ImageError.unsafeEntry(_, let name, let reason) = error else { return false }
            return name == "../escape" && reason.contains("..")
        }
        try setup.refuse(setup.archives + "/absolute.tar") { error in
            guard case ImageError.unsafeEntry(_, let name, let reason) = error else { return false }
            return name == "/etc/evil" && reason.contains("absolute")
        }
        #expect(!FileManager.default.fileExists(atPath: setup.temporary.directory.path + "/escape"))
        #expect(!FileManager.default.fileExists(atPath: setup.store.root + "/escape"))
    }

    @Test(arguments: ["symlink-escape.tar", "symlink-hardlink-escape.tar"])
    func symlinkOutOfTheLayer(archive: String) async throws {
        try await serially { try Self.symlinkOutOfTheLayer(archive: archive) }
    }

    static func symlinkOutOfTheLayer(archive: String) throws {
        // The names are clean, so the import keeps the image; unpacking resolves `link` inside the layer, where its
        // target does not exist, and refuses the entry that goes through it. Nothing reaches the watched directory,
        // and no half-unpacked layer stays.
        let setup = try Setup()
        defer { setup.temporary.remove() }
        let store = setup.store
        let imported = try store.importArchive(setup.archives + "/" + archive)
        let image = try store.image(imported[0])
        let layersBefore = try FileManager.default.contentsOfDirectory(atPath: store.root + "/layers")
        for mode in [RootfsMode.overlay, .copy] {
            let directory = setup.temporary.directory.path + "/task"
            #expect(throws: ImageError.self) {
                _ = try store.prepareRootfs(for: image, at: directory, mode: mode)
            }
            try? removeTree(atPath: directory)
        }
        do {
            _ = try store.unpackLayers(of: image)
            Issue.record("the layer was unpacked")
        } catch let error as ImageError {
            print("refused as expected: \(error)")
            guard case .unpackFailed(_, let entry, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(entry == "link/pwned" || entry == "hard", "\(error)")
            #expect(reason.contains("link"), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.outside).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/layers") == layersBefore)
    }

    @Test func notAnImageArchive() async throws {
        try await serially { try Self.notAnImageArchive() }
    }

    static func notAnImageArchive() throws {
        let setup = try Setup()
        defer { setup.temporary.remove() }
        let random = setup.archives + "/random.bin"
        var generator = SeededGenerator(seed: 42)
        try Data((0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) })
            .write(to: URL(fileURLWithPath: random))
        try setup.refuse(random) { $0 is ArchiveError }
        // A valid tar with neither index.json nor manifest.json.
        let plain = setup.archives + "/plain.tar"
        #expect(try Fixtures.tool("/bin/tar", ["-C", Fixtures.directory, "-cf", plain, "listing.py"]).status == 0)
        try setup.refuse(plain) { ($0 as? ImageError) == .unknownArchiveFormat(plain) }
    }
}
