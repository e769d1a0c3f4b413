/// One entry of a tar stream, with the pax and GNU extensions already folded in.
public struct TarEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case regular, hardLink, symlink, characterDevice, blockDevice, directory, fifo
    }

    /// The name as stored (not yet checked: may hold `..`, a leading `/` or `./`).
    public var name: String
    public var kind: Kind
    /// Permission bits with setuid, setgid and sticky (`mode & 0o7777`).
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    /// Bytes of content (0 for every kind but `.regular`).
    public var size: Int64
    public var modificationTime: Timestamp
    /// The target of a symlink, or the archive path a hard link points at.
    public var linkName: String
    public var userName: String
    public var groupName: String
    public var deviceMajor: UInt32
    public var deviceMinor: UInt32
    /// Extended attributes from pax `SCHILY.xattr.*` records.
    public var extendedAttributes: [String: [UInt8]]
    /// Where this entry's first header starts in the tar stream.
    public var headerOffset: Int64

    /// Seconds and nanoseconds since the epoch.
    public struct Timestamp: Sendable, Hashable {
        public var seconds: Int64
        public var nanoseconds: Int32
        public init(seconds: Int64, nanoseconds: Int32 = 0) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }
    }
}
