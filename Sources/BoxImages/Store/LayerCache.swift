import BoxRuntime
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Layers unpacked once each, into `<store>/layers/<diff_id hex>/`, in the form overlayfs takes as a lower
/// directory (see `LayerUnpacker`). A layer is unpacked into `.unpacking-<hex>` and renamed when complete, under a
/// per-layer lock file, so two processes never unpack the same layer at once and a crash leaves no half layer
/// under the final name. Nothing writes into an unpacked layer afterwards.
public struct LayerCache: Sendable {
    public let directory: String
    let lockDirectory: String
    let logger: Logger

    init(directory: String, lockDirectory: String, logger: Logger) {
        self.directory = directory
        self.lockDirectory = lockDirectory
        self.logger = logger
    }

    public func path(for diffID: Digest) -> String { directory + "/" + diffID.hex }

    public func isUnpacked(_ diffID: Digest) -> Bool { FileIO.exists(path(for: diffID)) }

    /// The unpacked directory of `layer`, unpacking `blobPath` first when needed (digest and diff_id verified).
    public func unpack(_ layer: Image.Layer, blobPath: String) throws -> String {
        let final = path(for: layer.diffID)
        if FileIO.exists(final) { return final }
        return try FileLock(path: lockDirectory + "/layer-" + layer.diffID.hex).withLock(.exclusive) {
            if FileIO.exists(final) { return final }
            let temporary = directory + "/.unpacking-" + layer.diffID.hex
            try removeTree(atPath: temporary)  // left by a crash
            try check(mkdir(temporary, 0o755), "mkdir \(temporary)")
            let started = Date()
            do {
                var unpacker = LayerUnpacker(root: try RootedDirectory(temporary), layer: layer.descriptor.digest)
                let stream = try LayerStream(layer, blobPath: blobPath)
                try unpacker.apply(stream.tar)
                try stream.verify()
                try check(rename(temporary, final), "rename \(temporary) to \(final)")
                logger.info(
                    "layer unpacked",
                    metadata: [
                        "layer.diff_id": "\(layer.diffID)", "entries": "\(unpacker.entryCount)",
                        "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))",
                    ])
                if unpacker.skippedDevices > 0 {
                    logger.warning(
                        "device entries skipped (not root)", metadata: ["count": "\(unpacker.skippedDevices)"])
                }
            } catch {
                try? removeTree(atPath: temporary)
                throw error
            }
            return final
        }
    }

    /// The real paths of the lower directories of every overlay mount this process can see, so that the garbage
    /// collector keeps layers a prepared rootfs still uses.
    static func layersInUse() -> Set<String> {
        // Read to the end: Foundation's String(contentsOfFile:) keeps only the first read of a /proc file (4 KiB),
        // and a busy host's mount table is longer; a mount past it would be a layer "not in use".
        guard let bytes = try? FileIO.read("/proc/self/mountinfo") else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        var paths = Set<String>()
        for line in text.split(separator: "\n") {
            guard let separator = line.range(of: " - ") else { continue }
            let tail = line[separator.upperBound...].split(separator: " ")
            guard tail.count >= 3, tail[0] == "overlay" else { continue }
            for option in splitUnescaped(MountEntry.unescape(tail[2]), on: ",") where option.hasPrefix("lowerdir") {
                guard let equals = option.firstIndex(of: "=") else { continue }
                for path in splitUnescaped(String(option[option.index(after: equals)...]), on: ":") {
                    let plain = path.replacingOccurrences(of: "\\", with: "")
                    paths.insert(plain)
                    if let real = realpath(plain, nil) {
                        paths.insert(String(cString: real))
                        free(real)
                    }
                }
            }
        }
        return paths
    }

    /// Splits on `separator` where no backslash escapes it (overlay's escaping of ':' and ',').
    static func splitUnescaped(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}

extension ImageStore {
    /// The store's unpacked layers.
    public var layerCache: LayerCache {
        LayerCache(directory: layersDirectory, lockDirectory: root + "/locks", logger: logger)
    }

    /// Unpacks every layer of `image` that is not yet (lowest first) and returns their directories in that order.
    /// Holds the store's lock shared, so a concurrent `remove` does not collect a layer being unpacked.
    public func unpackLayers(of image: Image) throws -> [String] {
        try lock.withLock(.shared) { try unpackLayersUnlocked(of: image) }
    }

    func unpackLayersUnlocked(of image: Image) throws -> [String] {
        try image.layers.map { layer in
            guard blobExists(layer.descriptor.digest) else {
                throw ImageError.missingBlob(layer.descriptor.digest, what: "layer of \(image.reference)")
            }
            return try layerCache.unpack(layer, blobPath: blobPath(layer.descriptor.digest))
        }
    }
}
