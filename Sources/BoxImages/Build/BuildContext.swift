internal import CZlib

#if canImport(Glibc)
    internal import Glibc
#endif

/// The directory a build reads COPY and ADD sources from. Every source is resolved inside it: `..`, absolute paths
/// and symlinks that lead out are refused, so a Dockerfile cannot copy the host's `/etc/shadow` into an image.
public struct BuildContext: Sendable {
    /// Absolute path of the context directory, without a trailing `/`.
    public let root: String

    public init(root: String) throws(LayerError) {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("/") else {
            throw LayerError.fileSystem(
                operation: "open build context (needs an absolute path)", path: root, errno: EINVAL)
        }
        guard try FileStatus(trimmed).type == .directory else {
            throw LayerError.fileSystem(operation: "open build context", path: trimmed, errno: ENOTDIR)
        }
        self.root = trimmed
    }

    /// A source found in the context: its path relative to the root (empty for the root) and on the host.
    public struct Source: Sendable, Equatable {
        public var relativePath: String
        public var hostPath: String
        /// The name the source was given (a symlink's own name, not its target's): a file copied into a directory
        /// keeps it.
        public var name: String
    }

    /// The sources `pattern` names: one path, or every match of a pattern with `*`, `?` or `[…]` (matched one path
    /// component at a time, like Docker's). Symlinks along the way are followed, but never out of the context.
    public func sources(_ pattern: String) throws(LayerError) -> [Source] {
        if pattern.hasPrefix("/") {
            throw LayerError.outsideContext(source: pattern, reason: "absolute paths are not allowed")
        }
        let components = pattern.split(separator: "/").map(String.init).filter { $0 != "." }
        if components.contains("..") {
            throw LayerError.outsideContext(source: pattern, reason: ".. is not allowed")
        }
        var matches: [[String]] = [[]]
        for component in components {
            var next: [[String]] = []
            for prefix in matches {
                let directory = try resolve(prefix, source: pattern)
                if component.contains(where: { "*?[".contains($0) }) {
                    let host = hostPath(directory)
                    guard FileStatus.exists(host), try FileStatus(host).type == .directory else { continue }
                    for name in try FileStatus.children(hostPath(directory))
                    where fnmatch(component, name, FNM_PERIOD) == 0 {
                        next.append(directory + [name])
                    }
                } else {
                    next.append(directory + [component])
                }
            }
            matches = next
        }
        var found: [Source] = []
        for match in matches {
            let resolved = try resolve(match, source: pattern)
            let host = hostPath(resolved)
            guard FileStatus.exists(host) else { continue }
            found.append(Source(relativePath: resolved.joined(separator: "/"), hostPath: host, name: match.last ?? ""))
        }
        guard !found.isEmpty else { throw LayerError.sourceNotFound(pattern) }
        return found
    }

    private func hostPath(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    /// `components` with every symlink replaced by its target, staying under the root. A missing component ends
    /// resolution there (the caller reports it as not found).
    private func resolve(_ components: [String], source: String) throws(LayerError) -> [String] {
        var resolved: [String] = []
        var pending = Array(components.reversed())
        var symlinks = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !resolved.isEmpty else {
                    throw LayerError.outsideContext(source: source, reason: "a symlink leads above the context")
                }
                resolved.removeLast()
                continue
            }
            let host = hostPath(resolved + [component])
            guard FileStatus.exists(host), try FileStatus(host).type == .symbolicLink else {
                resolved.append(component)
                continue
            }
            symlinks += 1
            if symlinks > 40 {
                throw LayerError.fileSystem(operation: "resolve \(source)", path: host, errno: ELOOP)
            }
            let target = try FileStatus.readLink(host)
            let link = (resolved + [component]).joined(separator: "/")
            if target.hasPrefix("/") {
                throw LayerError.outsideContext(
                    source: source,
                    reason:
                        "symlink \(link) points to the absolute path \(target)"
                )
            }
            pending += target.split(separator: "/").map(String.init).reversed()
        }
        return resolved
    }
}

/// What ADD does with a source: a local tar archive (plain or gzip) is unpacked at the destination, anything else
/// is copied like COPY. Decided by content, as Docker does, not by the file name.
public enum AddSourceKind: Sendable, Equatable {
    case copy
    case tarArchive(gzip: Bool)
}

extension BuildContext {
    /// Whether ADD unpacks `source`. A bzip2, xz or zstd archive is an error rather than a silent copy, since Docker
    /// would have unpacked it.
    public static func addSourceKind(_ source: Source) throws(LayerError) -> AddSourceKind {
        guard try FileStatus(source.hostPath).type == .regular else { return .copy }
        let head = try readHead(source.hostPath, count: 512)
        if head.starts(with: [0x1f, 0x8b]) {
            return isTar(try gunzippedHead(source.hostPath)) ? .tarArchive(gzip: true) : .copy
        }
        let others: [(String, [UInt8])] = [
            ("bzip2", [0x42, 0x5a, 0x68]), ("xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
            ("zstd", [0x28, 0xb5, 0x2f, 0xfd]),
        ]
        for (format, magic) in others where head.starts(with: magic) {
            throw LayerError.unsupportedArchive(source: source.relativePath, format: format)
        }
        return isTar(head) ? .tarArchive(gzip: false) : .copy
    }

    /// A tar header: `ustar` magic at offset 257 (POSIX and GNU) and a checksum that adds up.
    static func isTar(_ block: [UInt8]) -> Bool {
        guard block.count >= 512, Array(block[257..<262]) == Array("ustar".utf8) else { return false }
        let stored = block[148..<156].filter { (0x30...0x37).contains($0) }.reduce(0) { $0 * 8 + Int($1 - 0x30) }
        let sum = block[..<512].enumerated().reduce(0) {
            $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element))
        }
        return stored == sum
    }

    private static func readHead(_ path: String, count: Int) throws(LayerError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw LayerError.fileSystem(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, count - filled) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw LayerError.fileSystem(operation: "read", path: path, errno: errno) }
            if got == 0 { break }
            filled += got
        }
        return Array(buffer[..<filled])
    }

    /// The first 512 bytes of a gzip file, decompressed (zlib's gzread), or fewer if it is shorter or corrupt.
    private static func gunzippedHead(_ path: String) throws(LayerError) -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw LayerError.fileSystem(operation: "gzopen", path: path, errno: errno)
        }
        defer { gzclose(file) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let got = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, 512) }
        return got > 0 ? Array(buffer[..<Int(got)]) : []
    }
}
