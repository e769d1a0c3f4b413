internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// Applies one layer's tar entries to its own directory, in the form overlayfs reads as a lower layer
/// (runtime.md §5.2, with overlay whiteouts):
///
/// - `.wh.NAME` becomes a character device 0/0 named NAME. A whiteout hides only what lower layers have: when this
///   layer itself made NAME, a file stays as it is (it hides the lower one already) and a directory becomes
///   opaque. `.wh..wh..opq` in D sets `trusted.overlay.opaque=y` on D; an entry under a whited-out NAME turns the
///   whiteout into an opaque directory.
/// - Any other entry replaces what is at its path, unless both are directories. Owners (`lchown`), modes with
///   setuid/setgid/sticky, mtimes (directories last), xattrs (never `trusted.overlay.*` from a tar).
/// - Names with `..` or a leading `/` are refused. Every path is resolved with openat2(RESOLVE_IN_ROOT) in the
///   layer directory, and leaves are made with `*at` calls that do not follow symlinks, so no entry reaches a file
///   outside the layer. Hard links point only at files of this layer.
struct LayerUnpacker {
    let root: RootedDirectory
    let layer: Digest
    let isRoot: Bool
    /// Paths this layer made (entries and the parents made for them).
    private var created: Set<String> = []
    /// Paths that got a whiteout device from this layer.
    private var whitedOut: Set<String> = []
    /// Directory modes and mtimes, applied at the end (children change mtimes; a 0555 mode blocks them).
    private var directories: [(path: String, mode: UInt32, time: TarEntry.Timestamp)] = []
    /// Device entries skipped because the caller is not root.
    private(set) var skippedDevices = 0
    private(set) var entryCount = 0

    init(root: RootedDirectory, layer: Digest, isRoot: Bool = geteuid() == 0) {
        self.root = root
        self.layer = layer
        self.isRoot = isRoot
    }

    /// Applies every entry of `reader`, then the directories' modes and mtimes.
    mutating func apply(_ reader: TarReader) throws {
        while let entry = try reader.next() {
            entryCount += 1
            do {
                try apply(entry, content: reader)
            } catch let error as ImageError {
                throw error
            } catch let error as ArchiveError {
                throw error
            } catch {
                throw ImageError.unpackFailed(layer: layer, entry: entry.name, reason: "\(error)")
            }
        }
        try finishDirectories()
    }

    // MARK: - Entries

    private mutating func apply(_ entry: TarEntry, content: TarReader) throws {
        let components = try checked(entry.name)
        guard let name = components.last else {
            // "./": the layer's root directory itself.
            if entry.kind == .directory {
                let fd = try root.open("", flags: O_RDONLY | CBOX_O_DIRECTORY)
                try setOwner(fd: fd.raw, entry)
                directories.append(("", entry.mode, entry.modificationTime))
            }
            return
        }
        let parentComponents = components.dropLast()
        if name.hasPrefix(Whiteout.prefix) {
            try applyWhiteout(name: name, in: parentComponents)
            return
        }
        let path = components.joined(separator: "/")
        try reviveWhitedOutParents(parentComponents)
        let parent = try root.directory(parentComponents, create: true, created: &created)
        let existing = try lstatAt(parent.raw, name)
        if let existing, !(existing.isDirectory && entry.kind == .directory) {
            try removeTree(parent.raw, name)
        }
        let replacesWhiteout = whitedOut.remove(path) != nil
        switch entry.kind {
        case .directory:
            if existing?.isDirectory != true { try check(mkdirat(parent.raw, name, 0o700), "mkdirat \(path)") }
            let fd = try OwnedFD.open(
                at: parent.raw, name, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
                step: "open \(path)")
            try setOwner(fd: fd.raw, entry)
            try setAttributes(fd: fd.raw, entry)
            // The lower layers' NAME was deleted and this layer makes a new directory: hide their children.
            if replacesWhiteout { try setOpaque(fd: fd.raw, path) }
            directories.append((path, entry.mode, entry.modificationTime))
        case .regular:
            let fd = try OwnedFD.open(
                at: parent.raw, name, O_WRONLY | O_CREAT | O_EXCL | CBOX_O_NOFOLLOW,
                mode: 0o600, step: "create \(path)")
            try copyContent(from: content, to: fd.raw, path)
            try setOwner(fd: fd.raw, entry)
            try check(fchmod(fd.raw, mode_t(entry.mode)), "fchmod \(path)")
            try setAttributes(fd: fd.raw, entry)
            try check(futimens(fd.raw, Self.times(entry.modificationTime)), "futimens \(path)")
        case .symlink:
            try check(symlinkat(entry.linkName, parent.raw, name), "symlinkat \(path)")
            try setOwner(at: parent.raw, name, entry)
            try setTime(at: parent.raw, name, entry)
        case .hardLink:
            try link(entry, at: parent.raw, name, path)
        case .fifo, .characterDevice, .blockDevice:
            guard entry.kind == .fifo || isRoot else {
                skippedDevices += 1  // mknod of a device needs CAP_MKNOD: left out when unpacking rootless
                return
            }
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .characterDevice ? S_IFCHR : S_IFBLK
            let device = cbox_makedev(entry.deviceMajor, entry.deviceMinor)
            try check(mknodat(parent.raw, name, type | mode_t(entry.mode & 0o777), device), "mknodat \(path)")
            try setOwner(at: parent.raw, name, entry)
            // The node was just made here, so following the name is safe: it is no symlink.
            try check(fchmodat(parent.raw, name, mode_t(entry.mode), 0), "fchmodat \(path)")
            try setTime(at: parent.raw, name, entry)
        }
        created.insert(path)
    }

