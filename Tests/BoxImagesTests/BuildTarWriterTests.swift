import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The layer tar writer, checked against GNU tar: every entry type, long names through pax, owners, modes and
/// mtimes listed and extracted as written; gzip output that `gzip -t` accepts; digests that match sha256sum.
struct BuildTarWriterTests {
    static let longDirectory = String(repeating: "d", count: 160)
    /// 160 + 1 + 39 = 200 bytes, with its only `/` past ustar's 155-byte prefix: pax `path` carries it.
    static let longPath = longDirectory + "/" + String(repeating: "f", count: 39)
    /// 120 + 1 + 60 bytes: fits ustar's prefix (120) and name (60) fields, no pax needed.
    static let splitPath = String(repeating: "s", count: 120) + "/" + String(repeating: "t", count: 60)
    static let longTarget = String(repeating: "../t", count: 40)

    static func sampleEntries(source: String) -> [LayerEntry] {
        [
            LayerEntry(path: "etc", kind: .directory, mode: 0o755, modificationTime: 1_700_000_000),
            LayerEntry(
                path: "etc/motd", kind: .regularFile(source: source, size: 6), mode: 0o4750, uid: 1000, gid: 50,
                modificationTime: 1_700_000_001),
            LayerEntry(path: "etc/inline", kind: .bytes(Array("inline\n".utf8)), mode: 0o600, modificationTime: 5),
            LayerEntry(path: "etc/link", kind: .symbolicLink(target: "motd"), mode: 0o777),
            LayerEntry(path: "etc/motd-again", kind: .hardLink(target: "etc/motd"), mode: 0o4750),
            LayerEntry(path: "dev", kind: .directory, mode: 0o755),
            LayerEntry(path: "dev/null", kind: .characterDevice(major: 1, minor: 3), mode: 0o666),
            LayerEntry(path: "dev/loop9", kind: .blockDevice(major: 7, minor: 9), mode: 0o660, gid: 6),
            LayerEntry(path: "dev/pipe", kind: .fifo, mode: 0o620),
            LayerEntry(path: longDirectory, kind: .directory, mode: 0o700),
            LayerEntry(path: longPath, kind: .bytes(Array("deep".utf8)), mode: 0o644, uid: 3_000_000, gid: 3_000_001),
            LayerEntry(path: "far", kind: .symbolicLink(target: longTarget), mode: 0o777),
            LayerEntry(path: splitPath, kind: .bytes(Array("split".utf8)), mode: 0o640),
        ]
    }

