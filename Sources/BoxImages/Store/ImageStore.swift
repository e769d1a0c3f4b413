public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Images in an OCI image layout directory (clusterbox passes `<dataDir>/images`):
///
///     oci-layout            {"imageLayoutVersion":"1.0.0"}
///     index.json            one entry per tag, the tag in org.opencontainers.image.ref.name
///     blobs/sha256/<hex>    manifests, configs, layers: content-addressed
///     layers/<diff_id hex>/ each layer unpacked once (overlay whiteouts), read-only afterwards
///     .lock                 flock: writers of index.json and the garbage collector take it exclusively
///
/// Files are replaced atomically (a temporary file, then rename), so readers need no lock. The daemon and the CLI
/// may use one store at once: writers serialize on the lock file.
public final class ImageStore: Sendable {
    public let root: String
    let logger: Logger

    public init(root: String, logger: Logger = Logger(label: "clusterbox.images")) throws {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.logger = logger
        try FileIO.makeDirectories(blobsDirectory)
        try FileIO.makeDirectories(layersDirectory)
        try FileIO.makeDirectories(root + "/locks")
        if !FileIO.exists(indexPath) || !FileIO.exists(layoutPath) {
            try lock.withLock(.exclusive) {
                if !FileIO.exists(layoutPath) {
                    try FileIO.writeAtomically(layoutPath, try LayoutJSON.encode(ImageLayoutMarker()))
                }
                if !FileIO.exists(indexPath) { try writeIndex(ImageIndex()) }
            }
        }
    }

    // MARK: - Paths

    var blobsDirectory: String { root + "/blobs/sha256" }
    var layersDirectory: String { root + "/layers" }
    var indexPath: String { root + "/index.json" }
    var layoutPath: String { root + "/oci-layout" }
    var lock: FileLock { FileLock(path: root + "/.lock") }

    /// Where the blob with `digest` is (or would be) stored.
    public func blobPath(_ digest: Digest) -> String { blobsDirectory + "/" + digest.hex }

    // MARK: - index.json

    func readIndex() throws -> ImageIndex {
        try LayoutJSON.decode(ImageIndex.self, from: try FileIO.read(indexPath), what: indexPath)
    }

    func writeIndex(_ index: ImageIndex) throws {
        try FileIO.writeAtomically(indexPath, try LayoutJSON.encode(index))
    }
}
