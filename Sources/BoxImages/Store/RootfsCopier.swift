internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// The copy fallback of `prepareRootfs`: merges unpacked layer directories into one tree, lowest layer first,
/// reading their overlay form the way overlayfs would: a character device 0/0 deletes the name below it, a
/// directory with `trusted.overlay.opaque=y` hides what lower layers have in it. Hard links inside a layer stay
/// hard links; owners, modes, xattrs and mtimes are kept (directories' at the end). All writes go through
/// `RootedDirectory` and `*at` calls that follow no symlink.
struct RootfsCopier {
    let target: RootedDirectory
    let isRoot = geteuid() == 0
    private var directories: [(path: String, mode: mode_t, time: timespec)] = []
    /// The first copy of each multiply-linked inode of the current layer.
    private var links: [InodeKey: String] = [:]

    struct InodeKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(target: RootedDirectory) { self.target = target }

    mutating func apply(layer: String) throws {
        links = [:]
        let source = try OwnedFD.open(at: AT_FDCWD, layer, O_RDONLY | CBOX_O_DIRECTORY, step: "open \(layer)")
        let destination = try target.open("", flags: O_RDONLY | CBOX_O_DIRECTORY)
        try copyChildren(from: source.raw, to: destination.raw, path: "")
    }

    /// Modes and mtimes of the directories, now that nothing will be added to them.
    func finish() throws {
        for (path, mode, time) in directories {
            guard let fd = try openIfPresent(path) else { continue }
            try check(fchmod(fd.raw, mode), "fchmod /\(path)")
            try check(futimens(fd.raw, [time, time]), "futimens /\(path)")
        }
    }

    /// The directory at `path`, or nil when a later layer replaced it.
    private func openIfPresent(_ path: String) throws(SystemCallError) -> OwnedFD? {
        do {
            return try target.open(path, flags: O_RDONLY | CBOX_O_DIRECTORY, followLast: false)
        } catch {
            if [ENOENT, ENOTDIR, ELOOP].contains(error.errno) { return nil }
            throw error
        }
    }

    // MARK: - Walk

