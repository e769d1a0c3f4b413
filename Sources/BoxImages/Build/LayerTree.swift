/// The entries of a layer while it is being gathered: keyed by path (a later entry for the same path replaces an
/// earlier one, as a later COPY source overwrites an earlier one), then put in order with hard links resolved.
struct LayerTree {
    /// An entry, and for a regular file with more than one link the inode that identifies its other names.
    private var entries: [String: (entry: LayerEntry, inode: Inode?)] = [:]

    struct Inode: Hashable {
        var device: UInt64
        var number: UInt64
    }

    mutating func add(_ entry: LayerEntry, inode: Inode? = nil) {
        entries[entry.path] = (entry, inode)
    }

    /// Adds the directories leading to `path` (not `path` itself), root-owned and 0755, unless the layer has them
    /// already or `existing` says the image does (given the absolute path).
    mutating func addParents(of path: String, modificationTime: Int, except existing: (String) -> Bool) {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            if entries[prefix] == nil && !existing("/" + prefix) {
                add(LayerEntry(path: prefix, kind: .directory, mode: 0o755, modificationTime: modificationTime))
            }
        }
    }

    /// Sorted by path, with every further name of a multiply-linked file turned into a hard link to its first name.
    func ordered() -> [LayerEntry] {
        var firstNames: [Inode: String] = [:]
        return entries.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { path in
            guard let (entry, inode) = entries[path] else { return nil }
            guard let inode else { return entry }
            if let first = firstNames[inode] {
                var link = entry
                link.kind = .hardLink(target: first)
                return link
            }
            firstNames[inode] = path
            return entry
        }
    }
}

extension LayerTree {
    /// The entry for the host file at `hostPath`, named `path` in the layer; nil for a socket (tar cannot hold one).
    static func entry(
        hostPath: String, path: String, status: FileStatus, owner: (uid: Int, gid: Int)?
    ) throws(LayerError) -> (LayerEntry, Inode?)? {
        let kind: LayerEntry.Kind
        var inode: Inode? = nil
        switch status.type {
        case .regular:
            kind = .regularFile(source: hostPath, size: status.size)
            if status.linkCount > 1 { inode = Inode(device: status.device, number: status.inode) }
        case .directory: kind = .directory
        case .symbolicLink: kind = .symbolicLink(target: try FileStatus.readLink(hostPath))
        case .characterDevice: kind = .characterDevice(major: status.deviceMajor, minor: status.deviceMinor)
        case .blockDevice: kind = .blockDevice(major: status.deviceMajor, minor: status.deviceMinor)
        case .fifo: kind = .fifo
        case .socket: return nil
        }
        let entry = LayerEntry(
            path: path, kind: kind, mode: status.permissions, uid: owner?.uid ?? status.uid,
            gid: owner?.gid ?? status.gid, modificationTime: status.modificationTime)
        return (entry, inode)
    }
}
