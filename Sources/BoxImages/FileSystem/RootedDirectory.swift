internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// A directory that paths are resolved in as if it were "/": `..` stops at it and symlinks, absolute ones included,
/// resolve inside it (openat2 with RESOLVE_IN_ROOT). Everything BoxImages writes into a layer or a rootfs goes
/// through one, so a hostile tar can name no host file.
final class RootedDirectory {
    let path: String
    let fd: OwnedFD

    init(_ path: String) throws(SystemCallError) {
        self.path = path
        fd = try OwnedFD.open(at: AT_FDCWD, path, CBOX_O_PATH | CBOX_O_DIRECTORY, step: "open \(path)")
    }

    /// Opens `relative` (components joined with "/", or "" for the root) resolved inside the root.
    func open(_ relative: String, flags: Int32, mode: mode_t = 0, followLast: Bool = true)
        throws(SystemCallError) -> OwnedFD
    {
        let resolve = UInt64(CBOX_RESOLVE_IN_ROOT | CBOX_RESOLVE_NO_MAGICLINKS)
        var allFlags = flags | CBOX_O_CLOEXEC
        if !followLast { allFlags |= CBOX_O_NOFOLLOW }
        let result = cbox_openat2(fd.raw, relative.isEmpty ? "." : relative, UInt64(allFlags), UInt64(mode), resolve)
        guard result >= 0 else { throw SystemCallError("open \(relative.isEmpty ? "/" : relative)", errno: -result) }
        return OwnedFD(result)
    }

    /// The directory at `components`, resolved inside the root. With `create`, missing directories are made (0755,
    /// owned by the caller) and their paths added to `created`. A component that exists but is no directory
    /// (a file, or a symlink whose target is missing in this root) is an error: nothing is made through it.
    func directory(_ components: ArraySlice<String>, create: Bool, created: inout Set<String>)
        throws(SystemCallError) -> OwnedFD
    {
        let joined = components.joined(separator: "/")
        do {
            return try open(joined, flags: CBOX_O_PATH | CBOX_O_DIRECTORY)
        } catch {
            guard error.errno == ENOENT && create else { throw error }
        }
        // Walk down, making what is missing.
        var current = try open("", flags: CBOX_O_PATH | CBOX_O_DIRECTORY)
        var prefix: [String] = []
        for name in components {
            prefix.append(name)
            let relative = prefix.joined(separator: "/")
            if let next = try openIfPresent(relative) {
                current = next
                continue
            }
            if try lstatAt(current.raw, name) != nil {
                // A dangling symlink: its target is not in this root.
                throw SystemCallError("\(relative) is a symlink to a missing directory", errno: ENOENT)
            }
            try check(mkdirat(current.raw, name, 0o755), "mkdirat \(relative)")
            created.insert(relative)
            current = try open(relative, flags: CBOX_O_PATH | CBOX_O_DIRECTORY)
        }
        return current
    }

    /// The directory at `relative`, or nil when nothing is there.
    private func openIfPresent(_ relative: String) throws(SystemCallError) -> OwnedFD? {
        do {
            return try open(relative, flags: CBOX_O_PATH | CBOX_O_DIRECTORY)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }
}

/// Removes `name` in `directory` and, when it is a directory, everything under it, never following a symlink.
func removeTree(_ directory: Int32, _ name: String) throws(SystemCallError) {
    guard let status = try lstatAt(directory, name) else { return }
    if status.isDirectory {
        let child = try OwnedFD.open(
            at: directory, name, O_RDONLY | CBOX_O_DIRECTORY | CBOX_O_NOFOLLOW,
            step: "open \(name)")
        for entry in try listDirectory(child.raw) { try removeTree(child.raw, entry) }
        try check(unlinkat(directory, name, AT_REMOVEDIR), "rmdir \(name)")
    } else {
        try check(unlinkat(directory, name, 0), "unlink \(name)")
    }
}

/// Removes everything inside `directory` (which stays).
func removeChildren(_ directory: Int32) throws(SystemCallError) {
    for entry in try listDirectory(directory) { try removeTree(directory, entry) }
}

/// The names in an open directory (not "." or ".."), sorted.
func listDirectory(_ directory: Int32) throws(SystemCallError) -> [String] {
    // fdopendir takes ownership of its descriptor: give it a duplicate, reopened so it reads from the start.
    let reading = try OwnedFD.open(at: directory, ".", O_RDONLY | CBOX_O_DIRECTORY, step: "open directory")
    let duplicate = try check(dup(reading.raw), "dup")
    guard let stream = fdopendir(duplicate) else {
        let code = errno
        close(duplicate)
        throw SystemCallError("fdopendir", errno: code)
    }
    defer { closedir(stream) }
    var names: [String] = []
    while true {
        errno = 0
        guard let entry = readdir(stream) else {
            if errno != 0 { throw SystemCallError("readdir", errno: errno) }
            break
        }
        let name = String(cString: cbox_dirent_name(entry))
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// Removes the tree at an absolute host `path` (if any), without following symlinks inside it.
public func removeTree(atPath path: String) throws(SystemCallError) {
    let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    guard let slash = trimmed.lastIndex(of: "/") else { throw SystemCallError("remove \(path)", errno: EINVAL) }
    let parentPath = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    let name = String(trimmed[trimmed.index(after: slash)...])
    guard !name.isEmpty else { throw SystemCallError("remove \(path)", errno: EINVAL) }
    let opened: OwnedFD?
    do {
        opened = try OwnedFD.open(at: AT_FDCWD, parentPath, CBOX_O_PATH | CBOX_O_DIRECTORY, step: "open \(parentPath)")
    } catch {
        guard error.errno == ENOENT else { throw error }
        opened = nil
    }
    guard let parent = opened else { return }
    try removeTree(parent.raw, name)
}
