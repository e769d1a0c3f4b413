/// Reads a tar stream entry by entry without holding it in memory: ustar, pax extended headers (`path`,
/// `linkpath`, `size`, ids, names, `mtime`, `SCHILY.xattr.*`, global headers) and GNU long names (`L`, `K`).
/// Malformed input throws an `ArchiveError` that says what and where; it never traps.
///
/// Between `next()` calls the reader is itself the `ByteSource` of the current entry's content. The archive ends
/// at the first all-zero block or at the end of the data on a block boundary; `finish()` then drains what follows
/// (trailing zero blocks), so that a hashing source below sees the whole stream.
public final class TarReader: ByteSource {
    /// Pax and GNU long-name headers larger than this are refused.
    public static let extendedHeaderLimit: Int64 = 1 << 20

    private let upstream: any ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var bufferStart = 0
    private var bufferEnd = 0
    /// Bytes of the stream consumed so far.
    public private(set) var offset: Int64 = 0
    /// Content bytes of the current entry not yet read, and the padding after them.
    private var contentLeft: Int64 = 0
    private var paddingLeft: Int64 = 0
    private var currentName = ""
    private var ended = false
    private var globalRecords: [String: [UInt8]] = [:]

    public init(_ upstream: any ByteSource) {
        self.upstream = upstream
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit { buffer.deallocate() }

    // MARK: - Entries

    /// The next entry, or nil at the end of the archive. Skips whatever of the previous entry was not read.
    public func next() throws -> TarEntry? {
        try skip(contentLeft + paddingLeft, what: "content of \(currentName)")
        contentLeft = 0
        paddingLeft = 0
        if ended { return nil }
        var records: [String: [UInt8]] = [:]
        var longName: String?
        var longLink: String?
        while true {
            let headerOffset = offset
            guard let block = try readBlock() else {
                ended = true
                if !records.isEmpty || longName != nil || longLink != nil {
                    throw ArchiveError.truncated(offset: offset, what: "archive ends after an extended header")
                }
                return nil
            }
            if block.allSatisfy({ $0 == 0 }) {
                ended = true
                return nil
            }
            let header = TarHeader(block: block, offset: headerOffset)
            try header.verifyChecksum()
            let type = block[156]
            let size = try header.number(124, 12, "size")
            guard size >= 0 else { throw ArchiveError.badNumber(offset: headerOffset, field: "size") }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readExtended(size, at: headerOffset)
                let parsed = try PaxRecords.parse(data, offset: headerOffset)
                if type == UInt8(ascii: "g") {
                    globalRecords.merge(parsed) { $1 }
                } else {
                    records.merge(parsed) { $1 }
                }
            case UInt8(ascii: "L"):
                longName = PaxRecords.cString(try readExtended(size, at: headerOffset))
            case UInt8(ascii: "K"):
                longLink = PaxRecords.cString(try readExtended(size, at: headerOffset))
            case UInt8(ascii: "V"):
                try skip(Self.padded(size), what: "volume header")  // a label, not a file
            default:
                var entry = try header.entry(type: type, size: size)
                if let longName { entry.name = longName }
                if let longLink { entry.linkName = longLink }
                try PaxRecords.apply(globalRecords.merging(records) { $1 }, to: &entry)
                if entry.kind != .regular { entry.size = 0 }
                // Header-only kinds carry no data whatever their size field says (as Go's archive/tar reads them).
                let dataSize = entry.kind == .regular ? entry.size : 0
                contentLeft = dataSize
                paddingLeft = Self.padded(dataSize) - dataSize
                currentName = entry.name
                return entry
            }
        }
    }

    /// Reads the rest of the stream after the end of the archive (trailing blocks, padding).
    public func finish() throws {
        while try next() != nil {}
        _ = try drain()
    }

    /// The current entry's content.
    public func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        if ended && contentLeft == 0 {
            // After the end marker: whatever follows, for `finish()`.
            return try readRaw(into: target)
        }
        guard contentLeft > 0, target.count > 0 else { return 0 }
        let wanted = Int(min(Int64(target.count), contentLeft))
        let count = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: target[0..<wanted]))
        if count == 0 { throw ArchiveError.truncated(offset: offset, what: "content of \(currentName)") }
        contentLeft -= Int64(count)
        return count
    }

    // MARK: - Helpers

    static func padded(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    private func readExtended(_ size: Int64, at headerOffset: Int64) throws -> [UInt8] {
        guard size <= Self.extendedHeaderLimit else {
            throw ArchiveError.oversizedHeader(offset: headerOffset, size: size)
        }
        var data = [UInt8](repeating: 0, count: Int(size))
        let count = try data.withUnsafeMutableBytes { try readFully(into: $0) }
        guard count == Int(size) else { throw ArchiveError.truncated(offset: offset, what: "extended header") }
        try skip(Self.padded(size) - size, what: "extended header padding")
        return data
    }

    /// One 512-byte block, or nil when the stream ends exactly before it.
    private func readBlock() throws -> [UInt8]? {
        var block = [UInt8](repeating: 0, count: 512)
        let count = try block.withUnsafeMutableBytes { try readFully(into: $0) }
        if count == 0 { return nil }
        guard count == 512 else { throw ArchiveError.truncated(offset: offset, what: "header") }
        return block
    }

    private func skip(_ count: Int64, what: @autoclosure () -> String) throws {
        var left = count
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        while left > 0 {
            let read = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Int(min(left, 1 << 16))]))
            if read == 0 { throw ArchiveError.truncated(offset: offset, what: what()) }
            left -= Int64(read)
        }
    }

    /// Fills `target` unless the stream ends first; returns how much it got.
    private func readFully(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < target.count {
            let count = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: target[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    private func readRaw(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        if bufferStart == bufferEnd {
            if target.count >= buffer.count {
                let count = try upstream.read(into: target)
                offset += Int64(count)
                return count
            }
            bufferStart = 0
            bufferEnd = try upstream.read(into: buffer)
            if bufferEnd == 0 { return 0 }
        }
        let count = min(target.count, bufferEnd - bufferStart)
        target.baseAddress!.copyMemory(from: buffer.baseAddress! + bufferStart, byteCount: count)
        bufferStart += count
        offset += Int64(count)
        return count
    }
}
