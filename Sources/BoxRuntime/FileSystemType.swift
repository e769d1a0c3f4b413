internal import CBoxRuntime

/// The type of the filesystem holding a path, from statfs(2) (Swift's Glibc module does not expose statfs).
public struct FileSystemType: RawRepresentable, Sendable, Hashable {
    /// statfs's `f_type` magic number.
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    public static let cgroup2 = FileSystemType(rawValue: 0x6367_7270)
    public static let cgroup = FileSystemType(rawValue: 0x0027_e0eb)
    public static let tmpfs = FileSystemType(rawValue: 0x0102_1994)
    public static let proc = FileSystemType(rawValue: 0x9fa0)

    /// The filesystem type at `path`.
    public static func of(_ path: String) throws(LaunchFailure) -> FileSystemType {
        let result = cbox_statfs_type(path)
        if result < 0 { throw LaunchFailure(step: "statfs \(path)", errno: Int32(-result)) }
        return FileSystemType(rawValue: result)
    }
}
