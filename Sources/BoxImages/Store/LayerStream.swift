/// A layer blob opened for reading its tar, with both digests taken on the way: the blob as stored (the layer's
/// `digest`) and the uncompressed tar (its `diff_id`). `verify()` after the last entry checks both.
struct LayerStream {
    let layer: Image.Layer
    let compressed: HashingSource
    let uncompressed: HashingSource
    let tar: TarReader

    init(_ layer: Image.Layer, blobPath: String) throws {
        self.layer = layer
        guard let compression = MediaType.layerCompression(layer.descriptor.mediaType) else {
            throw ImageError.unsupportedMediaType(layer.descriptor.mediaType, what: "layer \(layer.descriptor.digest)")
        }
        compressed = HashingSource(try FileSource(path: blobPath))
        // gzip or not is read from the data, as containerd does: some tools label gzip layers as plain tar. A zstd
        // media type is refused whatever the data.
        uncompressed = HashingSource(try decompressed(compressed, compression: compression == .zstd ? .zstd : nil))
        tar = TarReader(uncompressed)
    }

    /// Reads the rest of the streams and checks the layer's digest, size and diff_id.
    func verify() throws {
        try tar.finish()
        try compressed.drain()
        let what = "layer \(layer.descriptor.digest)"
        guard compressed.digest == layer.descriptor.digest else {
            throw ImageError.digestMismatch(what: what, expected: layer.descriptor.digest, actual: compressed.digest)
        }
        guard compressed.count == layer.descriptor.size else {
            throw ImageError.sizeMismatch(what: what, expected: layer.descriptor.size, actual: compressed.count)
        }
        guard uncompressed.digest == layer.diffID else {
            throw ImageError.digestMismatch(
                what: "\(what) (uncompressed, diff_id)", expected: layer.diffID,
                actual: uncompressed.digest)
        }
    }

    /// Reads the whole layer without writing anything: digests, tar structure, entry names (no `..`, nothing
    /// absolute, hard links inside). What an import checks before it keeps an image.
    static func check(_ layer: Image.Layer, blobPath: String) throws -> Int {
        let stream = try LayerStream(layer, blobPath: blobPath)
        var count = 0
        while let entry = try stream.tar.next() {
            count += 1
            for name in entry.kind == .hardLink ? [entry.name, entry.linkName] : [entry.name] {
                if case .failure(let error) = LayerPath.components(name) {
                    throw ImageError.unsafeEntry(layer: layer.descriptor.digest, name: name, reason: error.description)
                }
            }
        }
        try stream.verify()
        return count
    }
}
