import ArgumentParser
import BoxImages
import Foundation
import Logging

/// `clusterbox image build|ls|inspect|rm|import|export`: the image store in `<dataDir>/images`, used directly (no
/// daemon needed; the store's lock file keeps the CLI and a running daemon from writing at once).
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage container images (OCI image layout in <data-dir>/images).",
        subcommands: [Build.self, List.self, Inspect.self, Remove.self, Import.self, Export.self],
        defaultSubcommand: List.self)

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build an image from DIR/Dockerfile (FROM, COPY, ADD, RUN, ENV, WORKDIR, USER, ENTRYPOINT, CMD, "
                + "EXPOSE, LABEL, ARG); RUN steps run in clusterbox's own containers (root).")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The build context: a directory with a Dockerfile.")
        var directory: String

        @Option(name: [.short, .customLong("tag")], help: "The image's name and tag (NAME[:TAG], default latest).")
        var tag: String?

        @Option(name: [.short, .customLong("file")], help: "The Dockerfile (default DIR/Dockerfile).")
        var file: String?

        @Option(name: .customLong("build-arg"), help: "An ARG value, KEY=VALUE (repeatable).")
        var buildArguments: [String] = []

        func run() throws {
            var arguments: [String: String] = [:]
            for pair in buildArguments {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ValidationError("--build-arg needs KEY=VALUE, not \(pair)") }
                arguments[String(parts[0])] = String(parts[1])
            }
            let name = tag ?? URL(fileURLWithPath: directory).standardized.lastPathComponent.lowercased()
            let started = ContinuousClock.now
            let builder = ImageBuilder(
                store: try cluster.imageStore(), logger: Logger(label: "clusterbox.build"),
                progress: { print($0) })
            do {
                let image = try builder.build(
                    context: directory, dockerfile: file, tag: name, buildArguments: arguments)
                let elapsed = started.duration(to: .now)
                print(
                    "built \(image.reference) \(image.digest.hex.prefix(12)) (\(image.layers.count) layers, "
                        + "\(byteCount(image.size))) in \(ImageBuilder.milliseconds(elapsed)) ms")
            } catch let error as ImageBuildError {
                throw CLIError(error.description)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the images.")

        @OptionGroup var cluster: ClusterOptions

        @Flag(name: .long, help: "Print JSON: reference, digest, size, created, architecture, os.")
        var json = false

        func run() throws {
            let images = try cluster.imageStore().images()
            if json {
                print(try jsonText(images))
                return
            }
            printTable(
                ["REFERENCE", "DIGEST", "SIZE", "CREATED"],
                images.map { image in
                    [
                        image.reference ?? "<none>", String(image.digest.hex.prefix(12)), byteCount(image.size),
                        image.created ?? "-",
                    ]
                })
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an image as JSON: reference, digest, config, layers, size.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "A reference (busybox, busybox:latest), a digest, or a unique digest prefix.")
        var reference: String

        func run() throws {
            let image = try cluster.imageStore().image(reference)
            print(try jsonText(ImageInspection(image)))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove images (a tag; a digest removes all its tags), then unused blobs.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "References, digests or digest prefixes.")
        var references: [String]

        func run() throws {
            let store = try cluster.imageStore()
            var failures: [String] = []
            for reference in references {
                do {
                    let removal = try store.remove(reference)
                    for name in removal.references { print("Untagged: \(name)") }
                    print(
                        "Deleted: \(removal.digest) (\(removal.deletedBlobs.count) blobs, "
                            + "\(removal.deletedLayers.count) unpacked layers freed)"
                    )
                } catch {
                    failures.append("\(error)")
                }
            }
            if !failures.isEmpty { throw CLIError(failures.joined(separator: "\n")) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an OCI archive (skopeo oci-archive:, tar of an OCI layout) or a docker save tarball.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The archive (.tar or .tar.gz).")
        var file: String

        @Option(name: .shortAndLong, help: "Tag the image NAME:TAG (the archive must hold one image).")
        var tag: String?

        func run() throws {
            let path = ClusterOptions.absolute(file)
            guard FileManager.default.fileExists(atPath: path) else { throw CLIError("\(file): no such file") }
            for reference in try cluster.imageStore().importArchive(path, tag: tag) { print("Imported: \(reference)") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an image as an OCI archive (a tar of an OCI layout skopeo and umoci read).")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The image's reference, digest or digest prefix.")
        var reference: String

        @Option(name: .shortAndLong, help: "The archive to write.")
        var output: String

        func run() throws {
            try cluster.imageStore().exportArchive(reference, to: ClusterOptions.absolute(output))
        }
    }
}

/// The JSON of `clusterbox image inspect`.
struct ImageInspection: Encodable {
    struct Layer: Encodable {
        var mediaType: String
        var digest: Digest
        var size: Int64
        var diff_id: Digest
    }

    var reference: String
    var digest: Digest
    var manifest_digest: Digest
    var media_type: String
    var config_digest: Digest
    var config: ImageConfiguration
    var layers: [Layer]
    var size: Int64

    init(_ image: Image) {
        reference = image.reference
        digest = image.digest
        manifest_digest = image.manifestDescriptor.digest
        media_type = image.manifestDescriptor.mediaType
        config_digest = image.configDescriptor.digest
        config = image.config
        layers = image.layers.map {
            Layer(
                mediaType: $0.descriptor.mediaType, digest: $0.descriptor.digest, size: $0.descriptor.size,
                diff_id: $0.diffID)
        }
        size = image.size
    }
}

extension ClusterOptions {
    /// The store in `<dataDir>/images` (created on first use).
    func imageStore() throws -> ImageStore {
        var logger = Logger(label: "clusterbox.images")
        logger.logLevel = .warning  // the commands print what they did
        return try ImageStore(root: directory + "/images", logger: logger)
    }
}

private func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// 1.1 MB, 734 kB: decimal units, as docker prints sizes.
private func byteCount(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: value < 10 ? "%.2f" : "%.1f", value) + " " + units[unit]
}
