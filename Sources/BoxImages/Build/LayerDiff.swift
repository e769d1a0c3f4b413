/// The two ways a build step makes a layer:
///
/// - COPY and ADD (`copy(_:to:workingDirectory:owner:context:existingDirectory:)`): files and directories from the
///   build context placed at the destination with Docker's rules. A directory's *contents* are copied; a
///   destination ending in `/` (or a directory the image has) takes the sources inside it; otherwise a single file
///   source becomes the destination itself. Missing parents of the destination are added as root-owned 0755
///   directories; the copied entries get the `--chown` owner, or 0:0.
/// - RUN (`overlayUpper(_:)`): the upper directory of the overlay the step ran on, as a diff against the layers
///   below. Overlay whiteouts (character devices 0/0) become `.wh.NAME` entries, and an opaque directory
///   (`trusted.overlay.opaque=y`) gets a `.wh..wh..opq` entry, the OCI layer encoding of "deleted" and "replaced".
///
/// Both return the entries sorted; `write(_:to:)` streams them through `TarWriter`.
public enum LayerDiff {
    /// The prefix that marks a deleted path in an OCI layer.
    public static let whiteoutPrefix = ".wh."
    /// The entry that marks a directory whose lower contents are hidden.
    public static let opaqueWhiteout = ".wh..wh..opq"

    /// `--chown=UID[:GID]` as numbers (GID defaults to UID). Names need the image's `/etc/passwd`, which the build
    /// resolves before calling `copy`.
    public static func numericOwner(_ chown: String) throws(LayerError) -> (uid: Int, gid: Int) {
        let parts = chown.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let uid = UInt32(parts[0]) else { throw LayerError.badOwner(chown) }
        guard parts.count == 2 else { return (Int(uid), Int(uid)) }
        guard let gid = UInt32(parts[1]) else { throw LayerError.badOwner(chown) }
        return (Int(uid), Int(gid))
    }

    /// The entries of a COPY (or of ADD's non-archive sources).
    /// - Parameters:
    ///   - sources: the instruction's sources, relative to the context (patterns allowed).
    ///   - destination: as written; relative to `workingDirectory` unless absolute.
    ///   - owner: the `--chown` owner, or nil for 0:0.
    ///   - existingDirectory: whether the image built so far has a directory at an absolute path. A destination
    ///     that is one takes the sources inside it even without a trailing `/` (as in Docker), and directories the
    ///     image already has get no entry, so their mode and owner stay as they were (`/tmp` stays 1777).
    public static func copy(
        _ sources: [String], to destination: String, workingDirectory: String = "/", owner: (uid: Int, gid: Int)? = nil,
        context: BuildContext, existingDirectory: (String) -> Bool = { _ in false }
    ) throws(LayerError) -> [LayerEntry] {
        guard !destination.isEmpty, !destination.contains("\u{0}") else {
            throw LayerError.badDestination(destination, reason: "empty or containing NUL")
        }
        let target = DockerfileParser.resolve(destination, against: workingDirectory)
        let targetPath = String(target.dropFirst())  // relative to the image root; empty for "/"
        var found: [BuildContext.Source] = []
        for pattern in sources { found += try context.sources(pattern) }
        let intoDirectory = destination.hasSuffix("/") || target == "/" || existingDirectory(target)
        if found.count > 1 && !intoDirectory {
            throw LayerError.badDestination(
                destination, reason: "\(found.count) sources need a directory destination ending in /")
        }
        let ownerOrRoot = owner ?? (0, 0)
        var tree = LayerTree()
        for source in found {
            let status = try FileStatus(source.hostPath)  // symlink-free: resolved in the context
            if status.type == .directory {
                if !targetPath.isEmpty {
                    tree.addParents(
                        of: targetPath, modificationTime: status.modificationTime, except: existingDirectory)
                    if !existingDirectory(target) {
                        tree.add(
                            LayerEntry(
                                path: targetPath, kind: .directory, mode: status.permissions, uid: ownerOrRoot.uid,
                                gid: ownerOrRoot.gid, modificationTime: status.modificationTime))
                    }
                }
                try addContents(of: source.hostPath, at: targetPath, owner: ownerOrRoot, into: &tree)
            } else {
                let path = intoDirectory ? join(targetPath, source.name) : targetPath
                tree.addParents(of: path, modificationTime: status.modificationTime, except: existingDirectory)
                if let (entry, _) = try LayerTree.entry(
                    hostPath: source.hostPath, path: path, status: status, owner: ownerOrRoot)
                {
                    tree.add(entry)
                }
            }
        }
        return tree.ordered()
    }

