#if canImport(Glibc)
    internal import Glibc
#endif

/// What `lstat` says about a path, in the terms a tar entry needs. Never follows a symlink.
struct FileStatus {
    enum FileType: Equatable {
        case regular, directory, symbolicLink, characterDevice, blockDevice, fifo, socket
    }

    var type: FileType
    /// Permission bits with setuid, setgid and sticky.
    var permissions: UInt32
    var uid: Int
    var gid: Int
    var size: Int
    var modificationTime: Int
    var device: UInt64
    var inode: UInt64
    var linkCount: Int
    var deviceMajor: UInt32
    var deviceMinor: UInt32

    init(_ path: String) throws(LayerError) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            throw LayerError.fileSystem(operation: "lstat", path: path, errno: errno)
        }
        let mode = UInt32(status.st_mode)
        switch mode & 0o170000 {
        case 0o100000: type = .regular
        case 0o040000: type = .directory
        case 0o120000: type = .symbolicLink
        case 0o020000: type = .characterDevice
        case 0o060000: type = .blockDevice
        case 0o010000: type = .fifo
        default: type = .socket
        }
        permissions = mode & 0o7777
        uid = Int(status.st_uid)
        gid = Int(status.st_gid)
        size = Int(status.st_size)
        modificationTime = Int(status.st_mtim.tv_sec)
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        linkCount = Int(status.st_nlink)
        // glibc's major()/minor() encoding of dev_t (macros Swift cannot call).
        let rdev = UInt64(status.st_rdev)
        deviceMajor = UInt32(((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfff))
        deviceMinor = UInt32((rdev & 0xff) | ((rdev >> 12) & ~0xff))
    }

    /// Whether `path` exists (without following a final symlink).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    static func readLink(_ path: String) throws(LayerError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw LayerError.fileSystem(operation: "readlink", path: path, errno: errno) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in a directory, sorted byte-wise so scans are deterministic.
    static func children(_ path: String) throws(LayerError) -> [String] {
        guard let directory = opendir(path) else {
            throw LayerError.fileSystem(operation: "opendir", path: path, errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
