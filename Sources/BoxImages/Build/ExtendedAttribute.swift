#if canImport(Glibc)
    internal import Glibc
#endif

/// Reading one extended attribute of a path without following symlinks. Swift's Glibc module does not include
/// `<sys/xattr.h>`, so `lgetxattr` is looked up in the C library at run time; this keeps the build side free of a C
/// target of its own.
enum ExtendedAttribute {
    private typealias LGetXattr = @convention(c) (
        UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?, Int
    ) -> Int

    /// glibc's `lgetxattr`, found once; nil only if the C library lacks it.
    private static let lgetxattr: LGetXattr? = {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(handle) }  // libc stays loaded: the process links it
        return dlsym(handle, "lgetxattr").map { unsafeBitCast($0, to: LGetXattr.self) }
    }()

    /// The attribute's value, or nil when the path does not have it (ENODATA) or the file system has no xattrs.
    static func value(_ name: String, of path: String) throws(LayerError) -> [UInt8]? {
        guard let lgetxattr else {
            throw LayerError.fileSystem(operation: "dlsym lgetxattr", path: path, errno: ENOSYS)
        }
        // Ask for the size first, then read; a value that grows in between (ERANGE) is asked for again.
        for _ in 0..<4 {
            let size = lgetxattr(path, name, nil, 0)
            if size < 0 { return try absentOrError(name, path: path) }
            var buffer = [UInt8](repeating: 0, count: size)
            let count = buffer.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
            if count >= 0 { return Array(buffer[..<count]) }
            if errno != ERANGE { return try absentOrError(name, path: path) }
        }
        throw LayerError.fileSystem(operation: "lgetxattr \(name)", path: path, errno: ERANGE)
    }

    private static func absentOrError(_ name: String, path: String) throws(LayerError) -> [UInt8]? {
        let code = errno
        if code == ENODATA || code == ENOTSUP { return nil }
        throw LayerError.fileSystem(operation: "lgetxattr \(name)", path: path, errno: code)
    }
}
