/// One member of a layer tar: what it is, where it goes and whose it is. Regular files name their content on disk,
/// so a layer is streamed from the tree it describes rather than held in memory.
public struct LayerEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A regular file whose content is read from `source` while writing; `size` is checked against what is read.
        case regularFile(source: String, size: Int)
        /// A regular file with its content in memory (whiteout markers, small generated files).
        case bytes([UInt8])
        case directory
        case symbolicLink(target: String)
        /// A second name for the entry at `target`, a path inside the same archive written before this entry.
        case hardLink(target: String)
        case characterDevice(major: UInt32, minor: UInt32)
        case blockDevice(major: UInt32, minor: UInt32)
        case fifo
    }

    /// Relative to the root of the image, without `./` or a leading `/`: `etc/passwd`, `usr/bin`.
    public var path: String
    public var kind: Kind
    /// Permission bits with setuid, setgid and sticky (`0o4755`); the file type comes from `kind`.
    public var mode: UInt32
    public var uid: Int
    public var gid: Int
    /// Seconds since the epoch.
    public var modificationTime: Int

    public init(path: String, kind: Kind, mode: UInt32, uid: Int = 0, gid: Int = 0, modificationTime: Int = 0) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.modificationTime = modificationTime
    }

    /// Byte-wise path order: a directory sorts before everything inside it, and the order does not depend on locale.
    public static func pathOrder(_ lhs: LayerEntry, _ rhs: LayerEntry) -> Bool {
        lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8)
    }
}

/// A tar writer that could not write what it was given.
public struct TarWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "tar writer: \(message)" }
}

/// What a finished layer is called: the sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry) and of
/// the bytes as written (the manifest's layer `digest`), with both sizes.
public struct TarDigests: Sendable, Equatable {
    public var diffID: Digest
    public var uncompressedSize: Int
    public var digest: Digest
    public var compressedSize: Int
}
