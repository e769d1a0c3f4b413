#if canImport(Glibc)
    import Glibc
#endif

extension ImageStore {
    /// Imports the images of an archive and returns their references:
    ///
    /// - an OCI archive (a tar of an OCI layout, as `skopeo copy … oci-archive:` or `tar -C layout -cf` make it).
    ///   A `ref.name` annotation with a name in it (`busybox:1.36`) is taken whole; a bare tag (`latest`) is put
    ///   after the archive's file name (`busybox.tar` → `busybox:latest`);
    /// - a `docker save` tarball (`manifest.json` with `Config`, `RepoTags`, `Layers`): converted to an OCI
    ///   manifest and config, the layers stored as they are (`.tar`, or `.tar+gzip` when compressed).
    ///
    /// Either may be gzip-compressed. `tag` replaces the archive's names (the archive must then hold one image).
    /// Every blob is checked against its digest and every layer read through: digest, diff_id, tar structure,
    /// no `..` or absolute names. Nothing is tagged unless all of it passes, and a failed import deletes the blobs
    /// it added: the store is as before.
    @discardableResult
    public func importArchive(_ path: String, tag: String? = nil) throws -> [String] {
        let override = try tag.map(ImageReference.normalize)
        return try lock.withLock(.exclusive) {
            var contents = try ArchiveContents(reading: path, into: self)
            do {
                var images: [(Descriptor, [String])]
                if contents.files["manifest.json"] != nil {
                    images = try importDockerSave(&contents)
                } else if contents.files["index.json"] != nil {
                    images = try importOCILayout(&contents)
                } else {
                    throw ImageError.unknownArchiveFormat(path)
                }
                guard !images.isEmpty else { throw ImageError.invalidArchive(path, reason: "it holds no image") }
                if let override {
                    guard images.count == 1 else {
                        throw ImageError.invalidArchive(
                            path, reason: "it holds \(images.count) images: a tag can name only one")
                    }
                    images[0].1 = [override]
                }
                var entries: [(Descriptor, String?)] = []
                for (descriptor, references) in images {
                    if references.isEmpty { entries.append((descriptor, nil)) }
                    for reference in references { entries.append((descriptor, reference)) }
                }
                try tagLocked(entries)
                let names = entries.map { $0.1 ?? $0.0.digest.description }
                logger.info("images imported", metadata: ["archive": "\(path)", "references": "\(names)"])
                return names
            } catch {
                for digest in contents.addedBlobs { unlink(blobPath(digest)) }
                throw error
            }
        }
    }

    // MARK: - docker save

    /// One element of `docker save`'s manifest.json.
    private struct DockerSaveEntry: Decodable {
        var Config: String
        var RepoTags: [String]?
        var Layers: [String]
    }

    private func importDockerSave(_ contents: inout ArchiveContents) throws -> [(Descriptor, [String])] {
        let path = contents.archivePath
        let entries = try LayoutJSON.decode(
            [DockerSaveEntry].self, from: try contents.bytes(of: "manifest.json", store: self),
            what: "\(path): manifest.json")
        var images: [(Descriptor, [String])] = []
        for entry in entries {
            let configBytes = try contents.bytes(of: entry.Config, store: self)
            let config = try LayoutJSON.decode(
                ImageConfiguration.self, from: configBytes, what: "\(path): \(entry.Config)")
            guard entry.Layers.count == config.rootfs.diffIDs.count else {
                throw ImageError.layerCountMismatch(layers: entry.Layers.count, diffIDs: config.rootfs.diffIDs.count)
            }
            var layers: [Descriptor] = []
            for (name, diffID) in zip(entry.Layers, config.rootfs.diffIDs) {
                var layer = try contents.blob(name, store: self)
                let prefix = try PeekableSource(FileSource(path: blobPath(layer.digest))).peek(4)
                switch StreamCompression.detect(prefix) {
                case .none: layer.mediaType = MediaType.layerTar
                case .gzip: layer.mediaType = MediaType.layerTarGzip
                case .zstd: layer.mediaType = MediaType.layerTarZstd
                }
                try checkLayer(Image.Layer(descriptor: layer, diffID: diffID), what: "\(path): \(name)")
                layers.append(layer)
            }
            let configDescriptor = try putBlob(
                from: MemorySource(configBytes), mediaType: MediaType.imageConfig,
                expected: nil, what: entry.Config)
            let manifest = ImageManifest(config: configDescriptor.descriptor, layers: layers)
            let manifestDescriptor = try putBlob(
                from: MemorySource(try LayoutJSON.encode(manifest)),
                mediaType: MediaType.imageManifest, expected: nil, what: "manifest")
            for (descriptor, isNew) in [configDescriptor, manifestDescriptor] where isNew {
                contents.addedBlobs.append(descriptor.digest)
            }
            let references = try (entry.RepoTags ?? []).map(ImageReference.normalize)
            images.append((manifestDescriptor.descriptor, references))
        }
        return images
    }

