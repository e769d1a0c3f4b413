import BoxImages
import BoxTestSupport
import Foundation
import Testing

/// index.json is read, changed and replaced under the store's flock: writers on many threads (each opening the
/// lock file itself, as separate processes do) lose no update.
struct StoreLockingTests {
    @Test func concurrentTagsAreAllKept() async throws {
        let directory = try TemporaryDirectory("lock")
        defer { directory.remove() }
        let store = try ImageStore(root: directory.path + "/images")
        let config = try store.putBlob(
            try LayoutJSON.encode(ImageConfiguration(rootfs: .init(diffIDs: []))), mediaType: MediaType.imageConfig)
        let manifest = try store.putBlob(
            try LayoutJSON.encode(ImageManifest(config: config, layers: [])), mediaType: MediaType.imageManifest)
        // 4 writers × 25 tags, each its own read-modify-write of index.json: 100 entries at the end.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    try await onOwnThread {
                        let own = try ImageStore(root: directory.path + "/images")
                        for tag in 0..<25 { try own.tag(manifest, as: "w\(writer):t\(tag)") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let images = try store.images()
        #expect(images.count == 100)
        #expect(Set(images.compactMap(\.reference)).count == 100)
        #expect(try store.image("w3:t24").digest == manifest.digest)
        // Retagging moves the tag; an empty image has no layers, and a size of manifest plus config.
        try store.tag(manifest, as: "w0:t0")
        #expect(try store.images().count == 100)
        #expect(try store.image("w0:t0").size == manifest.size + config.size)
    }

    @Test func putBlobVerifiesAnExpectedDigest() throws {
        let directory = try TemporaryDirectory("blob")
        defer { directory.remove() }
        let store = try ImageStore(root: directory.path + "/images")
        let wrong = Digest("sha256:" + String(repeating: "0", count: 64))!
        #expect(throws: ImageError.digestMismatch(what: "blob", expected: wrong, actual: Digest.of(Array("x".utf8)))) {
            try store.putBlob(Array("x".utf8), mediaType: MediaType.octetStream, expected: wrong)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root + "/blobs/sha256").isEmpty)
        let stored = try store.putBlob(
            Array("x".utf8), mediaType: MediaType.octetStream, expected: Digest.of(Array("x".utf8)))
        #expect(stored.size == 1 && store.blobExists(stored.digest))
        // A blob that is not a manifest cannot be tagged.
        #expect(throws: ImageError.self) { try store.tag(stored, as: "x") }
    }
}
