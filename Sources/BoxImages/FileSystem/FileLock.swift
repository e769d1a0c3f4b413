internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on a file (flock(2)), shared between processes (the daemon and the CLI) and between threads of
/// one process, since each holder opens the file itself.
struct FileLock {
    let path: String

    enum Mode {
        case shared, exclusive
        var operation: Int32 { self == .shared ? LOCK_SH : LOCK_EX }
    }

    /// Runs `body` holding the lock; waits for it.
    func withLock<T>(_ mode: Mode, _ body: () throws -> T) throws -> T {
        let fd = try OwnedFD.open(at: AT_FDCWD, path, O_RDWR | O_CREAT, mode: 0o644, step: "open \(path)")
        try check(retryingInterrupts { flock(fd.raw, mode.operation) }, "flock \(path)")
        defer { _ = flock(fd.raw, LOCK_UN) }
        return try body()
    }
}
