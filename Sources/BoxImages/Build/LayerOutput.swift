internal import CZlib
internal import Crypto

#if canImport(Glibc)
    internal import Glibc
#endif

/// Where a layer's bytes go: hashed as tar (the diff_id), optionally gzipped, hashed again as stored (the digest),
/// and written to a file descriptor in 64 KiB batches.
final class LayerOutput {
    private let fileDescriptor: Int32
    private var gzip: GzipStream?
    private var uncompressedHash = SHA256()
    private var storedHash = SHA256()
    private var uncompressedSize = 0
    private var storedSize = 0
    private var pending: [UInt8] = []
    private static let batchSize = 64 * 1024

    init(fileDescriptor: Int32, gzipLevel: Int32?) throws(TarWriterError) {
        self.fileDescriptor = fileDescriptor
        self.gzip = try gzipLevel.map { (level) throws(TarWriterError) in try GzipStream(level: level) }
        pending.reserveCapacity(Self.batchSize)
    }

    func write(_ bytes: some Collection<UInt8>) throws(TarWriterError) {
        pending.append(contentsOf: bytes)
        if pending.count >= Self.batchSize { try flush(finish: false) }
    }

    /// Flushes everything, ends the gzip stream, and names the result.
    func finish() throws(TarWriterError) -> TarDigests {
        try flush(finish: true)
        gzip = nil
        return TarDigests(
            diffID: Self.digest(uncompressedHash), uncompressedSize: uncompressedSize,
            digest: Self.digest(storedHash), compressedSize: storedSize)
    }

    private func flush(finish: Bool) throws(TarWriterError) {
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        batch.withUnsafeBytes { uncompressedHash.update(bufferPointer: $0) }
        uncompressedSize += batch.count
        if let gzip {
            try gzip.deflate(batch, finish: finish) { (compressed) throws(TarWriterError) in try store(compressed) }
        } else {
            try store(batch[...])
        }
    }

    private func store(_ bytes: ArraySlice<UInt8>) throws(TarWriterError) {
        bytes.withUnsafeBytes { storedHash.update(bufferPointer: $0) }
        storedSize += bytes.count
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw TarWriterError("write to fd \(fileDescriptor): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private static func digest(_ hash: SHA256) -> Digest {
        let hex = hash.finalize().map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        guard let digest = Digest("sha256:" + hex) else { preconditionFailure("SHA256 gave \(hex)") }
        return digest
    }
}

/// A gzip stream from zlib's deflate with `16 + MAX_WBITS` window bits (a gzip header and trailer, not zlib's).
/// The header's mtime is 0, so the same tar always compresses to the same bytes.
final class GzipStream {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var output = [UInt8](repeating: 0, count: 64 * 1024)

    init(level: Int32) throws(TarWriterError) {
        stream.initialize(to: z_stream())
        let result = deflateInit2_(
            stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard result == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw TarWriterError("deflateInit2 (gzip level \(level)) failed: zlib error \(result)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, handing each filled output buffer to `emit`; with `finish`, also ends the stream.
    func deflate(
        _ input: [UInt8], finish: Bool, emit: (ArraySlice<UInt8>) throws(TarWriterError) -> Void
    ) throws(TarWriterError) {
        var input = input
        let flush = finish ? Z_FINISH : Z_NO_FLUSH
        let capacity = output.count
        try input.withUnsafeMutableBufferPointer {
            (inputBuffer: inout UnsafeMutableBufferPointer<UInt8>) throws(TarWriterError) in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = UInt32(inputBuffer.count)
            while true {
                let (result, produced) = output.withUnsafeMutableBufferPointer { outputBuffer in
                    stream.pointee.next_out = outputBuffer.baseAddress
                    stream.pointee.avail_out = UInt32(capacity)
                    let result = CZlib.deflate(stream, flush)
                    return (result, capacity - Int(stream.pointee.avail_out))
                }
                guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                    throw TarWriterError("deflate failed: zlib error \(result)")
                }
                if produced > 0 { try emit(output[..<produced]) }
                if finish ? result == Z_STREAM_END : (stream.pointee.avail_in == 0 && produced < capacity) { break }
            }
            stream.pointee.next_in = nil
        }
    }
}
