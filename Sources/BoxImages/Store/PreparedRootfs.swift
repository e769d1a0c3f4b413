import BoxRuntime
internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// How a task's root filesystem is made from an image's layers.
public enum RootfsMode: Sendable, Hashable {
    /// overlayfs, or a copy when the overlay mount fails.
    case automatic
    /// overlayfs only: a failing mount is an error.
    case overlay
    /// Always a copy (what a host without overlayfs gets).
    case copy
}

/// A task's root filesystem: `path` is the directory to pivot_root into. `cleanup()` unmounts and deletes it.
public final class PreparedRootfs: Sendable {
    /// How it was made.
    public enum Method: Sendable, Hashable {
        /// An overlayfs mount: the layer directories read-only below, `upper` holding the task's changes.
        case overlay(lowerdirs: [String])
        /// The layers copied in order with their whiteouts applied; `reason` says why there is no overlay.
        case copy(reason: String)
    }

    /// The directory it lives in (created by `prepareRootfs`, removed by `cleanup`).
    public let directory: String
    /// The root filesystem.
    public let path: String
    public let method: Method

    init(directory: String, path: String, method: Method) {
        self.directory = directory
        self.path = path
        self.method = method
    }

    public var isOverlay: Bool {
        if case .overlay = method { return true }
        return false
    }

    /// Unmounts the overlay (MNT_DETACH, so a straggling open file does not keep it busy) and deletes the directory
    /// with the task's changes. Safe to call twice.
    public func cleanup() throws {
        if isOverlay, umount2(path, CBOX_MNT_DETACH) != 0, errno != EINVAL, errno != ENOENT {
            throw SystemCallError("umount \(path)", errno: errno)
        }
        try removeTree(atPath: directory)
    }
}

extension PreparedRootfs {
    /// Detaches every mount below `directory` (a daemon killed while image tasks ran leaves their overlays
    /// behind), deepest first, and returns how many there were. Only mounts under `directory` are touched.
    public static func unmountLeftovers(under directory: String) -> Int {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let points = MountEntry.current().map(\.mountPoint).filter { $0.hasPrefix(prefix) }
        var count = 0
        for point in Set(points).sorted(by: { $0.count > $1.count }) where umount2(point, CBOX_MNT_DETACH) == 0 {
            count += 1
        }
        return count
    }
}
