#if canImport(Glibc)
    internal import Glibc
#endif

/// Reading one extended attribute of a path without following symlinks. Swift's Glibc module does not include
/// `<sys/xattr.h>`, so `lgetxattr` is looked up in the C library at run time; this keeps the build side free of a C
/// target of its own.
enum ExtendedAttribute {
    private typealias LGetXattr =
        @convention(c) (
            UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?, Int
        ) -> Int

    /// The attribute's value, or nil when the path does not have it (ENODATA) or the file system has no xattrs.
    static func value(_ name: String, of path: String) throws(LayerError) -> [UInt8]? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "lgetxattr") else {
            throw LayerError.fileSystem(operation: "dlsym lgetxattr", path: path, errno: ENOSYS)
        }
        let lgetxattr = unsafeBitCast(symbol, to: LGetXattr.self)
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
        if count < 0 {
            let code = errno
            if code == ENODATA || code == ENOTSUP { return nil }
            throw LayerError.fileSystem(operation: "lgetxattr \(name)", path: path, errno: code)
        }
        return Array(buffer[..<count])
    }
}