    /// `.wh.NAME` and `.wh..wh..opq` (see the type's comment). Other `.wh..wh.` names (aufs metadata) are dropped.
    private mutating func applyWhiteout(name: String, in parentComponents: ArraySlice<String>) throws {
        let parent = try root.directory(parentComponents, create: true, created: &created)
        let parentPath = parentComponents.joined(separator: "/")
        if name == Whiteout.opaque {
            let fd = try root.open(parentPath, flags: O_RDONLY | CBOX_O_DIRECTORY)
            try setOpaque(fd: fd.raw, parentPath)
            return
        }
        if name.hasPrefix(Whiteout.prefix + Whiteout.prefix) { return }
        let target = String(name.dropFirst(Whiteout.prefix.count))
        guard !target.isEmpty, target != ".", target != ".." else {
            throw ImageError.unsafeEntry(layer: layer, name: name, reason: "whiteout of \"\(target)\"")
        }
        let path = (parentComponents + [target]).joined(separator: "/")
        if let existing = try lstatAt(parent.raw, target) {
            if existing.isDirectory {
                // This layer's directory (a whiteout hides only lower layers' files): keep its entries, hide the
                // lower layers' by making it opaque.
                let fd = try OwnedFD.open(
                    at: parent.raw, target, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
                    step: "open \(path)")
                try setOpaque(fd: fd.raw, path)
                return
            }
            if created.contains(path) { return }  // this layer's file already hides the lower one
            try removeTree(parent.raw, target)
        }
        try check(mknodat(parent.raw, target, S_IFCHR | 0, 0), "mknodat (whiteout) \(path)")
        whitedOut.insert(path)
    }

    /// An entry under a name this layer whited out (`.wh.foo`, then `foo/bar` with no `foo/` entry): the whiteout
    /// becomes a new opaque directory, as a `foo/` entry would have made it.
    private mutating func reviveWhitedOutParents(_ parentComponents: ArraySlice<String>) throws {
        guard !whitedOut.isEmpty else { return }
        for end in parentComponents.indices {
            let prefix = parentComponents[...end].joined(separator: "/")
            guard whitedOut.remove(prefix) != nil else { continue }
            let name = parentComponents[end]
            let parent = try root.directory(parentComponents[..<end], create: true, created: &created)
            try check(unlinkat(parent.raw, name, 0), "unlink whiteout \(prefix)")
            try check(mkdirat(parent.raw, name, 0o755), "mkdirat \(prefix)")
            created.insert(prefix)
            let fd = try OwnedFD.open(
                at: parent.raw, name, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
                step: "open \(prefix)")
            try setOpaque(fd: fd.raw, prefix)
        }
    }

