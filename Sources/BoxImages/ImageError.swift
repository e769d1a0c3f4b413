/// Why the image store refused something. Each case reads as a sentence for the CLI.
public enum ImageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No image has this reference (tag, digest or digest prefix).
    case notFound(String)
    /// A digest prefix that more than one image starts with.
    case ambiguous(String, candidates: [String])
    case invalidReference(String, reason: String)
    /// A blob's content does not hash to the digest it is stored or referenced under.
    case digestMismatch(what: String, expected: Digest, actual: Digest)
    case sizeMismatch(what: String, expected: Int64, actual: Int64)
    case missingBlob(Digest, what: String)
    case invalidJSON(String, String)
    case unsupportedMediaType(String, what: String)
    /// An image index with no entry for this platform.
    case noMatchingPlatform(Platform, available: [String])
    case layerCountMismatch(layers: Int, diffIDs: Int)
    /// A file that is neither an OCI archive nor a `docker save` tarball.
    case unknownArchiveFormat(String)
    case invalidArchive(String, reason: String)
    /// A layer entry whose name would leave the layer (`..`, absolute), or that cannot be made safely.
    case unsafeEntry(layer: Digest, name: String, reason: String)
    /// A layer that could not be unpacked.
    case unpackFailed(layer: Digest, entry: String, reason: String)
    case rootfs(String)
    case userNotFound(String, reason: String)
    case noCommand(String)

    public var description: String {
        switch self {
        case .notFound(let reference): "no such image: \(reference)"
        case .ambiguous(let reference, let candidates):
            "\(reference) is ambiguous: it matches \(candidates.joined(separator: ", "))"
        case .invalidReference(let reference, let reason): "invalid image reference \"\(reference)\": \(reason)"
        case .digestMismatch(let what, let expected, let actual):
            "\(what): digest mismatch: expected \(expected), content has \(actual)"
        case .sizeMismatch(let what, let expected, let actual):
            "\(what): size mismatch: expected \(expected) bytes, content has \(actual)"
        case .missingBlob(let digest, let what): "\(what): blob \(digest) is missing"
        case .invalidJSON(let what, let reason): "\(what): invalid JSON: \(reason)"
        case .unsupportedMediaType(let type, let what): "\(what): unsupported media type \(type)"
        case .noMatchingPlatform(let platform, let available):
            "no image for \(platform.os)/\(platform.architecture) in the index (it has: \(available.joined(separator: ", ")))"
        case .layerCountMismatch(let layers, let diffIDs):
            "the manifest lists \(layers) layers but the config has \(diffIDs) diff_ids"
        case .unknownArchiveFormat(let path):
            "\(path): neither an OCI archive (oci-layout, index.json) nor a docker save tarball (manifest.json)"
        case .invalidArchive(let path, let reason): "\(path): \(reason)"
        case .unsafeEntry(let layer, let name, let reason): "layer \(layer): unsafe entry \"\(name)\": \(reason)"
        case .unpackFailed(let layer, let entry, let reason): "layer \(layer): cannot unpack \"\(entry)\": \(reason)"
        case .rootfs(let reason): "rootfs: \(reason)"
        case .userNotFound(let user, let reason): "user \"\(user)\": \(reason)"
        case .noCommand(let reference): "\(reference): no command given and the image has no Entrypoint or Cmd"
        }
    }
}
