internal import CBoxImages
import Crypto

#if canImport(Glibc)
    import Glibc
#endif

/// A stream of bytes read in chunks: a file, a decompressor, a hashing tap, a tar entry's content.
public protocol ByteSource: AnyObject {
    /// Fills a prefix of `buffer` and returns its length; 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads and discards everything left, returning how many bytes that was.
    @discardableResult
    public func drain() throws -> Int64 {
        var total: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { return total }
            total += Int64(count)
        }
    }

    /// Reads everything left, failing past `limit` bytes.
    public func readAll(limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try read(into: buffer)
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
            if result.count > limit { throw SystemCallError("read (more than \(limit) bytes)", errno: EFBIG) }
        }
    }
}

/// Reads an open file descriptor (which it closes when done with).
public final class FileSource: ByteSource {
    let fd: OwnedFD

    /// Opens `path` for reading.
    public init(path: String) throws {
        fd = try OwnedFD.open(at: AT_FDCWD, path, O_RDONLY, step: "open \(path)")
    }

    init(fd: OwnedFD) { self.fd = fd }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let count = Glibc.read(fd.raw, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw SystemCallError("read", errno: errno) }
        }
    }
}

/// Bytes already in memory.
public final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Passes another source through, taking the sha256 and the length of everything read.
public final class HashingSource: ByteSource {
    let upstream: any ByteSource
    var hasher = SHA256()
    public private(set) var count: Int64 = 0

    public init(_ upstream: any ByteSource) { self.upstream = upstream }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let read = try upstream.read(into: buffer)
        if read > 0 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
            count += Int64(read)
        }
        return read
    }

    /// The digest of what was read so far (call after draining).
    public var digest: Digest {
        let hex = hasher.finalize().map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return Digest("sha256:" + hex)!
    }
}

extension Digest {
    /// The sha256 of `bytes`.
    public static func of(_ bytes: [UInt8]) -> Digest {
        let source = HashingSource(MemorySource(bytes))
        _ = try? source.drain()
        return source.digest
    }
}