    // MARK: - OCI layout

    private func importOCILayout(_ contents: inout ArchiveContents) throws -> [(Descriptor, [String])] {
        let path = contents.archivePath
        if let marker = contents.files["oci-layout"] {
            let layout = try LayoutJSON.decode(ImageLayoutMarker.self, from: marker, what: "\(path): oci-layout")
            guard layout.imageLayoutVersion.hasPrefix("1.") else {
                throw ImageError.invalidArchive(path, reason: "image layout version \(layout.imageLayoutVersion)")
            }
        }
        let index = try LayoutJSON.decode(
            ImageIndex.self, from: try contents.bytes(of: "index.json", store: self), what: "\(path): index.json")
        let base = Self.archiveName(path)
        return try index.manifests.map { descriptor in
            guard MediaType.isManifest(descriptor.mediaType) || MediaType.isIndex(descriptor.mediaType) else {
                throw ImageError.unsupportedMediaType(descriptor.mediaType, what: "\(path): index.json entry")
            }
            let image = try resolve(descriptor, reference: "\(path): \(descriptor.digest)")
            for layer in image.layers {
                try checkLayer(layer, what: "\(path): layer \(layer.descriptor.digest)")
            }
            let references = try Self.references(of: descriptor, archiveName: base)
            return (
                Descriptor(
                    mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size,
                    platform: descriptor.platform), references
            )
        }
    }

    /// The reference of an OCI index entry: containerd's full name, else `ref.name` (a bare tag goes after the
    /// archive's name), else none.
    static func references(of descriptor: Descriptor, archiveName: String) throws -> [String] {
        if let name = descriptor.annotations?[Descriptor.containerdImageNameAnnotation] {
            return [try ImageReference.normalize(name)]
        }
        guard let ref = descriptor.refName, !ref.isEmpty else { return [] }
        if ref.contains(":") || ref.contains("/") { return [try ImageReference.normalize(ref)] }
        return [try ImageReference.normalize(archiveName + ":" + ref)]
    }

    /// `dir/busybox.oci.tar.gz` → `busybox`.
    static func archiveName(_ path: String) -> String {
        var name = String(path.split(separator: "/").last ?? "")
        for suffix in [".gz", ".tgz", ".tar", ".oci", ".docker"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        name = String(name.lowercased().map { allowed.contains($0) ? $0 : "-" })
        while let first = name.first, !(first.isLetter || first.isNumber) { name.removeFirst() }
        return name.isEmpty ? "imported" : name
    }

    /// Reads a stored layer through: digest, diff_id, tar structure, safe names.
    private func checkLayer(_ layer: Image.Layer, what: String) throws {
        guard blobExists(layer.descriptor.digest) else {
            throw ImageError.missingBlob(layer.descriptor.digest, what: what)
        }
        _ = try LayerStream.check(layer, blobPath: blobPath(layer.descriptor.digest))
    }
}
