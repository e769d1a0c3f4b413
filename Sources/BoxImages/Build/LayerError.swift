#if canImport(Glibc)
    internal import Glibc
#endif

/// Why a layer could not be made from a build context or an overlay upper directory.
public enum LayerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A COPY/ADD source that is, or leads through a symlink, outside the build context.
    case outsideContext(source: String, reason: String)
    /// A COPY/ADD source that does not exist in the build context (or a pattern matching nothing).
    case sourceNotFound(String)
    /// `--chown` that is not numeric `UID[:GID]`.
    case badOwner(String)
    /// A destination that cannot take the sources, and why.
    case badDestination(String, reason: String)
    /// An overlay upper directory using a feature a tar layer cannot express (renamed directories, metacopy).
    case unsupportedOverlay(path: String, reason: String)
    /// A file system call on the host failed.
    case fileSystem(operation: String, path: String, errno: Int32)
    /// Writing the tar failed.
    case tar(TarWriterError)
    /// An ADD source compressed with something clusterbox does not unpack.
    case unsupportedArchive(source: String, format: String)

    public var description: String {
        switch self {
        case .outsideContext(let source, let reason): "COPY source \(source) is outside the build context: \(reason)"
        case .sourceNotFound(let source): "COPY source \(source) not found in the build context"
        case .badOwner(let owner): "--chown=\(owner): only numeric UID[:GID] is supported here"
        case .badDestination(let destination, let reason): "destination \(destination): \(reason)"
        case .unsupportedOverlay(let path, let reason): "overlay upper directory entry \(path): \(reason)"
        case .fileSystem(let operation, let path, let errno): "\(operation) \(path): \(LayerError.describe(errno))"
        case .tar(let error): error.description
        case .unsupportedArchive(let source, let format): "ADD \(source): \(format) archives are not supported"
        }
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
