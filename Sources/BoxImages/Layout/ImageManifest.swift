/// A single-platform image manifest: the config blob and the layers, lowest first. The Docker v2 schema 2
/// manifest has the same shape (with Docker media types).
public struct ImageManifest: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor?
    public var annotations: [String: String]?

    public init(
        config: Descriptor, layers: [Descriptor], mediaType: String? = MediaType.imageManifest,
        annotations: [String: String]? = nil
    ) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}
