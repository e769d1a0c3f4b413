/// The media types of the OCI image spec, and the Docker v2 schema 2 types clusterbox also reads.
public enum MediaType {
    // MARK: - OCI
    public static let imageIndex = "application/vnd.oci.image.index.v1+json"
    public static let imageManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let imageConfig = "application/vnd.oci.image.config.v1+json"
    public static let layerTar = "application/vnd.oci.image.layer.v1.tar"
    public static let layerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let layerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    /// "Non-distributable" layers (deprecated in the spec, still found in Windows images).
    public static let layerNondistributableTar = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let layerNondistributableTarGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"

    // MARK: - Docker v2 schema 2
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerTarGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerTarGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    public static let octetStream = "application/octet-stream"

    /// Both kinds of image index (multi-platform lists).
    public static func isIndex(_ type: String?) -> Bool { type == imageIndex || type == dockerManifestList }
    /// Both kinds of single-platform manifest.
    public static func isManifest(_ type: String?) -> Bool { type == imageManifest || type == dockerManifest }

    /// How a layer blob of `type` is compressed, or nil when it is no layer type clusterbox knows.
    public static func layerCompression(_ type: String) -> LayerCompression? {
        switch type {
        case layerTar, layerNondistributableTar: LayerCompression.none
        case layerTarGzip, layerNondistributableTarGzip, dockerLayerTarGzip, dockerForeignLayerTarGzip: .gzip
        case layerTarZstd: .zstd
        default: nil
        }
    }
}

/// The compression of a layer blob.
public enum LayerCompression: String, Sendable, Hashable {
    case none, gzip, zstd
}
