import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Images made by umoci and exported by skopeo (Fixtures/make-images.sh), imported as an OCI archive (tar and
/// tar.gz) and as a `docker save` tarball, unpacked with whiteouts, and compared entry by entry (type, mode,
/// owner, size, link target) with `umoci unpack` of the same image — through an overlay mount and through the copy
/// fallback.
@Suite(.enabled(if: (Fixtures.isRoot && Fixtures.hasHostTools) || Fixtures.required, Fixtures.imageToolsReason))
struct ImageStoreTests {
    @Test func importsOCIArchivesAndDockerSaveTarballs() async throws {
        try await serially { try Self.importsOCIArchivesAndDockerSaveTarballs() }
    }

    static func importsOCIArchivesAndDockerSaveTarballs() throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        // skopeo wrote ref.name "v3": a bare tag goes after the archive's name (v3.oci.tar → v3).
        #expect(try store.importArchive(fixture.ociArchive) == ["v3:v3"])
        #expect(try store.importArchive(fixture.dockerArchive) == ["docker.io/clusterbox/test:v3"])
        #expect(try store.importArchive(fixture.ociArchiveGzip, tag: "busybox") == ["busybox:latest"])

        let summaries = try store.images()
        #expect(summaries.map(\.reference) == ["busybox:latest", "docker.io/clusterbox/test:v3", "v3:v3"])
        let oci = try store.image("busybox")
        let docker = try store.image("docker.io/clusterbox/test:v3")
        #expect(oci.digest == (try store.image("v3:v3")).digest)
        #expect(oci.layers.count == 4)
        #expect(oci.layers.map(\.diffID) == docker.layers.map(\.diffID))
        #expect(oci.layers.allSatisfy { $0.descriptor.mediaType == MediaType.layerTarGzip })
        #expect(docker.layers.allSatisfy { $0.descriptor.mediaType == MediaType.layerTar })
        // An uncompressed layer's digest is its diff_id.
        #expect(docker.layers.allSatisfy { $0.descriptor.digest == $0.diffID })
        #expect(oci.config.config?.user == "nobody")
        #expect(oci.config.config?.labels == ["org.example.test": "v3"])
        // A digest prefix names an image, as with docker.
        #expect(try store.image(String(docker.digest.hex.prefix(10))).digest == docker.digest)
        #expect(try store.image("sha256:" + docker.digest.hex).digest == docker.digest)
        #expect(throws: ImageError.notFound("nothere")) { try store.image("nothere") }

        // index.json keeps the full references as ref.name annotations.
        let index = try String(contentsOfFile: store.root + "/index.json", encoding: .utf8)
        #expect(index.contains("\"org.opencontainers.image.ref.name\":\"docker.io/clusterbox/test:v3\""))
        #expect(FileManager.default.fileExists(atPath: store.root + "/oci-layout"))
        // The store is itself an OCI layout umoci reads.
        let ls = try Fixtures.tool("/usr/bin/umoci", ["ls", "--layout", store.root])
        #expect(ls.status == 0, "\(ls.stderr)")
        #expect(ls.stdout.contains("busybox:latest"))
    }

    @Test(arguments: [RootfsMode.overlay, .copy])
    func unpackedRootfsMatchesUmoci(mode: RootfsMode) async throws {
        try await serially { try Self.unpackedRootfsMatchesUmoci(mode: mode) }
    }

    static func unpackedRootfsMatchesUmoci(mode: RootfsMode) throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        try store.importArchive(fixture.ociArchive, tag: "oci")
        try store.importArchive(fixture.dockerArchive, tag: "docker")
        #expect(fixture.expected.count > 280, "umoci's tree: busybox's 270-odd applets and the test files")
        #expect(fixture.expected.contains("etc/secret file 0600 65534:65534 7 -"))
        for reference in ["oci", "docker"] {
            let image = try store.image(reference)
            let directory = temporary.directory.path + "/task-\(reference)"
            let rootfs = try store.prepareRootfs(for: image, at: directory, mode: mode)
            #expect(rootfs.isOverlay == (mode == .overlay))
            let actual = try listing(rootfs.path)
            #expect(actual == fixture.expected, "\(reference), \(mode):\n\(difference(actual, fixture.expected))")
            // The whiteouts: bin/vi and data/old were deleted in v2, data/keep and data/new.txt hidden by the opaque
            // /data of v3.
            for gone in ["bin/vi", "data/old", "data/keep", "data/new.txt"] {
                #expect(!FileManager.default.fileExists(atPath: rootfs.path + "/" + gone), "\(gone) is back")
            }
            try rootfs.cleanup()
            #expect(!FileManager.default.fileExists(atPath: directory))
            #expect(mounts(under: directory).isEmpty)
        }
        // Each layer was unpacked once, into layers/<diff_id hex>; the two imports share their diff_ids.
        let image = try store.image("oci")
        let unpacked = try FileManager.default.contentsOfDirectory(atPath: store.root + "/layers")
        #expect(Set(unpacked) == Set(image.layers.map(\.diffID.hex)))
    }

    @Test func layerDirectoriesHoldOverlayWhiteouts() async throws {
        try await serially { try Self.layerDirectoriesHoldOverlayWhiteouts() }
    }

    static func layerDirectoriesHoldOverlayWhiteouts() throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        try store.importArchive(fixture.ociArchive, tag: "v3")
        let image = try store.image("v3")
        let layers = try store.unpackLayers(of: image)
        // v2 (layer 1) deleted bin/vi: a character device 0/0. v3's pax layer (layer 2) made /data opaque.
        var status = stat()
        #expect(lstat(layers[1] + "/bin/vi", &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFCHR && status.st_rdev == 0)
        let opaque = try Fixtures.tool(
            "/usr/bin/python3",
            [
                "-c", "import os, sys; print(os.getxattr(sys.argv[1], 'trusted.overlay.opaque'))",
                layers[2] + "/data",
            ])
        #expect(opaque.stdout == "b'y'\n", "\(opaque.stderr)")
        // No .wh. file is ever created, and the layer's own entries stay beside its opaque mark.
        #expect(!FileManager.default.fileExists(atPath: layers[2] + "/data/.wh..wh..opq"))
        #expect(FileManager.default.fileExists(atPath: layers[2] + "/data/fresh.txt"))
        // Hard links share an inode inside the layer.
        var a = stat()
        var b = stat()
        lstat(layers[2] + "/etc/secret", &a)
        lstat(layers[2] + "/etc/secret-hard", &b)
        #expect(a.st_ino == b.st_ino && a.st_uid == 65534 && a.st_mode & 0o7777 == 0o600)
        // A second unpack finds them done.
        #expect(try store.unpackLayers(of: image) == layers)
    }

    @Test func exportedArchiveIsReadBySkopeoAndUmoci() async throws {
        try await serially { try Self.exportedArchiveIsReadBySkopeoAndUmoci() }
    }

    static func exportedArchiveIsReadBySkopeoAndUmoci() throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        try store.importArchive(fixture.dockerArchive, tag: "roundtrip:v1")
        let image = try store.image("roundtrip:v1")
        let archive = temporary.directory.path + "/exported.tar"
        try store.exportArchive("roundtrip:v1", to: archive)

        let inspect = try Fixtures.tool("/usr/bin/skopeo", ["inspect", "oci-archive:" + archive])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains(image.digest.description))
        #expect(inspect.stdout.contains(image.layers[0].descriptor.digest.description))

        let layout = temporary.directory.path + "/exported-layout"
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        #expect(try Fixtures.tool("/bin/tar", ["-C", layout, "-xf", archive]).status == 0)
        let ls = try Fixtures.tool("/usr/bin/umoci", ["ls", "--layout", layout])
        #expect(ls.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "roundtrip:v1")
        let bundle = temporary.directory.path + "/bundle"
        let unpack = try Fixtures.tool("/usr/bin/umoci", ["unpack", "--image", layout + ":roundtrip:v1", bundle])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        let actual = try listing(bundle + "/rootfs")
        #expect(actual == fixture.expected, "\(difference(actual, fixture.expected))")

        // And back: a fresh store imports the export under the same reference and digest.
        let other = try TemporaryStore()
        defer { other.remove() }
        #expect(try other.store.importArchive(archive) == ["roundtrip:v1"])
        #expect(try other.store.image("roundtrip:v1").digest == image.digest)
    }

    @Test func removeUntagsThenCollectsGarbage() async throws {
        try await serially { try Self.removeUntagsThenCollectsGarbage() }
    }

    static func removeUntagsThenCollectsGarbage() throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        try store.importArchive(fixture.ociArchive, tag: "one")
        try store.importArchive(fixture.ociArchive, tag: "two")
        let image = try store.image("one")
        let blobs = Set([image.digest, image.configDescriptor.digest] + image.layers.map(\.descriptor.digest))
        _ = try store.unpackLayers(of: image)

        // One of two tags: the blobs stay.
        let first = try store.remove("one")
        #expect(first.references == ["one:latest"] && first.deletedBlobs.isEmpty && first.deletedLayers.isEmpty)
        #expect(try store.images().map(\.reference) == ["two:latest"])

        // The last tag, while a rootfs of it is mounted: blobs go, the mounted layers stay.
        let rootfs = try store.prepareRootfs(for: image, at: temporary.directory.path + "/task", mode: .overlay)
        let second = try store.remove(String(image.digest.hex.prefix(8)))
        #expect(Set(second.deletedBlobs) == blobs)
        #expect(second.deletedLayers.isEmpty)
        #expect(try store.images().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/blobs/sha256").isEmpty)
        try rootfs.cleanup()

        // Once unmounted, the next collection takes them.
        try store.importArchive(fixture.dockerArchive, tag: "three")
        let third = try store.remove("three")
        #expect(Set(third.deletedLayers) == Set(image.layers.map(\.diffID)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/layers").isEmpty)
        #expect(throws: ImageError.notFound("three")) { try store.remove("three") }
    }

    /// The collector reads the whole mount table: with 40 mounts (about 7 KiB of mountinfo) before the task's
    /// overlay, its layers are still seen as in use (a read of only the first 4 KiB missed them and deleted them).
    @Test func removeKeepsLayersMountedPastTheFirstPageOfMountinfo() async throws {
        try await serially { () throws in
            let fixture = try ImageFixture.get()
            let temporary = try TemporaryStore()
            var padding: [String] = []
            defer {
                for path in padding { umount2(path, Int32(MNT_DETACH)) }
                temporary.remove()
            }
            let store = temporary.store
            try store.importArchive(fixture.ociArchive, tag: "one")
            let image = try store.image("one")
            for index in 0..<40 {
                let path = temporary.directory.path + "/padding-of-the-mount-table-with-a-long-name-\(index)"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                try #require(mount("cbx-padding", path, "tmpfs", 0, "size=4k") == 0, "mount: \(errno)")
                padding.append(path)
            }
            let rootfs = try store.prepareRootfs(for: image, at: temporary.directory.path + "/task", mode: .overlay)
            defer { try? rootfs.cleanup() }
            let table = try #require(try FileHandle(forReadingAtPath: "/proc/self/mountinfo")?.readToEnd())
            #expect(table.count > 4096 + 2048)
            let removed = try store.remove("one")
            #expect(removed.deletedLayers.isEmpty, "layers of a mounted rootfs were deleted")
        }
    }
}