    /// The entries of an overlay upper directory after a RUN step. The overlay must be unmounted (or at least idle).
    /// A directory that overlayfs renamed (`redirect_dir`) or a metadata-only copy-up (`metacopy`) cannot be written
    /// as a tar diff, so mount with `redirect_dir=off,metacopy=off` (the kernel defaults here); finding one is an
    /// error.
    public static func overlayUpper(_ upper: String) throws(LayerError) -> [LayerEntry] {
        var tree = LayerTree()
        try addUpper(upper, at: "", into: &tree)
        return tree.ordered()
    }

    /// Writes `entries` (already sorted) as a tar, or tar+gzip, to `fileDescriptor`; returns the digests.
    public static func write(
        _ entries: [LayerEntry], to fileDescriptor: Int32, gzipLevel: Int32? = 6, fixedModificationTime: Int? = nil
    ) throws(LayerError) -> TarDigests {
        do {
            let writer = try TarWriter(
                fileDescriptor: fileDescriptor, gzipLevel: gzipLevel, fixedModificationTime: fixedModificationTime)
            for entry in entries { try writer.append(entry) }
            return try writer.finish()
        } catch {
            throw LayerError.tar(error)
        }
    }

    // MARK: - Helpers

    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }

    /// Everything under `hostDirectory`, placed under `path`; symlinks are copied as symlinks, never followed.
    private static func addContents(
        of hostDirectory: String, at path: String, owner: (uid: Int, gid: Int), into tree: inout LayerTree
    ) throws(LayerError) {
        for name in try FileStatus.children(hostDirectory) {
            let hostPath = hostDirectory + "/" + name
            let status = try FileStatus(hostPath)
            guard
                let (entry, inode) = try LayerTree.entry(
                    hostPath: hostPath, path: join(path, name), status: status, owner: owner)
            else {
                continue
            }
            tree.add(entry, inode: inode)
            if status.type == .directory { try addContents(of: hostPath, at: entry.path, owner: owner, into: &tree) }
        }
    }

    private static func addUpper(_ hostDirectory: String, at path: String, into tree: inout LayerTree)
        throws(LayerError)
    {
        for name in try FileStatus.children(hostDirectory) {
            let hostPath = hostDirectory + "/" + name
            let layerPath = join(path, name)
            let status = try FileStatus(hostPath)
            if status.type == .characterDevice && status.deviceMajor == 0 && status.deviceMinor == 0 {
                tree.add(
                    LayerEntry(
                        path: join(path, whiteoutPrefix + name), kind: .bytes([]), mode: 0o600, uid: status.uid,
                        gid: status.gid, modificationTime: status.modificationTime))
                continue
            }
            try refuseUnsupportedOverlayFeatures(hostPath, layerPath: layerPath)
            guard
                let (entry, inode) = try LayerTree.entry(
                    hostPath: hostPath, path: layerPath, status: status, owner: nil)
            else {
                continue
            }
            tree.add(entry, inode: inode)
            guard status.type == .directory else { continue }
            if try isOpaque(hostPath) {
                tree.add(
                    LayerEntry(
                        path: join(layerPath, opaqueWhiteout), kind: .bytes([]), mode: 0o600, uid: status.uid,
                        gid: status.gid, modificationTime: status.modificationTime))
            }
            try addUpper(hostPath, at: layerPath, into: &tree)
        }
    }

    /// `trusted.overlay.opaque` (or `user.overlay.opaque` on a `userxattr` mount) set to `y`.
    private static func isOpaque(_ hostPath: String) throws(LayerError) -> Bool {
        for name in ["trusted.overlay.opaque", "user.overlay.opaque"] {
            if try ExtendedAttribute.value(name, of: hostPath) == Array("y".utf8) { return true }
        }
        return false
    }

    private static func refuseUnsupportedOverlayFeatures(_ hostPath: String, layerPath: String) throws(LayerError) {
        for prefix in ["trusted.overlay.", "user.overlay."] {
            if try ExtendedAttribute.value(prefix + "redirect", of: hostPath) != nil {
                throw LayerError.unsupportedOverlay(
                    path: layerPath, reason: "renamed directory (redirect_dir); mount with redirect_dir=off")
            }
            if try ExtendedAttribute.value(prefix + "metacopy", of: hostPath) != nil {
                throw LayerError.unsupportedOverlay(
                    path: layerPath, reason: "metadata-only copy-up (metacopy); mount with metacopy=off")
            }
        }
    }
}
