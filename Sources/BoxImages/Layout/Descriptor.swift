/// An OCI content descriptor: what a blob is, its digest and its exact size in bytes.
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    /// Only in an image index's `manifests`.
    public var platform: Platform?
    public var artifactType: String?

    public init(
        mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil,
        platform: Platform? = nil
    ) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    /// The tag annotation of an `index.json` entry.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// The full name containerd and Docker 25+ put beside the tag.
    public static let containerdImageNameAnnotation = "io.containerd.image.name"

    /// `org.opencontainers.image.ref.name`, if any.
    public var refName: String? {
        get { annotations?[Self.refNameAnnotation] }
        set {
            var values = annotations ?? [:]
            values[Self.refNameAnnotation] = newValue
            annotations = values.isEmpty ? nil : values
        }
    }
}

/// The platform an image runs on (`architecture` in Go's GOARCH spelling: amd64, arm64, …).
public struct Platform: Sendable, Hashable, Codable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var osVersion: String?
    public var osFeatures: [String]?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(architecture: String, os: String, variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// linux and this machine's architecture.
    public static var host: Platform { Platform(architecture: hostArchitecture, os: "linux") }

    /// This machine's architecture, as Go names it.
    public static var hostArchitecture: String {
        #if arch(x86_64)
            "amd64"
        #elseif arch(arm64)
            "arm64"
        #elseif arch(arm)
            "arm"
        #elseif arch(i386)
            "386"
        #elseif arch(powerpc64le)
            "ppc64le"
        #elseif arch(s390x)
            "s390x"
        #else
            "unknown"
        #endif
    }
}
