internal import Foundation

/// One line of /proc/self/mountinfo: `36 25 0:31 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory`.
public struct MountEntry: Hashable, Sendable {
    public var root: String
    public var mountPoint: String
    public var fsType: String
    public var superOptions: [String]

    public init?(line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let dash = fields.firstIndex(of: "-"), dash >= 6, fields.count >= dash + 3 else { return nil }
        root = Self.unescape(fields[3])
        mountPoint = Self.unescape(fields[4])
        fsType = String(fields[dash + 1])
        superOptions = fields.count > dash + 3 ? fields[dash + 3].split(separator: ",").map(String.init) : []
    }

    /// The kernel writes space, tab, newline and backslash in paths as octal escapes (`\040`).
    public static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count,
                let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// This process's mount table, read to its end (a /proc file reports size 0, so a reader that trusts the size
    /// gets one page); empty when it cannot be read.
    public static func current() -> [MountEntry] {
        guard let text = try? CgroupFS.readText("/proc/self/mountinfo") else { return [] }
        return text.split(separator: "\n").compactMap { MountEntry(line: $0) }
    }
}