    private func link(_ entry: TarEntry, at parent: Int32, _ name: String, _ path: String) throws {
        let target = try checked(entry.linkName)
        guard let targetName = target.last else {
            throw ImageError.unsafeEntry(layer: layer, name: entry.name, reason: "hard link to the layer's root")
        }
        var unused = Set<String>()
        guard let targetParent = try? root.directory(target.dropLast(), create: false, created: &unused) else {
            throw ImageError.unpackFailed(
                layer: layer, entry: entry.name, reason: "hard link target \(entry.linkName) is not in this layer")
        }
        guard let status = try lstatAt(targetParent.raw, targetName), !status.isDirectory else {
            throw ImageError.unpackFailed(
                layer: layer, entry: entry.name,
                reason: "hard link target \(entry.linkName) is not a file of this layer")
        }
        // flags 0: a symlink target is linked itself, never followed.
        try check(linkat(targetParent.raw, targetName, parent, name, 0), "linkat \(path) to \(entry.linkName)")
        // No metadata: the link shares the target's inode, and re-applying this header would change the target.
    }

    // MARK: - Metadata

    private func checked(_ name: String) throws -> [String] {
        switch LayerPath.components(name) {
        case .success(let components): return components
        case .failure(let error): throw ImageError.unsafeEntry(layer: layer, name: name, reason: error.description)
        }
    }

    /// fchown; a rootless unpack keeps the caller's ids (EPERM is expected there).
    private func setOwner(fd: Int32, _ entry: TarEntry) throws {
        if fchown(fd, entry.uid, entry.gid) != 0 && (isRoot || errno != EPERM) {
            throw SystemCallError("fchown \(entry.name)", errno: errno)
        }
    }

    private func setOwner(at parent: Int32, _ name: String, _ entry: TarEntry) throws {
        if fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0 && (isRoot || errno != EPERM) {
            throw SystemCallError("lchown \(entry.name)", errno: errno)
        }
    }

    private func setTime(at parent: Int32, _ name: String, _ entry: TarEntry) throws {
        try check(
            utimensat(parent, name, Self.times(entry.modificationTime), AT_SYMLINK_NOFOLLOW),
            "utimensat \(entry.name)")
    }

    /// The entry's xattrs, except overlayfs's own (an image must not fake whiteouts or redirects). Attributes the
    /// filesystem or the caller's privileges do not allow are dropped, as tar does.
    private func setAttributes(fd: Int32, _ entry: TarEntry) throws {
        for (key, value) in entry.extendedAttributes.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("trusted.overlay.") { continue }
            let result = value.withUnsafeBytes { fsetxattr(fd, key, $0.baseAddress, $0.count, 0) }
            if result != 0 && errno != ENOTSUP && errno != EOPNOTSUPP && (isRoot || errno != EPERM) {
                throw SystemCallError("setxattr \(key) on \(entry.name)", errno: errno)
            }
        }
    }

    private func setOpaque(fd: Int32, _ path: String) throws {
        let result = fsetxattr(fd, Whiteout.overlayOpaqueAttribute, "y", 1, 0)
        if result != 0 {
            throw SystemCallError(
                "setxattr \(Whiteout.overlayOpaqueAttribute) on /\(path) (opaque whiteout; needs root)", errno: errno)
        }
    }

    private func copyContent(from reader: TarReader, to fd: Int32, _ path: String) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try reader.read(into: buffer)
            if count == 0 { return }
            try FileIO.writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<count]), step: "write \(path)")
        }
    }

    /// Modes and mtimes of directories, after all their children exist. A directory since replaced is skipped.
    private func finishDirectories() throws {
        for (path, mode, time) in directories {
            guard let fd = try openIfPresent(path) else { continue }
            try check(fchmod(fd.raw, mode_t(mode)), "fchmod /\(path)")
            try check(futimens(fd.raw, Self.times(time)), "futimens /\(path)")
        }
    }

    /// The directory at `path`, or nil when it is gone (replaced by a file or a symlink).
    private func openIfPresent(_ path: String) throws(SystemCallError) -> OwnedFD? {
        do {
            return try root.open(path, flags: O_RDONLY | CBOX_O_DIRECTORY, followLast: false)
        } catch {
            if [ENOENT, ENOTDIR, ELOOP].contains(error.errno) { return nil }
            throw error
        }
    }

    /// atime and mtime, both the entry's mtime.
    static func times(_ time: TarEntry.Timestamp) -> [timespec] {
        let value = timespec(tv_sec: Int(time.seconds), tv_nsec: Int(time.nanoseconds))
        return [value, value]
    }
}
