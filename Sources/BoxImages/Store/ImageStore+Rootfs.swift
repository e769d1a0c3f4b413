internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

extension ImageStore {
    /// Makes a root filesystem for `image` in `directory` (created; it must not exist or be empty): the layers
    /// unpacked once into the cache, then an overlayfs mount with `lowerdir` = the layer directories, highest
    /// first, and `upper`/`work` in `directory`; or, with `.copy` or when the mount fails under `.automatic`, a
    /// copy of the layers in order with their whiteouts applied.
    ///
    /// The mount is made in the caller's mount namespace: the launcher gives the task a private copy of it, and
    /// `cleanup()` detaches it here. The store's lock is held shared meanwhile, so the garbage collector, which
    /// keeps layers that a mount uses, never sees a layer about to be mounted as unused.
    public func prepareRootfs(for image: Image, at directory: String, mode: RootfsMode = .automatic) throws
        -> PreparedRootfs
    {
        try lock.withLock(.shared) {
            let layers = try unpackLayersUnlocked(of: image)
            try FileIO.makeDirectories(directory, mode: 0o711)
            do {
                return try makeRootfs(layers: layers, directory: directory, mode: mode)
            } catch {
                try? removeTree(atPath: directory)
                throw error
            }
        }
    }

    private func makeRootfs(layers: [String], directory: String, mode: RootfsMode) throws -> PreparedRootfs {
        let rootfs = directory + "/rootfs"
        try check(mkdir(rootfs, 0o755), "mkdir \(rootfs)")
        guard mode != .copy else {
            try copyLayers(layers, into: rootfs)
            return PreparedRootfs(directory: directory, path: rootfs, method: .copy(reason: "copy requested"))
        }
        let failure: SystemCallError
        do {
            let lowerdirs = try mountOverlay(layers: layers, directory: directory, rootfs: rootfs)
            return PreparedRootfs(directory: directory, path: rootfs, method: .overlay(lowerdirs: lowerdirs))
        } catch {
            failure = error
        }
        if mode == .overlay { throw failure }
        logger.info("overlayfs unavailable: copying the layers", metadata: ["reason": "\(failure)"])
        try copyLayers(layers, into: rootfs)
        return PreparedRootfs(directory: directory, path: rootfs, method: .copy(reason: "\(failure)"))
    }

    /// Mounts the overlay; returns the lower directories as given to the kernel, highest first.
    private func mountOverlay(layers: [String], directory: String, rootfs: String) throws(SystemCallError)
        -> [String]
    {
        // A layer listed twice (identical empty layers are common) is kept only at its highest place: applying it
        // again there gives the same tree, and overlayfs may refuse the same lower directory twice.
        var seen = Set<String>()
        var lowerdirs = layers.reversed().filter { seen.insert($0).inserted }
        if lowerdirs.isEmpty {
            let empty = directory + "/empty"
            try check(mkdir(empty, 0o755), "mkdir \(empty)")
            lowerdirs = [empty]
        }
        let upper = directory + "/upper"
        let work = directory + "/work"
        try check(mkdir(upper, 0o755), "mkdir \(upper)")
        try check(mkdir(work, 0o700), "mkdir \(work)")
        var options = Self.overlayOptions(lowerdirs: lowerdirs, upper: upper, work: work)
        if options.utf8.count >= 4000 {
            // The mount data is one page: use short symlinks to the layers (as Docker's overlay2 does with l/).
            let links = directory + "/l"
            try check(mkdir(links, 0o700), "mkdir \(links)")
            var linked: [String] = []
            for (index, layer) in lowerdirs.enumerated() {
                let link = "\(links)/\(index)"
                try check(symlink(layer, link), "symlink \(link)")
                linked.append(link)
            }
            lowerdirs = linked
            options = Self.overlayOptions(lowerdirs: lowerdirs, upper: upper, work: work)
        }
        if mount("overlay", rootfs, "overlay", 0, options) != 0 {
            let code = errno
            try? removeTree(atPath: upper)
            try? removeTree(atPath: work)
            throw SystemCallError("mount overlay on \(rootfs)", errno: code)
        }
        return lowerdirs
    }

    static func overlayOptions(lowerdirs: [String], upper: String, work: String) -> String {
        func escape(_ path: String) -> String {
            path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
                .replacingOccurrences(of: ",", with: "\\,")
        }
        return "lowerdir=" + lowerdirs.map(escape).joined(separator: ":") + ",upperdir=" + escape(upper)
            + ",workdir=" + escape(work)
    }

    private func copyLayers(_ layers: [String], into rootfs: String) throws {
        var copier = RootfsCopier(target: try RootedDirectory(rootfs))
        for layer in layers { try copier.apply(layer: layer) }
        try copier.finish()
    }
}
