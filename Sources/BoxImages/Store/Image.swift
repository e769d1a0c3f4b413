/// A resolved image: its manifest (chosen from an index for this platform), configuration and layers.
public struct Image: Sendable, Hashable {
    /// One layer: the blob as stored, and the digest of its uncompressed tar.
    public struct Layer: Sendable, Hashable {
        public var descriptor: Descriptor
        public var diffID: Digest
        public init(descriptor: Descriptor, diffID: Digest) {
            self.descriptor = descriptor
            self.diffID = diffID
        }
    }

    /// How it was asked for (a tag, or the digest).
    public var reference: String
    /// The digest `index.json` points at: the manifest's, or the image index's for a multi-platform image.
    public var digest: Digest
    public var manifestDescriptor: Descriptor
    public var manifest: ImageManifest
    public var config: ImageConfiguration
    public var layers: [Layer]

    public init(
        reference: String, digest: Digest, manifestDescriptor: Descriptor, manifest: ImageManifest,
        config: ImageConfiguration, layers: [Layer]
    ) {
        self.reference = reference
        self.digest = digest
        self.manifestDescriptor = manifestDescriptor
        self.manifest = manifest
        self.config = config
        self.layers = layers
    }

    public var configDescriptor: Descriptor { manifest.config }
    /// Bytes stored for this image: manifest, config and layer blobs.
    public var size: Int64 {
        manifestDescriptor.size + manifest.config.size + layers.reduce(0) { $0 + $1.descriptor.size }
    }
}

/// A line of `clusterbox image ls`.
public struct ImageSummary: Sendable, Hashable, Codable {
    /// The tag (`busybox:latest`), or nil for an untagged image.
    public var reference: String?
    public var digest: Digest
    public var size: Int64
    /// The config's `created`, as written there (RFC 3339).
    public var created: String?
    public var architecture: String?
    public var os: String?
}