    /// `tar -tvf` shows each entry with the type, mode, owner and size written; the long path and the long link
    /// target come back whole, and the ids too large for ustar come from pax.
    @Test func gnuTarListsEveryEntryType() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-list")
            let source = try scratch.write("motd", "hello\n")
            let archive = scratch.path + "/layer.tar"
            _ = try writeTar(Self.sampleEntries(source: source), to: archive)
            let listing = try tool("/usr/bin/tar", ["--numeric-owner", "-tvf", archive])
            let lines = listing.split(separator: "\n").map(String.init)
            #expect(
                try tarNames(archive).prefix(2) == [Self.longDirectory + "/", Self.longPath], "byte-wise path order")
            let expectations: [(prefix: String, suffix: String)] = [
                ("drwxr-xr-x 0/0", " dev/"),
                ("crw-rw-rw- 0/0", " dev/null"),
                ("brw-rw---- 0/6", " dev/loop9"),
                ("prw--w---- 0/0", " dev/pipe"),
                ("-rwsr-x--- 1000/50", " etc/motd"),
                ("hrwsr-x--- 0/0", " etc/motd-again link to etc/motd"),
                ("-rw------- 0/0", " etc/inline"),
                ("lrwxrwxrwx 0/0", " etc/link -> motd"),
                ("-rw-r--r-- 3000000/3000001", " " + Self.longPath),
                ("lrwxrwxrwx 0/0", " far -> " + Self.longTarget),
                ("-rw-r----- 0/0", " " + Self.splitPath),
            ]
            for (prefix, suffix) in expectations {
                #expect(
                    lines.contains { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) },
                    "no \(prefix) … \(suffix) in\n\(listing)")
            }
            #expect(
                lines.contains { $0.contains(" 6 2023-11-14") && $0.hasSuffix(" etc/motd") },
                "size and mtime of etc/motd")
        }
    }

    /// Extracted by GNU tar (as root, with owners and devices): contents, links, modes and owners as written.
    @Test(.enabled(if: RootTestHost.enabled, RootTestHost.skipComment))
    func gnuTarExtractsWhatWasWritten() async throws {
        try await onOwnThread {
            guard RootTestHost.ready() else { return }
            let scratch = try ScratchDirectory("tar-extract")
            let source = try scratch.write("motd", "hello\n")
            let archive = scratch.path + "/layer.tar"
            _ = try writeTar(Self.sampleEntries(source: source), to: archive)
            try scratch.mkdir("out")
            try tool("/usr/bin/tar", ["--numeric-owner", "-xpf", archive, "-C", scratch.path + "/out"])
            #expect(scratch.read("out/etc/motd") == "hello\n")
            #expect(scratch.read("out/etc/inline") == "inline\n")
            #expect(scratch.read("out/" + Self.longPath) == "deep")
            #expect(scratch.read("out/" + Self.splitPath) == "split")
            let motd = try FileManager.default.attributesOfItem(atPath: scratch.path + "/out/etc/motd")
            let again = try FileManager.default.attributesOfItem(atPath: scratch.path + "/out/etc/motd-again")
            #expect(motd[.systemFileNumber] as? Int == again[.systemFileNumber] as? Int, "a hard link shares the inode")
            #expect(motd[.ownerAccountID] as? Int == 1000)
            #expect(motd[.groupOwnerAccountID] as? Int == 50)
            let deep = try FileManager.default.attributesOfItem(atPath: scratch.path + "/out/" + Self.longPath)
            #expect(deep[.ownerAccountID] as? Int == 3_000_000)
            #expect(
                try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path + "/out/far") == Self.longTarget)
            let null = try FileManager.default.attributesOfItem(atPath: scratch.path + "/out/dev/null")
            #expect(null[.type] as? FileAttributeType == .typeCharacterSpecial)
        }
    }

    /// gzip output passes `gzip -t`; the digest is the sha256 of the file and the diff_id that of the decompressed
    /// tar, both checked with coreutils; the sizes are the byte counts.
    @Test func gzipDigestsMatchSha256sum() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-gzip")
            let source = try scratch.write("motd", "hello\n")
            let compressed = scratch.path + "/layer.tar.gz"
            let digests = try writeTar(Self.sampleEntries(source: source), to: compressed, gzipLevel: 6)
            try tool("/usr/bin/gzip", ["-t", compressed])
            try tool("/bin/sh", ["-c", "gzip -dc '\(compressed)' > '\(scratch.path)/plain.tar'"])
            #expect(digests.digest.description == (try sha256sum(compressed)))
            #expect(digests.diffID.description == (try sha256sum(scratch.path + "/plain.tar")))
            let sizes = try ["layer.tar.gz", "plain.tar"].map {
                try FileManager.default.attributesOfItem(atPath: scratch.path + "/" + $0)[.size] as? Int
            }
            #expect(sizes == [digests.compressedSize, digests.uncompressedSize])
            #expect(digests.uncompressedSize % 512 == 0)
            #expect(digests.compressedSize < digests.uncompressedSize)
            #expect(try tarNames(compressed).count == 13)
        }
    }

    /// Without gzip, the digest and the diff_id are the same bytes' hash.
    @Test func plainTarDigestEqualsDiffID() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-plain")
            let digests = try writeTar(
                [LayerEntry(path: "a", kind: .bytes([1, 2, 3]), mode: 0o644)], to: scratch.path + "/a.tar")
            #expect(digests.digest == digests.diffID)
            #expect(digests.digest.description == (try sha256sum(scratch.path + "/a.tar")))
            #expect(digests.uncompressedSize == 512 + 512 + 1024)
        }
    }

    /// Same entries in any order, or with different mtimes under a fixed mtime: the same bytes, the same digests.
    @Test func outputIsDeterministic() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-deterministic")
            let source = try scratch.write("motd", "hello\n")
            let entries = Self.sampleEntries(source: source)
            let first = try writeTar(entries, to: scratch.path + "/1.tar.gz", gzipLevel: 9)
            let second = try writeTar(entries.reversed(), to: scratch.path + "/2.tar.gz", gzipLevel: 9)
            #expect(first == second)
            let retimed = entries.map { entry in
                var changed = entry
                changed.modificationTime += 1000
                return changed
            }
            let fixedA = try writeTar(entries, to: scratch.path + "/3.tar", fixedModificationTime: 0)
            let fixedB = try writeTar(retimed, to: scratch.path + "/4.tar", fixedModificationTime: 0)
            #expect(fixedA.diffID == fixedB.diffID)
            #expect(fixedA.diffID != first.diffID)
        }
    }

    /// Pax records whose length crosses 1,000 and 10,000 (the length counts its own digits): GNU tar reads each
    /// path back exactly.
    @Test func paxRecordLengthsAcrossDigitBoundaries() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-pax")
            // A record is "<len> path=<p>\n": 7 + digits + count(p) bytes, so the digit count changes within these.
            let lengths = Array(985...996) + Array(9985...9996)
            let entries = lengths.map { length in
                // Components of at most 200 bytes, none splittable into ustar's name and prefix for these lengths.
                var path = ""
                while path.utf8.count < length {
                    let room = length - path.utf8.count - (path.isEmpty ? 0 : 1)
                    path += (path.isEmpty ? "" : "/") + String(repeating: "p", count: min(200, room))
                }
                return LayerEntry(path: "x" + path.dropFirst(), kind: .bytes([]), mode: 0o644)
            }
            let names = Set(entries.map(\.path))
            _ = try writeTar(entries, to: scratch.path + "/pax.tar")
            #expect(Set(try tarNames(scratch.path + "/pax.tar")) == names)
        }
    }

    @Test func refusesBadInput() async throws {
        try await onOwnThread { () throws in
            let scratch = try ScratchDirectory("tar-errors")
            let file = scratch.path + "/bad.tar"
            for path in ["", "/etc/passwd", "../up", "a/../../b", "a//b", "./a", "a\u{0}b"] {
                #expect(throws: TarWriterError.self, "path \(path.debugDescription)") {
                    try writeTar([LayerEntry(path: path, kind: .bytes([]), mode: 0o644)], to: file)
                }
            }
            #expect(throws: TarWriterError("hard link b to a, which is not earlier in the archive")) {
                try writeTar([LayerEntry(path: "b", kind: .hardLink(target: "a"), mode: 0o644)], to: file)
            }
            #expect(throws: TarWriterError("gzip level 0 is not between 1 and 9")) {
                try writeTar([], to: file, gzipLevel: 0)
            }
            let source = try scratch.write("short", "abc")
            #expect(throws: TarWriterError("\(source) shrank while being archived (listed as 10 bytes, 7 missing)")) {
                try writeTar(
                    [LayerEntry(path: "s", kind: .regularFile(source: source, size: 10), mode: 0o644)], to: file)
            }
            #expect(throws: TarWriterError("\(source) grew while being archived (listed as 1 bytes)")) {
                try writeTar(
                    [LayerEntry(path: "s", kind: .regularFile(source: source, size: 1), mode: 0o644)], to: file)
            }
            let missing = scratch.path + "/missing"
            #expect(throws: TarWriterError("open \(missing) for m: No such file or directory")) {
                try writeTar(
                    [LayerEntry(path: "m", kind: .regularFile(source: missing, size: 1), mode: 0o644)], to: file)
            }
            let handle = try #require(FileHandle(forWritingAtPath: file))
            defer { try? handle.close() }
            let writer = try TarWriter(handle: handle)
            _ = try writer.finish()
            #expect(throws: TarWriterError("finish() called twice")) { try writer.finish() }
            #expect(throws: TarWriterError("append(a) after finish()")) {
                try writer.append(LayerEntry(path: "a", kind: .directory, mode: 0o755))
            }
        }
    }

    /// A closed descriptor: the write error names the descriptor and the reason.
    @Test func writeFailureIsAnError() async throws {
        try await onOwnThread { () throws in
            let writer = try TarWriter(fileDescriptor: 1_000_000)
            #expect(throws: TarWriterError("write to fd 1000000: Bad file descriptor")) {
                try writer.append(LayerEntry(path: "a", kind: .directory, mode: 0o755))
                _ = try writer.finish()
            }
        }
    }
}

