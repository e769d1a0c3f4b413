import BoxImages
import BoxTestSupport
import Foundation
import Testing

/// The tar reader against archives Python's tarfile wrote (Fixtures/sample-tars.py): ustar, pax and GNU headers,
/// every entry kind, and gzip with two members.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") || Fixtures.required,
        "needs python3 to write the sample archives"))
struct TarReaderTests {
    static func samples() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory("tars")
        try Fixtures.run("sample-tars.py", [directory.path])
        return (directory, directory.path)
    }

    @Test func ustarEntriesOfEveryKind() async throws {
        try await onOwnThread { try Self.ustarEntriesOfEveryKind() }
    }

    static func ustarEntriesOfEveryKind() throws {
        let (directory, path) = try Self.samples()
        defer { directory.remove() }
        let entries = try readTar(try fileBytes(path + "/ustar.tar"))
        #expect(
            entries.map(\.0.kind) == [.directory, .regular, .symlink, .hardLink, .fifo, .characterDevice, .regular])
        let file = entries[1].0
        #expect(file.name == "dir/file.txt")
        #expect(file.mode == 0o640 && file.uid == 1000 && file.gid == 100)
        #expect(file.userName == "app" && file.groupName == "users")
        #expect(file.modificationTime.seconds == 1_700_000_000)
        #expect(entries[1].1 == Array("hello tar\n".utf8))
        #expect(entries[2].0.linkName == "file.txt")
        #expect(entries[3].0.linkName == "dir/file.txt" && entries[3].0.size == 0)
        #expect(entries[5].0.deviceMajor == 1 && entries[5].0.deviceMinor == 3)
        // The ustar prefix field joins the 150-character directory and the 99-character name.
        #expect(entries[6].0.name == String(repeating: "p", count: 150) + "/" + String(repeating: "n", count: 99))
        #expect(entries[6].1.count == 1000)
    }

    @Test func paxHeadersOverrideTheUstarFields() async throws {
        try await onOwnThread { try Self.paxHeadersOverrideTheUstarFields() }
    }

    static func paxHeadersOverrideTheUstarFields() throws {
        let (directory, path) = try Self.samples()
        defer { directory.remove() }
        let entries = try readTar(try fileBytes(path + "/pax.tar"))
        #expect(entries.count == 2)
        let file = entries[0].0
        #expect(file.name == "a/" + String(repeating: "b", count: 298))
        #expect(file.uid == 3_000_000 && file.gid == 3_000_001)
        #expect(file.modificationTime == .init(seconds: 1_700_000_000, nanoseconds: 250_000_000))
        #expect(file.extendedAttributes["user.mime"] == Array("text/plain".utf8))
        #expect(file.extendedAttributes["security.capability"] == [1, 2])
        #expect(entries[0].1 == Array("pax\n".utf8))
        #expect(entries[1].0.linkName == String(repeating: "t", count: 200))
    }

    @Test func gnuLongNamesAndBase256() async throws {
        try await onOwnThread { try Self.gnuLongNamesAndBase256() }
    }

    static func gnuLongNamesAndBase256() throws {
        let (directory, path) = try Self.samples()
        defer { directory.remove() }
        let entries = try readTar(try fileBytes(path + "/gnu.tar"))
        #expect(entries.count == 2)
        #expect(entries[0].0.name == "g/" + String(repeating: "n", count: 200))
        #expect(entries[0].0.uid == 2_097_157)  // 2^21 + 5: past the 7 octal digits, written base-256
        #expect(entries[0].1 == Array("gnu\n".utf8))
        #expect(entries[1].0.linkName == String(repeating: "k", count: 150))
    }

    @Test func concatenatedGzipMembersReadAsOneStream() async throws {
        try await onOwnThread { try Self.concatenatedGzipMembersReadAsOneStream() }
    }

    static func concatenatedGzipMembersReadAsOneStream() throws {
        let (directory, path) = try Self.samples()
        defer { directory.remove() }
        let plain = try readTar(try fileBytes(path + "/ustar.tar"))
        let gzipped = try readTar(try fileBytes(path + "/two.tar.gz"))
        #expect(gzipped.map(\.0) == plain.map(\.0))
        #expect(gzipped.map(\.1) == plain.map(\.1))
    }

    @Test func hashesBothStreams() async throws {
        try await onOwnThread { try Self.hashesBothStreams() }
    }

    static func hashesBothStreams() throws {
        // The digests of the compressed and the uncompressed streams are those sha256sum prints for the files.
        let (directory, path) = try Self.samples()
        defer { directory.remove() }
        let compressed = HashingSource(try FileSource(path: path + "/two.tar.gz"))
        let uncompressed = HashingSource(try decompressed(compressed))
        let reader = TarReader(uncompressed)
        while try reader.next() != nil {}
        try reader.finish()
        try compressed.drain()
        #expect(compressed.digest == Digest.of(try fileBytes(path + "/two.tar.gz")))
        #expect(uncompressed.digest == Digest.of(try fileBytes(path + "/ustar.tar")))
        #expect(uncompressed.count == 10240)
    }
}
