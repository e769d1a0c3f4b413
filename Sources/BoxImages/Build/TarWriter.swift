public import Foundation

#if canImport(Glibc)
    internal import Glibc
#endif

/// Writes a layer: a POSIX tar (ustar headers, pax extended headers for long paths, long link targets and large
/// numbers), optionally gzip-compressed, to a file descriptor, hashing it on the way so the caller learns the
/// layer's diff_id and digest without reading it again.
///
/// Output is deterministic: `write(_:)` sorts entries by path, the gzip header carries no time, and
/// `fixedModificationTime` replaces every entry's mtime, so the same tree gives the same digest.
public final class TarWriter {
    private let output: LayerOutput
    private let fixedModificationTime: Int?
    private var written: Set<String> = []
    private var finished = false

    /// - Parameters:
    ///   - fileDescriptor: where the bytes go; the caller keeps it open and closes it.
    ///   - gzipLevel: nil for a plain tar, or a zlib level (1…9) for a gzip stream.
    ///   - fixedModificationTime: when set, every entry's mtime (seconds since the epoch).
    public init(fileDescriptor: Int32, gzipLevel: Int32? = nil, fixedModificationTime: Int? = nil)
        throws(TarWriterError)
    {
        if let gzipLevel, !(1...9).contains(gzipLevel) {
            throw TarWriterError("gzip level \(gzipLevel) is not between 1 and 9")
        }
        output = try LayerOutput(fileDescriptor: fileDescriptor, gzipLevel: gzipLevel)
        self.fixedModificationTime = fixedModificationTime
    }

    public convenience init(handle: FileHandle, gzipLevel: Int32? = nil, fixedModificationTime: Int? = nil)
        throws(TarWriterError)
    {
        try self.init(
            fileDescriptor: handle.fileDescriptor, gzipLevel: gzipLevel, fixedModificationTime: fixedModificationTime)
    }

    /// Appends `entries` in byte-wise path order.
    public func write(_ entries: [LayerEntry]) throws(TarWriterError) {
        for entry in entries.sorted(by: LayerEntry.pathOrder) { try append(entry) }
    }

    /// Appends one entry as given (callers that stream must keep their own order).
    public func append(_ entry: LayerEntry) throws(TarWriterError) {
        guard !finished else { throw TarWriterError("append(\(entry.path)) after finish()") }
        try Self.check(entry.path)
        var fields = TarHeaderEncoder.Fields(
            name: Array(entry.path.utf8), mode: entry.mode, uid: entry.uid, gid: entry.gid, size: 0,
            modificationTime: fixedModificationTime ?? entry.modificationTime, type: .regular)
        switch entry.kind {
        case .regularFile(_, let size):
            fields.size = size
        case .bytes(let bytes):
            fields.size = bytes.count
        case .directory:
            fields.type = .directory
            fields.name.append(UInt8(ascii: "/"))
        case .symbolicLink(let target):
            fields.type = .symbolicLink
            fields.linkName = Array(target.utf8)
        case .hardLink(let target):
            try Self.check(target)
            guard written.contains(target) else {
                throw TarWriterError("hard link \(entry.path) to \(target), which is not earlier in the archive")
            }
            fields.type = .hardLink
            fields.linkName = Array(target.utf8)
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor):
            guard major <= TarHeaderEncoder.maxID, minor <= TarHeaderEncoder.maxID else {
                throw TarWriterError("device \(entry.path) \(major):\(minor) does not fit a tar header")
            }
            if case .characterDevice = entry.kind { fields.type = .characterDevice } else { fields.type = .blockDevice }
            fields.deviceMajor = major
            fields.deviceMinor = minor
        case .fifo:
            fields.type = .fifo
        }
        guard fields.size >= 0 else { throw TarWriterError("\(entry.path): negative size \(fields.size)") }
        try output.write(TarHeaderEncoder.blocks(fields))
        switch entry.kind {
        case .regularFile(let source, let size): try copy(source, size: size, as: entry.path)
        case .bytes(let bytes): try output.write(bytes)
        default: break
        }
        try output.write(repeatElement(0, count: TarHeaderEncoder.padding(fields.size)))
        written.insert(entry.path)
    }

    /// Ends the archive (two zero blocks) and the gzip stream; returns the layer's digests.
    public func finish() throws(TarWriterError) -> TarDigests {
        guard !finished else { throw TarWriterError("finish() called twice") }
        finished = true
        try output.write(repeatElement(0, count: 2 * TarHeaderEncoder.blockSize))
        return try output.finish()
    }

    /// Names inside a layer are relative and never climb: a `..` or absolute name is how tar files escape the
    /// directory they are unpacked into.
    static func check(_ path: String) throws(TarWriterError) {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else {
            throw TarWriterError("bad entry path \"\(path)\": must be relative and non-empty")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false)
        where component == ".." || component == "." || component.isEmpty {
            throw TarWriterError("bad entry path \"\(path)\": empty, . or .. component")
        }
    }

    /// Streams `size` bytes of the file at `source`; a file that is shorter or longer now than when it was listed
    /// would make a corrupt archive, so that is an error.
    private func copy(_ source: String, size: Int, as path: String) throws(TarWriterError) {
        let descriptor = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw TarWriterError("open \(source) for \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var remaining = size
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TarWriterError("read \(source): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            guard count <= remaining else {
                throw TarWriterError("\(source) grew while being archived (listed as \(size) bytes)")
            }
            try output.write(buffer[..<count])
            remaining -= count
        }
        guard remaining == 0 else {
            throw TarWriterError(
                "\(source) shrank while being archived (listed as \(size) bytes, \(remaining) missing)")
        }
    }
}