    private mutating func copyChildren(from source: Int32, to destination: Int32, path: String) throws {
        for name in try listDirectory(source) {
            guard let status = try lstatAt(source, name) else { continue }
            let childPath = path.isEmpty ? name : path + "/" + name
            let existing = try lstatAt(destination, name)
            if status.isWhiteout {
                if existing != nil { try removeTree(destination, name) }
                continue
            }
            if status.isDirectory {
                try copyDirectory(name, status, existing: existing, from: source, to: destination, path: childPath)
                continue
            }
            if existing != nil { try removeTree(destination, name) }
            let key = InodeKey(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
            if status.st_nlink > 1, let first = links[key] {
                try hardLink(to: first, at: destination, name)
                continue
            }
            try copyLeaf(name, status, from: source, to: destination, path: childPath)
            if status.st_nlink > 1 { links[key] = childPath }
        }
    }

    private mutating func copyDirectory(
        _ name: String, _ status: stat, existing: stat?, from source: Int32, to destination: Int32, path: String
    ) throws {
        if let existing, !existing.isDirectory { try removeTree(destination, name) }
        if existing?.isDirectory != true { try check(mkdirat(destination, name, 0o700), "mkdirat \(path)") }
        let sourceChild = try OwnedFD.open(
            at: source, name, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
            step: "open layer's \(path)")
        let destinationChild = try OwnedFD.open(
            at: destination, name, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
            step: "open \(path)")
        if existing?.isDirectory == true && Self.isOpaque(sourceChild.raw) {
            try removeChildren(destinationChild.raw)
        }
        try setOwner(destinationChild.raw, status, path)
        try copyAttributes(from: sourceChild.raw, to: destinationChild.raw, path)
        directories.append((path, status.st_mode & 0o7777, status.st_mtim))
        try copyChildren(from: sourceChild.raw, to: destinationChild.raw, path: path)
    }

    private func copyLeaf(_ name: String, _ status: stat, from source: Int32, to destination: Int32, path: String)
        throws
    {
        switch status.fileType {
        case S_IFREG:
            let input = try OwnedFD.open(at: source, name, O_RDONLY | CBOX_O_NOFOLLOW, step: "open layer's \(path)")
            let output = try OwnedFD.open(
                at: destination, name, O_WRONLY | O_CREAT | O_EXCL | CBOX_O_NOFOLLOW,
                mode: 0o600, step: "create \(path)")
            try Self.copyData(from: input.raw, to: output.raw, path)
            try setOwner(output.raw, status, path)
            try check(fchmod(output.raw, status.st_mode & 0o7777), "fchmod \(path)")
            try copyAttributes(from: input.raw, to: output.raw, path)
            try check(futimens(output.raw, [status.st_mtim, status.st_mtim]), "futimens \(path)")
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlinkat(source, name, &buffer, buffer.count - 1)
            guard length >= 0 else { throw SystemCallError("readlinkat \(path)", errno: errno) }
            buffer[length] = 0
            try check(symlinkat(buffer, destination, name), "symlinkat \(path)")
            try setOwnerAt(destination, name, status, path)
            try check(
                utimensat(destination, name, [status.st_mtim, status.st_mtim], AT_SYMLINK_NOFOLLOW),
                "utimensat \(path)")
        default:
            // fifos and devices (a device needs root, and is left out without it).
            if status.fileType != S_IFIFO && !isRoot { return }
            try check(mknodat(destination, name, status.st_mode, status.st_rdev), "mknodat \(path)")
            try setOwnerAt(destination, name, status, path)
            try check(fchmodat(destination, name, status.st_mode & 0o7777, 0), "fchmodat \(path)")
            try check(
                utimensat(destination, name, [status.st_mtim, status.st_mtim], AT_SYMLINK_NOFOLLOW),
                "utimensat \(path)")
        }
    }

    private func hardLink(to first: String, at destination: Int32, _ name: String) throws {
        var components = first.split(separator: "/").map(String.init)
        let leaf = components.removeLast()
        var none = Set<String>()
        let parent = try target.directory(components[...], create: false, created: &none)
        try check(linkat(parent.raw, leaf, destination, name, 0), "linkat \(name) to /\(first)")
    }

    // MARK: - Metadata

    private func setOwner(_ fd: Int32, _ status: stat, _ path: String) throws {
        if fchown(fd, status.st_uid, status.st_gid) != 0 && (isRoot || errno != EPERM) {
            throw SystemCallError("fchown \(path)", errno: errno)
        }
    }

    private func setOwnerAt(_ directory: Int32, _ name: String, _ status: stat, _ path: String) throws {
        if fchownat(directory, name, status.st_uid, status.st_gid, AT_SYMLINK_NOFOLLOW) != 0
            && (isRoot || errno != EPERM)
        {
            throw SystemCallError("lchown \(path)", errno: errno)
        }
    }

    /// Copies the xattrs but overlayfs's own.
    private func copyAttributes(from source: Int32, to destination: Int32, _ path: String) throws {
        let size = flistxattr(source, nil, 0)
        guard size > 0 else { return }
        var names = [CChar](repeating: 0, count: size)
        let listed = flistxattr(source, &names, size)
        guard listed > 0 else { return }
        for key in names[0..<listed].split(separator: 0).map({
            String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        })
        where !key.hasPrefix("trusted.overlay.") {
            let length = fgetxattr(source, key, nil, 0)
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: length)
            let read = fgetxattr(source, key, &value, length)
            guard read >= 0 else { continue }
            if fsetxattr(destination, key, value, read, 0) != 0 && errno != ENOTSUP && (isRoot || errno != EPERM) {
                throw SystemCallError("setxattr \(key) on \(path)", errno: errno)
            }
        }
    }

    static func isOpaque(_ fd: Int32) -> Bool {
        var value: UInt8 = 0
        return fgetxattr(fd, Whiteout.overlayOpaqueAttribute, &value, 1) == 1 && value == UInt8(ascii: "y")
    }

    static func copyData(from input: Int32, to output: Int32, _ path: String) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError("read layer's \(path)", errno: errno)
            }
            if count == 0 { return }
            try FileIO.writeAll(output, UnsafeRawBufferPointer(rebasing: buffer[0..<count]), step: "write \(path)")
        }
    }
}
