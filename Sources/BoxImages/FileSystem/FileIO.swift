internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// Small, careful file IO: whole writes, bounded whole reads, atomic replacement.
enum FileIO {
    /// Writes all of `bytes` to `fd`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, step: @autoclosure () -> String)
        throws(SystemCallError)
    {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(step(), errno: errno)
            }
            offset += written
        }
    }

    /// Reads the whole of an open file, failing past `limit` bytes.
    static func readAll(_ fd: Int32, limit: Int, step: @autoclosure () -> String) throws(SystemCallError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(step(), errno: errno)
            }
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
            if result.count > limit { throw SystemCallError(step() + " (larger than \(limit) bytes)", errno: EFBIG) }
        }
    }

    /// Reads a whole host file.
    static func read(_ path: String, limit: Int = 64 << 20) throws(SystemCallError) -> [UInt8] {
        let fd = try OwnedFD.open(at: AT_FDCWD, path, O_RDONLY, step: "open \(path)")
        return try readAll(fd.raw, limit: limit, step: "read \(path)")
    }

    /// Replaces `path` with `bytes` atomically: a temporary file beside it, fsync, rename.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let temporary = temporaryName(beside: path)
        let fd = try OwnedFD.open(
            at: AT_FDCWD, temporary, O_WRONLY | O_CREAT | O_EXCL, mode: mode,
            step: "create \(temporary)")
        var done = false
        defer { if !done { unlink(temporary) } }
        try bytes.withUnsafeBytes { try writeAll(fd.raw, $0, step: "write \(temporary)") }
        try check(fsync(fd.raw), "fsync \(temporary)")
        try check(rename(temporary, path), "rename \(temporary) to \(path)")
        done = true
    }

    /// A name for a temporary file in the directory of `path`, unique to this process and call.
    static func temporaryName(beside path: String) -> String {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        return "\(directory)/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// mkdir -p, for host paths the store owns.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemCallError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw SystemCallError("mkdir \(prefix)", errno: errno) }
        }
    }
}
