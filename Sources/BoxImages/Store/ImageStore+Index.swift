extension ImageStore {
    /// Points `reference` (normalized: `busybox` → `busybox:latest`) at `manifest`, a manifest or image index
    /// already stored. A tag that pointed elsewhere moves.
    public func tag(_ manifest: Descriptor, as reference: String) throws {
        let normalized = try ImageReference.normalize(reference)
        guard blobExists(manifest.digest) else { throw ImageError.missingBlob(manifest.digest, what: normalized) }
        guard MediaType.isManifest(manifest.mediaType) || MediaType.isIndex(manifest.mediaType) else {
            throw ImageError.unsupportedMediaType(manifest.mediaType, what: normalized)
        }
        try lock.withLock(.exclusive) { try tagLocked([(manifest, normalized)]) }
    }

    /// Sets the tags in one write of index.json; a nil reference adds an untagged entry (unless one exists).
    func tagLocked(_ entries: [(Descriptor, String?)]) throws {
        var index = try readIndex()
        for (descriptor, reference) in entries {
            var entry = Descriptor(
                mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size,
                platform: descriptor.platform)
            if let reference {
                index.manifests.removeAll { $0.refName == reference }
                entry.refName = reference
            } else if index.manifests.contains(where: { $0.digest == descriptor.digest }) {
                continue
            }
            index.manifests.append(entry)
        }
        try writeIndex(index)
    }

    /// Every entry of index.json, sorted by reference (untagged last).
    public func images() throws -> [ImageSummary] {
        try readIndex().manifests.map { entry in
            let image = try? resolve(entry, reference: entry.refName ?? entry.digest.description)
            return ImageSummary(
                reference: entry.refName, digest: entry.digest, size: image?.size ?? entry.size,
                created: image?.config.created, architecture: image?.config.architecture, os: image?.config.os)
        }.sorted { ($0.reference ?? "\u{10FFFF}", $0.digest.hex) < ($1.reference ?? "\u{10FFFF}", $1.digest.hex) }
    }

    /// The image `reference` names: a tag (`busybox`, `busybox:latest`), a digest, or a unique prefix of a
    /// digest's hex as `docker` accepts. From an image index, the entry for `platform`.
    public func image(_ reference: String, platform: Platform = .host) throws -> Image {
        try resolve(try entry(for: reference), reference: reference, platform: platform)
    }

    /// The index.json entry `reference` names.
    func entry(for reference: String) throws -> Descriptor {
        let index = try readIndex()
        if let normalized = try? ImageReference.normalize(reference),
            let found = index.manifests.last(where: { $0.refName == normalized })
        {
            return found
        }
        if let at = reference.firstIndex(of: "@"),
            let digest = Digest(String(reference[reference.index(after: at)...])),
            let found = index.manifests.first(where: { $0.digest == digest })
        {
            return found
        }
        if let prefix = ImageReference.digestPrefix(reference) {
            let matches = Dictionary(grouping: index.manifests.filter { $0.digest.hex.hasPrefix(prefix) }, by: \.digest)
            if matches.count == 1, let found = matches.first?.value.first { return found }
            if matches.count > 1 {
                throw ImageError.ambiguous(reference, candidates: matches.keys.map(\.description).sorted())
            }
        }
        throw ImageError.notFound(reference)
    }

    /// Reads the manifest (through an index when it is one), the config, and pairs the layers with diff_ids.
    func resolve(_ entry: Descriptor, reference: String, platform: Platform = .host) throws -> Image {
        var manifestDescriptor = entry
        if MediaType.isIndex(entry.mediaType) {
            let index = try readJSON(ImageIndex.self, entry, what: "image index of \(reference)")
            guard let chosen = index.manifest(for: platform) else {
                let available = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
                throw ImageError.noMatchingPlatform(platform, available: available)
            }
            manifestDescriptor = chosen
        }
        guard MediaType.isManifest(manifestDescriptor.mediaType) else {
            throw ImageError.unsupportedMediaType(manifestDescriptor.mediaType, what: "manifest of \(reference)")
        }
        let manifest = try readJSON(ImageManifest.self, manifestDescriptor, what: "manifest of \(reference)")
        let config = try readJSON(ImageConfiguration.self, manifest.config, what: "config of \(reference)")
        guard manifest.layers.count == config.rootfs.diffIDs.count else {
            throw ImageError.layerCountMismatch(layers: manifest.layers.count, diffIDs: config.rootfs.diffIDs.count)
        }
        for layer in manifest.layers where MediaType.layerCompression(layer.mediaType) == nil {
            throw ImageError.unsupportedMediaType(layer.mediaType, what: "layer \(layer.digest) of \(reference)")
        }
        let layers = zip(manifest.layers, config.rootfs.diffIDs).map { Image.Layer(descriptor: $0, diffID: $1) }
        return Image(
            reference: reference, digest: entry.digest, manifestDescriptor: manifestDescriptor,
            manifest: manifest, config: config, layers: layers)
    }
}
