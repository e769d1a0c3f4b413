import BoxImages
import BoxTestSupport
import Foundation
import Testing

/// Garbage in, precise errors out, never a crash: hand-made broken headers, every truncation of a real archive,
/// random bytes and random mutations (seeded, so a failure replays).
struct MalformedArchiveTests {
    /// A valid ustar header for `name` with `size` bytes of content, checksum filled in.
    static func header(name: String, size: Int, type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { block[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000644", at: 100)
        put("0000000", at: 108)
        put("0000000", at: 116)
        put(octal(size, digits: 11), at: 124)
        put("14000000000", at: 136)
        block[156] = type
        put("ustar", at: 257)
        put("00", at: 263)
        put("        ", at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, digits: 6), at: 148)
        block[154] = 0
        return block
    }

    static func archive(_ content: String = "hello") -> [UInt8] {
        var bytes = header(name: "file.txt", size: content.utf8.count)
        var data = Array(content.utf8)
        data += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
        bytes += data
        bytes += [UInt8](repeating: 0, count: 1024)
        return bytes
    }

    @Test func theHandMadeArchiveIsValid() throws {
        let entries = try readTar(Self.archive())
        #expect(entries.count == 1)
        #expect(entries[0].0.name == "file.txt" && entries[0].1 == Array("hello".utf8))
    }

    @Test func badChecksumIsNamed() throws {
        var bytes = Self.archive()
        bytes[0] = UInt8(ascii: "F")
        let error = #expect(throws: ArchiveError.self) { _ = try readTar(bytes) }
        guard case .badChecksum(let offset, _, _) = error else {
            Issue.record("expected a bad checksum, got \(String(describing: error))")
            return
        }
        #expect(offset == 0)
        #expect(error?.description.contains("not a tar archive") == true)
    }

    @Test func truncationAnywhereIsAnError() throws {
        // Cut inside the header, inside the content and inside the padding: each says where it stopped. A cut at a
        // block boundary after the content (before the end blocks) is a valid (GNU tar style) end.
        let bytes = Self.archive()
        for cut in [1, 100, 511, 512 + 3, 1000] {
            do {
                _ = try readTar(Array(bytes.prefix(cut)))
                Issue.record("a cut at \(cut) was accepted")
            } catch let error as ArchiveError {
                guard case .truncated(let offset, _) = error else {
                    Issue.record("cut at \(cut): \(error)")
                    continue
                }
                #expect(offset == Int64(cut), "cut at \(cut): \(error)")
            }
        }
        #expect(try readTar(Array(bytes.prefix(1024))).count == 1)
    }

    @Test func badNumbersAndOversizedHeaders() throws {
        var bytes = Self.archive()
        // "12x" in the size field (checksum recomputed so the size is what is refused).
        var header = Self.header(name: "file.txt", size: 5)
        header[124] = UInt8(ascii: "9")
        header.replaceSubrange(148..<156, with: [UInt8](repeating: UInt8(ascii: " "), count: 8))
        let sum = header.reduce(0) { $0 + Int($1) }
        let text = Array(octal(sum, digits: 6).utf8)
        header.replaceSubrange(148..<154, with: text)
        header[154] = 0
        bytes.replaceSubrange(0..<512, with: header)
        #expect(throws: ArchiveError.badNumber(offset: 0, field: "size")) { _ = try readTar(bytes) }

        // A pax header claiming 2 GiB.
        let pax = Self.header(name: "PaxHeaders/x", size: 1 << 31, type: UInt8(ascii: "x"))
        #expect(throws: ArchiveError.oversizedHeader(offset: 0, size: 1 << 31)) { _ = try readTar(pax + bytes) }
    }

    @Test func malformedPaxRecords() throws {
        for record in ["5 x=1\n", "99 path=a\n", "8 path\n", "a path=b\n"] {
            var bytes = Self.header(name: "PaxHeaders/x", size: record.utf8.count, type: UInt8(ascii: "x"))
            bytes += Array(record.utf8) + [UInt8](repeating: 0, count: 512 - record.utf8.count)
            bytes += Self.archive()
            #expect(throws: ArchiveError.self, "\(record)") { _ = try readTar(bytes) }
        }
    }

    @Test func sparseFilesAreRefused() throws {
        let bytes = Self.header(name: "sparse", size: 0, type: UInt8(ascii: "S")) + [UInt8](repeating: 0, count: 1024)
        #expect(throws: ArchiveError.unsupportedEntryType(name: "sparse", type: "S")) { _ = try readTar(bytes) }
    }

    @Test func corruptGzipIsAnError() async throws {
        try await onOwnThread { try Self.corruptGzipIsAnError() }
    }

    static func corruptGzipIsAnError() throws {
        // A valid gzip of the archive, then: truncated, and with its deflate data flipped.
        let (gzip, _) = try gzipped(Self.archive())
        #expect(throws: ArchiveError.self) { _ = try readTar(Array(gzip.prefix(gzip.count - 10))) }
        var flipped = gzip
        for index in 12..<min(40, flipped.count) { flipped[index] ^= 0x5a }
        #expect(throws: (any Error).self) { _ = try readTar(flipped) }
    }

    @Test func randomBytesAndMutationsNeverCrash() async throws {
        // 3,000 inputs: random bytes (plain and behind a gzip magic), and a valid archive (plain and gzipped) with
        // 1-8 random bytes changed or cut short. Each either reads or throws; the process must survive.
        try await cpuHeavy {
            var generator = SeededGenerator(seed: 0x7a11_5eed)
            let valid = Self.archive(String(repeating: "data ", count: 300))
            let (gzip, _) = try gzipped(valid)
            var outcomes = [0, 0]
            for round in 0..<3000 {
                var bytes: [UInt8]
                switch round % 4 {
                case 0:
                    bytes = (0..<Int.random(in: 0..<3000, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }
                case 1:
                    bytes = [0x1f, 0x8b, 8, 0] + (0..<600).map { _ in UInt8.random(in: 0...255, using: &generator) }
                case 2: bytes = valid
                default: bytes = gzip
                }
                if round % 4 >= 2 {
                    for _ in 0..<Int.random(in: 1...8, using: &generator) {
                        bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
                            in: 0...255, using: &generator)
                    }
                    if Bool.random(using: &generator) {
                        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
                    }
                }
                do {
                    _ = try readTar(bytes)
                    outcomes[0] += 1
                } catch {
                    outcomes[1] += 1
                }
            }
            #expect(outcomes[0] + outcomes[1] == 3000)
            #expect(outcomes[1] > 1000, "most garbage is refused: \(outcomes)")
        }
    }
}

/// `value` in octal, zero-padded to `digits`.
func octal(_ value: Int, digits: Int) -> String {
    let text = String(value, radix: 8)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

/// gzip(1) of `bytes`, and the path it used.
func gzipped(_ bytes: [UInt8]) throws -> ([UInt8], String) {
    let directory = try TemporaryDirectory("gz")
    defer { directory.remove() }
    let path = directory.path + "/data"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let result = try ChildProcess.run("/bin/gzip", ["-n", path])
    try #require(result.status == 0, "gzip: \(result.stderr)")
    return (try fileBytes(path + ".gz"), path + ".gz")
}

/// SplitMix64: a seeded generator, so a failing fuzz round replays.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
