internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// A file descriptor closed when the last reference goes away, so that no error path leaks one.
final class OwnedFD {
    let raw: Int32

    init(_ raw: Int32) {
        precondition(raw >= 0, "OwnedFD of a negative descriptor")
        self.raw = raw
    }

    deinit { Glibc.close(raw) }

    /// `openat(directory, name, flags)`, with O_CLOEXEC added.
    static func open(
        at directory: Int32, _ name: String, _ flags: Int32, mode: mode_t = 0, step: @autoclosure () -> String
    ) throws(SystemCallError) -> OwnedFD {
        let fd = retryingInterrupts { openat(directory, name, flags | CBOX_O_CLOEXEC, mode) }
        return OwnedFD(try check(fd, step()))
    }

    /// `lstat` of the descriptor itself.
    func stat() throws(SystemCallError) -> Glibc.stat {
        var result = Glibc.stat()
        try check(fstat(raw, &result), "fstat")
        return result
    }
}

/// `fstatat(directory, name, AT_SYMLINK_NOFOLLOW)`, or nil when nothing is there.
func lstatAt(_ directory: Int32, _ name: String) throws(SystemCallError) -> stat? {
    var result = stat()
    if fstatat(directory, name, &result, AT_SYMLINK_NOFOLLOW) == 0 { return result }
    if errno == ENOENT { return nil }
    throw SystemCallError("fstatat \(name)", errno: errno)
}

extension stat {
    var fileType: mode_t { st_mode & S_IFMT }
    var isDirectory: Bool { fileType == S_IFDIR }
    var isRegular: Bool { fileType == S_IFREG }
    var isSymlink: Bool { fileType == S_IFLNK }
    /// overlayfs's whiteout: a character device 0/0.
    var isWhiteout: Bool { fileType == S_IFCHR && st_rdev == 0 }
}
