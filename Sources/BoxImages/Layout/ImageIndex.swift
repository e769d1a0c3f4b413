/// An OCI image index (`index.json` of a layout, or a multi-platform image); a Docker manifest list reads the same.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var artifactType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(manifests: [Descriptor] = [], mediaType: String? = MediaType.imageIndex) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
    }

    /// The entry for `platform`: the exact match (with the variant when both name one), else the first entry for
    /// its os and architecture. Entries without a platform are taken only when they are the only ones.
    public func manifest(for platform: Platform) -> Descriptor? {
        let candidates = manifests.filter {
            $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture
        }
        if let variant = platform.variant, let exact = candidates.first(where: { $0.platform?.variant == variant }) {
            return exact
        }
        if let first = candidates.first { return first }
        if manifests.count == 1, manifests[0].platform == nil { return manifests[0] }
        return nil
    }
}

/// The `oci-layout` file: `{"imageLayoutVersion":"1.0.0"}`.
public struct ImageLayoutMarker: Sendable, Hashable, Codable {
    public var imageLayoutVersion: String
    public init(imageLayoutVersion: String = "1.0.0") { self.imageLayoutVersion = imageLayoutVersion }
}
