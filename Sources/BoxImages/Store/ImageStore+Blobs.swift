internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

extension ImageStore {
    /// Stores the file at `file` as a blob (copied; the file stays). With `expected`, a different content is
    /// refused and nothing is stored.
    public func putBlob(contentsOf file: String, mediaType: String = MediaType.octetStream, expected: Digest? = nil)
        throws -> Descriptor
    {
        try putBlob(from: FileSource(path: file), mediaType: mediaType, expected: expected, what: file).descriptor
    }

    /// Stores `data` as a blob.
    public func putBlob(_ data: [UInt8], mediaType: String, expected: Digest? = nil) throws -> Descriptor {
        try putBlob(from: MemorySource(data), mediaType: mediaType, expected: expected, what: "blob").descriptor
    }

    /// Streams `source` into a temporary file beside the blobs, hashing it, and renames it to its digest. `isNew`
    /// says whether the blob was not there before (an import removes only what it added when it fails).
    func putBlob(
        from source: any ByteSource, mediaType: String, expected: Digest?, expectedSize: Int64? = nil,
        what: String
    ) throws -> (descriptor: Descriptor, isNew: Bool) {
        let temporary = FileIO.temporaryName(beside: blobsDirectory + "/x")
        let fd = try OwnedFD.open(
            at: AT_FDCWD, temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o644,
            step: "create \(temporary)")
        var keep = false
        defer { if !keep { unlink(temporary) } }
        let hashing = HashingSource(source)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try hashing.read(into: buffer)
            if count == 0 { break }
            try FileIO.writeAll(fd.raw, UnsafeRawBufferPointer(rebasing: buffer[0..<count]), step: "write \(temporary)")
        }
        let digest = hashing.digest
        if let expected, expected != digest {
            throw ImageError.digestMismatch(what: what, expected: expected, actual: digest)
        }
        if let expectedSize, expectedSize != hashing.count {
            throw ImageError.sizeMismatch(what: what, expected: expectedSize, actual: hashing.count)
        }
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: hashing.count)
        let path = blobPath(digest)
        if FileIO.exists(path) { return (descriptor, false) }
        try check(fsync(fd.raw), "fsync \(temporary)")
        try check(rename(temporary, path), "rename \(temporary) to \(path)")
        keep = true
        return (descriptor, true)
    }

    public func blobExists(_ digest: Digest) -> Bool { FileIO.exists(blobPath(digest)) }

    /// A small blob (manifest, config, index) read whole and checked against its digest.
    public func readBlob(_ digest: Digest, what: String, limit: Int = 16 << 20) throws -> [UInt8] {
        let path = blobPath(digest)
        guard FileIO.exists(path) else { throw ImageError.missingBlob(digest, what: what) }
        let bytes = try FileIO.read(path, limit: limit)
        let actual = Digest.of(bytes)
        guard actual == digest else { throw ImageError.digestMismatch(what: what, expected: digest, actual: actual) }
        return bytes
    }

    /// Reads and decodes the JSON blob `descriptor` points at, checking its digest and size.
    func readJSON<T: Decodable>(_ type: T.Type, _ descriptor: Descriptor, what: String) throws -> T {
        let bytes = try readBlob(descriptor.digest, what: what)
        guard Int64(bytes.count) == descriptor.size else {
            throw ImageError.sizeMismatch(what: what, expected: descriptor.size, actual: Int64(bytes.count))
        }
        return try LayoutJSON.decode(type, from: bytes, what: what)
    }
}
