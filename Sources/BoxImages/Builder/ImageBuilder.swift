import BoxRuntime
import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `clusterbox image build`: runs a Dockerfile (the subset `Dockerfile` parses) against a build context and stores
/// the result in an `ImageStore` under a tag.
///
/// The image grows one instruction at a time. Config instructions (ENV, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE,
/// LABEL) change only the configuration; COPY and ADD become a layer of the files they add (`LayerDiff.copy`); RUN
/// runs in a container of the image so far (clusterbox's own launcher: namespaces, the default seccomp filter, no
/// new privileges) on an overlay whose upper directory then becomes the layer (`LayerDiff.overlayUpper`). Every
/// layer is stored as gzip with its digest and diff_id; the config, then the manifest, are stored last and tagged.
public struct ImageBuilder: Sendable {
    public let store: ImageStore
    /// Where build files live while a build runs (RUN overlays, layer files); each build makes and removes its own
    /// directory under it.
    public let scratchDirectory: String
    let logger: Logger
    let progress: @Sendable (String) -> Void

    public init(
        store: ImageStore, scratchDirectory: String? = nil, logger: Logger,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.scratchDirectory = scratchDirectory ?? store.root + "/build"
        self.logger = logger
        self.progress = progress
    }

    /// Builds `context/Dockerfile` (or `dockerfile`) and tags the image `tag`. Any failure is an
    /// `ImageBuildError` naming the Dockerfile line; nothing is tagged then (stored blobs are collected as
    /// garbage by the next `image rm`).
    public func build(
        context directory: String, dockerfile: String? = nil, tag: String, buildArguments: [String: String] = [:]
    ) throws -> Image {
        let reference = try ImageReference.normalize(tag)
        let path = dockerfile ?? directory + "/Dockerfile"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ImageBuildError(line: 0, message: "cannot read \(path)")
        }
        let instructions: [DockerfileInstruction]
        do {
            instructions = try Dockerfile.parse(text, buildArguments: buildArguments)
        } catch {
            throw ImageBuildError(line: error.line, message: error.message)
        }
        let context: BuildContext
        do {
            context = try BuildContext(root: directory)
        } catch {
            throw ImageBuildError(line: 0, message: "build context \(directory): \(error)")
        }
        let scratch = scratchDirectory + "/" + UUID().uuidString.prefix(12).lowercased()
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        var state = BuildState()
        for (index, instruction) in instructions.enumerated() {
            let started = ContinuousClock.now
            do {
                try apply(instruction, to: &state, context: context, scratch: scratch)
            } catch let error as ImageBuildError {
                throw error
            } catch {
                throw ImageBuildError(line: instruction.line, message: "\(error)")
            }
            let elapsed = started.duration(to: .now)
            progress(
                "step \(index + 1)/\(instructions.count)  line \(instruction.line)  \(state.lastStep)  "
                    + "(\(Self.milliseconds(elapsed)) ms)")
        }
        return try store(state, as: reference)
    }

    public static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// A build that failed: the Dockerfile line (0 for the file as a whole) and why.
public struct ImageBuildError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "Dockerfile line \(line): \(message)" : "Dockerfile: \(message)" }
}

/// The image as far as the build has got.
struct BuildState {
    var layers: [Image.Layer] = []
    var config = ImageConfiguration.Config()
    var history: [ImageConfiguration.History] = []
    var baseArchitecture = Platform.hostArchitecture
    var lastStep = ""

    /// A transient `Image` of the layers so far, for the store's layer cache.
    func image(named name: String) -> Image {
        let configDescriptor = Descriptor(
            mediaType: MediaType.imageConfig, digest: Digest.empty, size: 0)
        let manifest = ImageManifest(config: configDescriptor, layers: layers.map(\.descriptor))
        return Image(
            reference: name, digest: Digest.empty, manifestDescriptor: configDescriptor, manifest: manifest,
            config: ImageConfiguration(config: config, rootfs: .init(diffIDs: layers.map(\.diffID))), layers: layers)
    }

    mutating func setEnvironment(_ key: String, _ value: String) {
        var env = config.env ?? []
        env.removeAll { $0 == key || $0.hasPrefix(key + "=") }
        env.append(key + "=" + value)
        config.env = env
    }

    var environment: [String: String] {
        var result: [String: String] = [:]
        for entry in config.env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
        return result
    }
}

extension Digest {
    /// The sha256 of nothing: a placeholder where a transient image needs a digest.
    static let empty = Digest("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!
}
