#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: what was being done (`"mkdirat etc/ssl"`) and the errno.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    public var step: String
    public var errno: Int32

    public init(_ step: String, errno: Int32) {
        self.step = step
        self.errno = errno
    }

    public var description: String { "\(step): \(String(cString: strerror(errno)))" }
}

/// Returns `result` when it is not negative; otherwise throws the current errno with `step`.
@discardableResult
func check(_ result: Int32, _ step: @autoclosure () -> String) throws(SystemCallError) -> Int32 {
    if result >= 0 { return result }
    throw SystemCallError(step(), errno: Glibc.errno)
}

/// Retries `body` while it fails with EINTR.
func retryingInterrupts(_ body: () -> Int32) -> Int32 {
    while true {
        let result = body()
        if result >= 0 || Glibc.errno != EINTR { return result }
    }
}