/// Files far larger than the 64 KiB output batches and zlib's buffers, compressible and not: every byte comes back.
struct BuildTarWriterLargeFileTests {
    @Test func largeFilesRoundTripThroughGzip() async throws {
        try await onOwnThread {
            let scratch = try ScratchDirectory("tar-large")
            var random = SplitMix64(seed: 42)
            // 1 MiB + 7 of noise (gzip cannot shrink it) and 2 MiB of text (it can).
            let noise = (0..<(1 << 20) + 7).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            try Data(noise).write(to: URL(fileURLWithPath: scratch.path + "/noise.bin"))
            let text = String(repeating: "clusterbox layer line\n", count: (2 << 20) / 22)
            try scratch.write("text.txt", text)
            let entries = [
                LayerEntry(
                    path: "noise.bin", kind: .regularFile(source: scratch.path + "/noise.bin", size: noise.count),
                    mode: 0o644),
                LayerEntry(
                    path: "text.txt", kind: .regularFile(source: scratch.path + "/text.txt", size: text.utf8.count),
                    mode: 0o644),
            ]
            let layer = scratch.path + "/large.tar.gz"
            let digests = try writeTar(entries, to: layer, gzipLevel: 1)
            try tool("/usr/bin/gzip", ["-t", layer])
            #expect(digests.digest.description == (try sha256sum(layer)))
            try scratch.mkdir("out")
            try tool("/usr/bin/tar", ["-xzf", layer, "-C", scratch.path + "/out"])
            try tool("/usr/bin/cmp", [scratch.path + "/noise.bin", scratch.path + "/out/noise.bin"])
            try tool("/usr/bin/cmp", [scratch.path + "/text.txt", scratch.path + "/out/text.txt"])
            #expect(
                digests.uncompressedSize == 512 + (noise.count + 512 - noise.count % 512) + 512 + text.utf8.count
                    + (512 - text.utf8.count % 512) % 512 + 1024)
        }
    }
}
