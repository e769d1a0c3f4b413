internal import CZlib

/// Decompresses a gzip stream (zlib's inflate with gzip framing, `16 + MAX_WBITS`). Concatenated gzip members are
/// read as one stream, as gzip(1) does. Bad or truncated data throws `ArchiveError.gzip`.
public final class GzipSource: ByteSource {
    let upstream: any ByteSource
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var memberEnded = false
    private var finished = false
    /// Bytes of compressed input taken so far (for error messages).
    private var consumed: Int64 = 0

    public init(_ upstream: any ByteSource) throws {
        self.upstream = upstream
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        let result = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard result == Z_OK else {
            input.deallocate()
            throw ArchiveError.gzip("inflateInit2 failed (\(result))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        let capacity = UInt32(min(buffer.count, Int(UInt32.max)))
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = capacity
        while stream.avail_out == capacity {
            if stream.avail_in == 0 && !upstreamEnded {
                let count = try upstream.read(into: input)
                if count == 0 {
                    upstreamEnded = true
                } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(count)
                }
            }
            if memberEnded {
                // Between members: more input starts another one; the end of the input ends the stream.
                if stream.avail_in == 0 {
                    if upstreamEnded {
                        finished = true
                        break
                    }
                    continue
                }
                inflateReset(&stream)
                memberEnded = false
            }
            if stream.avail_in == 0 && upstreamEnded {
                throw ArchiveError.gzip("unexpected end of compressed data after \(consumed) bytes")
            }
            let before = stream.avail_in
            let result = inflate(&stream, Z_NO_FLUSH)
            consumed += Int64(before - stream.avail_in)
            switch result {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(result)"
                throw ArchiveError.gzip("\(message) at compressed byte \(consumed)")
            }
        }
        return Int(capacity - stream.avail_out)
    }
}

/// What the first bytes of a stream say it is.
public enum StreamCompression {
    /// gzip (1f 8b), zstd (28 b5 2f fd), or none.
    public static func detect(_ prefix: [UInt8]) -> LayerCompression {
        if prefix.count >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b { return .gzip }
        if prefix.count >= 4 && prefix[0] == 0x28 && prefix[1] == 0xb5 && prefix[2] == 0x2f && prefix[3] == 0xfd {
            return .zstd
        }
        return .none
    }
}

/// A source whose first bytes can be looked at before they are read.
public final class PeekableSource: ByteSource {
    let upstream: any ByteSource
    private var pending: [UInt8] = []

    public init(_ upstream: any ByteSource) { self.upstream = upstream }

    /// Up to `count` bytes from the front, left to be read again.
    public func peek(_ count: Int) throws -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { buffer.deallocate() }
        while pending.count < count {
            let read = try upstream.read(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(count - pending.count)]))
            if read == 0 { break }
            pending.append(contentsOf: buffer[0..<read])
        }
        return Array(pending.prefix(count))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pending.isEmpty { return try upstream.read(into: buffer) }
        let count = min(buffer.count, pending.count)
        pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
        pending.removeFirst(count)
        return count
    }
}

/// Opens the decompressed content of `source`: gunzipped when `compression` (or, with nil, its magic) says gzip.
public func decompressed(_ source: any ByteSource, compression: LayerCompression? = nil) throws -> any ByteSource {
    let peekable = PeekableSource(source)
    let kind = try compression ?? StreamCompression.detect(peekable.peek(4))
    switch kind {
    case .none: return peekable
    case .gzip: return try GzipSource(peekable)
    case .zstd: throw ArchiveError.zstdNotSupported
    }
}
