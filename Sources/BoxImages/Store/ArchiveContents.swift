/// What an image archive holds after one pass over its tar: small files (JSON, `oci-layout`) in memory, every
/// other file streamed into the store as a blob, and the links between entries (`docker save` links identical
/// layers to one another).
struct ArchiveContents {
    /// Files up to this size that are not under `blobs/` are kept in memory.
    static let smallFileLimit: Int64 = 1 << 20

    let archivePath: String
    var files: [String: [UInt8]] = [:]
    var blobs: [String: Descriptor] = [:]
    var links: [String: String] = [:]
    /// Blobs that were not in the store before this archive: what a failed import deletes.
    var addedBlobs: [Digest] = []

    /// Reads the archive at `path` (tar, or gzip-compressed tar) into `store`.
    init(reading path: String, into store: ImageStore) throws {
        archivePath = path
        let reader = TarReader(try decompressed(FileSource(path: path)))
        do {
            while let entry = try reader.next() {
                let name = try normalized(entry.name)
                switch entry.kind {
                case .regular: try take(entry, name: name, content: reader, store: store)
                case .symlink, .hardLink:
                    links[name] = try target(of: entry, at: name)
                default: continue
                }
            }
            try reader.finish()
        } catch {
            for digest in addedBlobs { try? removeTree(atPath: store.blobPath(digest)) }
            throw error
        }
    }

    private mutating func take(_ entry: TarEntry, name: String, content: TarReader, store: ImageStore) throws {
        let parts = name.split(separator: "/")
        if parts.count == 3, parts[0] == "blobs" {
            // blobs/<algorithm>/<hex>: stored under its digest, which the content must have.
            guard parts[1] == "sha256", let digest = Digest("sha256:" + parts[2]) else {
                throw ImageError.invalidArchive(archivePath, reason: "unsupported blob \(name) (only sha256)")
            }
            let (descriptor, isNew) = try store.putBlob(
                from: content, mediaType: MediaType.octetStream, expected: digest, what: "\(archivePath): \(name)")
            if isNew { addedBlobs.append(digest) }
            blobs[name] = descriptor
        } else if entry.size <= Self.smallFileLimit {
            files[name] = try content.readAll(limit: Int(Self.smallFileLimit))
        } else {
            let (descriptor, isNew) = try store.putBlob(
                from: content, mediaType: MediaType.octetStream, expected: nil, what: "\(archivePath): \(name)")
            if isNew { addedBlobs.append(descriptor.digest) }
            blobs[name] = descriptor
        }
    }

    /// "./a/b" → "a/b"; `..` is refused (nothing is extracted, but such an archive is not one we wrote or read).
    private func normalized(_ name: String) throws -> String {
        let trimmed = name.hasPrefix("/") ? String(name.drop { $0 == "/" }) : name
        switch LayerPath.components(trimmed) {
        case .success(let components): return components.joined(separator: "/")
        case .failure(let error): throw ImageError.invalidArchive(archivePath, reason: "entry \(name): \(error)")
        }
    }

    /// A symlink's target relative to its directory, or a hard link's archive path.
    private func target(of entry: TarEntry, at name: String) throws -> String {
        if entry.kind == .hardLink { return try normalized(entry.linkName) }
        var components = name.split(separator: "/").map(String.init).dropLast()
        for part in entry.linkName.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                guard !components.isEmpty else {
                    throw ImageError.invalidArchive(archivePath, reason: "link \(name) points outside the archive")
                }
                components.removeLast()
            } else {
                components.append(String(part))
            }
        }
        return components.joined(separator: "/")
    }

    /// The archive path `name` leads to through links.
    func resolved(_ name: String) throws -> String {
        var current = name
        for _ in 0..<16 {
            guard let next = links[current] else { return current }
            current = next
        }
        throw ImageError.invalidArchive(archivePath, reason: "link loop at \(name)")
    }

    /// The bytes of a small file (or a blob read back from the store).
    func bytes(of name: String, store: ImageStore) throws -> [UInt8] {
        let path = try resolved(name)
        if let bytes = files[path] { return bytes }
        if let blob = blobs[path] { return try store.readBlob(blob.digest, what: "\(archivePath): \(name)") }
        throw ImageError.invalidArchive(archivePath, reason: "\(name) is missing")
    }

    /// `name` as a blob of the store: stored now if it was a small file.
    mutating func blob(_ name: String, store: ImageStore) throws -> Descriptor {
        let path = try resolved(name)
        if let blob = blobs[path] { return blob }
        guard let bytes = files[path] else {
            throw ImageError.invalidArchive(archivePath, reason: "\(name) is missing")
        }
        let (descriptor, isNew) = try store.putBlob(
            from: MemorySource(bytes), mediaType: MediaType.octetStream, expected: nil, what: name)
        if isNew { addedBlobs.append(descriptor.digest) }
        blobs[path] = descriptor
        return descriptor
    }
}
