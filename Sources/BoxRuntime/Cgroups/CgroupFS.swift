#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system calls on cgroupfs, each failure wrapped in `CgroupError.system`. Blocking but quick (kernfs);
/// still, call them off an event loop.
enum CgroupFS {
    /// The whole file; at most `limitBytes` (cgroup files are small; `cgroup.procs` of a big task is the largest).
    static func readText(_ path: String, limitBytes: Int = 4 << 20) throws(CgroupError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limitBytes {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .system(operation: "read", path: path, errno: errno) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file, or nil when it cannot be read (missing on this kernel or version, or the cgroup is gone).
    static func readIfPresent(_ path: String) -> String? {
        try? readText(path)
    }

    /// One `write(2)` of `value`: cgroup files take one value per write.
    static func writeText(_ value: String, to path: String) throws(CgroupError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard count == bytes.count else {
            throw .system(operation: "write", path: path, errno: count < 0 ? errno : EIO)
        }
    }

    /// Creates the directory; false when it existed already.
    @discardableResult
    static func makeDirectory(_ path: String) throws(CgroupError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw .system(operation: "mkdir", path: path, errno: errno)
    }

    /// `rmdir`, giving the errno (0 on success).
    static func removeDirectory(_ path: String) -> Int32 {
        rmdir(path) == 0 ? 0 : errno
    }

    /// `rmdir`, retrying EBUSY (a task still exiting) every 5 ms for at most `duration`; a missing directory is
    /// already removed.
    static func removeDirectory(_ path: String, retryingFor duration: Duration) throws(CgroupError) {
        let deadline = ContinuousClock.now + duration
        while true {
            switch removeDirectory(path) {
            case 0, ENOENT: return
            case EBUSY where ContinuousClock.now < deadline: usleep(5_000)
            case EBUSY: throw .removeTimedOut(path: path)
            case let code: throw .system(operation: "rmdir", path: path, errno: code)
            }
        }
    }

    /// Removes the directory and every cgroup below it, children first.
    static func removeTree(_ path: String, retryingFor duration: Duration) throws(CgroupError) {
        for child in subdirectories(of: path) { try removeTree(path + "/" + child, retryingFor: duration) }
        try removeDirectory(path, retryingFor: duration)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The names of the subdirectories (child cgroups), sorted; empty when the directory cannot be read.
    static func subdirectories(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            guard name != ".", name != ".." else { continue }
            let type = entry.pointee.d_type
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory(path + "/" + name)) {
                names.append(name)
            }
        }
        return names.sorted()
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A descriptor opened with `flags | O_CLOEXEC`; the caller closes it.
    static func openDescriptor(_ path: String, flags: Int32) throws(CgroupError) -> Int32 {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        return fd
    }
}
