import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ImageStore {
    /// What `remove` did.
    public struct Removal: Sendable, Hashable {
        /// The tags removed (empty for an untagged image).
        public var references: [String]
        public var digest: Digest
        /// Blobs and unpacked layers nothing references any more, now deleted.
        public var deletedBlobs: [Digest]
        public var deletedLayers: [Digest]
    }

    /// Untags the image `reference` names. By tag, only that tag goes; by digest (or prefix), every tag of that
    /// digest. Then blobs and unpacked layers that no remaining image references are deleted (an unpacked layer
    /// still mounted by a prepared rootfs stays).
    @discardableResult
    public func remove(_ reference: String) throws -> Removal {
        try lock.withLock(.exclusive) {
            let entry = try entry(for: reference)
            var index = try readIndex()
            let byTag =
                (try? ImageReference.normalize(reference)).map { tag in
                    index.manifests.contains { $0.refName == tag }
                } ?? false
            let removed: [Descriptor]
            if byTag, let tag = try? ImageReference.normalize(reference) {
                removed = index.manifests.filter { $0.refName == tag }
                index.manifests.removeAll { $0.refName == tag }
            } else {
                removed = index.manifests.filter { $0.digest == entry.digest }
                index.manifests.removeAll { $0.digest == entry.digest }
            }
            try writeIndex(index)
            let (blobs, layers) = try collectGarbageLocked()
            return Removal(
                references: removed.compactMap(\.refName), digest: entry.digest, deletedBlobs: blobs,
                deletedLayers: layers)
        }
    }

    /// Deletes every blob no index.json entry reaches, and every unpacked layer no remaining config lists (unless
    /// an overlay mount uses it). Call with the lock held.
    func collectGarbageLocked() throws -> (blobs: [Digest], layers: [Digest]) {
        var reachable = Set<Digest>()
        var diffIDs = Set<Digest>()
        for entry in try readIndex().manifests { mark(entry, reachable: &reachable, diffIDs: &diffIDs) }
        var deletedBlobs: [Digest] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobsDirectory)) ?? [] {
            if name.hasPrefix(".tmp-") {
                removeIfStale(blobsDirectory + "/" + name)  // left by a writer that crashed
                continue
            }
            guard let digest = Digest("sha256:" + name), !reachable.contains(digest) else { continue }
            if unlink(blobPath(digest)) == 0 { deletedBlobs.append(digest) }
        }
        let inUse = LayerCache.layersInUse()
        var deletedLayers: [Digest] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: layersDirectory)) ?? [] {
            guard let digest = Digest("sha256:" + name), !diffIDs.contains(digest) else { continue }
            let path = layersDirectory + "/" + name
            if inUse.contains(path) {
                logger.info("unpacked layer still mounted: kept", metadata: ["layer": "\(digest)"])
                continue
            }
            try removeTree(atPath: path)
            deletedLayers.append(digest)
        }
        return (deletedBlobs.sorted { $0.hex < $1.hex }, deletedLayers.sorted { $0.hex < $1.hex })
    }

    /// Deletes a temporary file untouched for an hour: no writer takes that long between two writes.
    private func removeIfStale(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0, time(nil) - status.st_mtim.tv_sec > 3600 else { return }
        unlink(path)
    }

    /// Marks what `descriptor` reaches: an index's manifests, a manifest's config and layers. Blobs that are
    /// missing or unreadable reach nothing further.
    private func mark(_ descriptor: Descriptor, reachable: inout Set<Digest>, diffIDs: inout Set<Digest>) {
        guard reachable.insert(descriptor.digest).inserted else { return }
        if MediaType.isIndex(descriptor.mediaType) {
            guard let index = try? readJSON(ImageIndex.self, descriptor, what: "index") else { return }
            for child in index.manifests { mark(child, reachable: &reachable, diffIDs: &diffIDs) }
        } else if MediaType.isManifest(descriptor.mediaType) {
            guard let manifest = try? readJSON(ImageManifest.self, descriptor, what: "manifest") else { return }
            reachable.insert(manifest.config.digest)
            for layer in manifest.layers { reachable.insert(layer.digest) }
            if let config = try? readJSON(ImageConfiguration.self, manifest.config, what: "config") {
                diffIDs.formUnion(config.rootfs.diffIDs)
            }
        }
    }
}
