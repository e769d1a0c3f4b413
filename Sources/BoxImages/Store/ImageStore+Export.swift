import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ImageStore {
    /// Writes the image `reference` names as an OCI archive at `path`: a tar of an OCI layout (`oci-layout`,
    /// `index.json` with the reference as `ref.name`, the blobs), which `skopeo … oci-archive:` and umoci read and
    /// `importArchive` reads back. An image index is exported with the platform manifests the store has.
    ///
    /// The tar itself is written by GNU tar from a staging layout of hard links to the blobs (BoxImages has a tar
    /// reader, not a writer).
    public func exportArchive(_ reference: String, to path: String) throws {
        try lock.withLock(.shared) {
            let entry = try entry(for: reference)
            _ = try resolve(entry, reference: reference)  // the image must be whole
            let name = entry.refName ?? (try? ImageReference.normalize(reference))
            var exported = Descriptor(
                mediaType: entry.mediaType, digest: entry.digest, size: entry.size,
                platform: entry.platform)
            if let name, ImageReference.digestPrefix(reference) == nil || entry.refName != nil {
                exported.refName = name
            }

            let staging = root + "/.export-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            defer { try? removeTree(atPath: staging) }
            try FileIO.makeDirectories(staging + "/blobs/sha256")
            try FileIO.writeAtomically(staging + "/oci-layout", try LayoutJSON.encode(ImageLayoutMarker()))
            try FileIO.writeAtomically(
                staging + "/index.json", try LayoutJSON.encode(ImageIndex(manifests: [exported])))
            for digest in try blobs(reachableFrom: entry) {
                let target = staging + "/blobs/sha256/" + digest.hex
                if link(blobPath(digest), target) != 0 {
                    guard errno == EXDEV || errno == EPERM else {
                        throw SystemCallError("link \(target)", errno: errno)
                    }
                    try FileManager.default.copyItem(atPath: blobPath(digest), toPath: target)
                }
            }
            let temporary = FileIO.temporaryName(beside: path)
            defer { unlink(temporary) }
            try Self.runTar([
                "--create", "--file", temporary, "--directory", staging, "--format=gnu", "--sort=name",
                "--owner=0", "--group=0", "--numeric-owner", "oci-layout", "index.json", "blobs",
            ])
            try check(rename(temporary, path), "rename \(temporary) to \(path)")
        }
    }

    /// Every stored blob `entry` reaches: itself, an index's manifests, each manifest's config and layers.
    func blobs(reachableFrom entry: Descriptor) throws -> [Digest] {
        var result: [Digest] = []
        var seen = Set<Digest>()
        var pending = [entry]
        while let descriptor = pending.popLast() {
            guard seen.insert(descriptor.digest).inserted, blobExists(descriptor.digest) else { continue }
            result.append(descriptor.digest)
            if MediaType.isIndex(descriptor.mediaType) {
                pending += try readJSON(ImageIndex.self, descriptor, what: "index \(descriptor.digest)").manifests
            } else if MediaType.isManifest(descriptor.mediaType) {
                let manifest = try readJSON(ImageManifest.self, descriptor, what: "manifest \(descriptor.digest)")
                pending.append(manifest.config)
                pending += manifest.layers
            }
        }
        return result
    }

    static func runTar(_ arguments: [String]) throws {
        guard let tar = ["/usr/bin/tar", "/bin/tar"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw ImageError.invalidArchive("export", reason: "GNU tar (/usr/bin/tar) is needed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tar)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ImageError.invalidArchive(
                "tar", reason: String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
