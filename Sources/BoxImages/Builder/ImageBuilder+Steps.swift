import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One instruction at a time.
extension ImageBuilder {
    func apply(
        _ instruction: DockerfileInstruction, to state: inout BuildState, context: BuildContext, scratch: String
    ) throws {
        let line = instruction.line
        switch instruction.kind {
        case .from(.scratch):
            state.lastStep = "FROM scratch"
        case .from(.image(let name, let tag)):
            let base: Image
            do {
                base = try store.image(name + ":" + tag)
            } catch {
                throw ImageBuildError(line: line, message: "FROM \(name):\(tag): \(error)")
            }
            state.layers = base.layers
            state.config = base.config.config ?? ImageConfiguration.Config()
            state.history = base.config.history ?? []
            state.baseArchitecture = base.config.architecture
            state.lastStep = "FROM \(name):\(tag) (\(base.layers.count) layers)"
        case .env(let pairs):
            for pair in pairs { state.setEnvironment(pair.key, pair.value) }
            record(&state, "ENV " + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        case .workdir(let path):
            state.config.workingDir = path
            if try !exists(path, in: state, directory: true) {
                let entries = directoryEntries(for: path, in: state)
                try addLayer(entries, to: &state, scratch: scratch, createdBy: "WORKDIR \(path)")
            } else {
                record(&state, "WORKDIR \(path)")
            }
        case .user(let user):
            state.config.user = user
            record(&state, "USER \(user)")
        case .entrypoint(let form):
            state.config.entrypoint = form.arguments
            // As in Docker: a new ENTRYPOINT drops the CMD a base image had.
            state.config.cmd = nil
            record(&state, "ENTRYPOINT \(form.arguments)")
        case .cmd(let form):
            state.config.cmd = form.arguments
            record(&state, "CMD \(form.arguments)")
        case .expose(let ports):
            var exposed = state.config.exposedPorts ?? [:]
            for port in ports { exposed[port.description] = EmptyObject() }
            state.config.exposedPorts = exposed
            record(&state, "EXPOSE " + ports.map(\.description).joined(separator: " "))
        case .label(let pairs):
            var labels = state.config.labels ?? [:]
            for pair in pairs { labels[pair.key] = pair.value }
            state.config.labels = labels
            record(&state, "LABEL " + pairs.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        case .arg(let name, _):
            record(&state, "ARG \(name)")
        case .copy(let spec):
            let entries = try copyEntries(spec, state: state, context: context, line: line)
            try addLayer(entries, to: &state, scratch: scratch, createdBy: "COPY \(spec.sources) \(spec.destination)")
        case .add(let spec):
            let entries = try addEntries(spec, state: state, context: context, scratch: scratch, line: line)
            try addLayer(entries, to: &state, scratch: scratch, createdBy: "ADD \(spec.sources) \(spec.destination)")
        case .run(let form):
            try run(form, state: &state, scratch: scratch, line: line)
        }
    }

    /// A config-only step, in the history as Docker records it.
    func record(_ state: inout BuildState, _ step: String) {
        state.history.append(.init(created: Self.now(), createdBy: step, emptyLayer: true))
        state.lastStep = step
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }

    // MARK: - COPY and ADD

    func copyEntries(_ spec: CopySpec, state: BuildState, context: BuildContext, line: Int) throws -> [LayerEntry] {
        let owner = try spec.chown.map { try resolveOwner($0, state: state, line: line) }
        do {
            return try LayerDiff.copy(
                spec.sources, to: spec.destination, workingDirectory: spec.workingDirectory, owner: owner,
                context: context, existingDirectory: { (try? exists($0, in: state, directory: true)) ?? false })
        } catch {
            throw ImageBuildError(line: line, message: "COPY: \(error)")
        }
    }

    /// ADD: local tar archives (plain or gzip) are unpacked at the destination; other sources are copied.
    func addEntries(
        _ spec: CopySpec, state: BuildState, context: BuildContext, scratch: String, line: Int
    ) throws -> [LayerEntry] {
        var plain: [String] = []
        var entries: [LayerEntry] = []
        let owner = try spec.chown.map { try resolveOwner($0, state: state, line: line) }
        for pattern in spec.sources {
            let sources: [BuildContext.Source]
            do {
                sources = try context.sources(pattern)
            } catch {
                throw ImageBuildError(line: line, message: "ADD: \(error)")
            }
            for source in sources {
                let kind: AddSourceKind
                do {
                    kind = try BuildContext.addSourceKind(source)
                } catch {
                    throw ImageBuildError(line: line, message: "ADD: \(error)")
                }
                guard case .tarArchive = kind else {
                    plain.append(source.relativePath)
                    continue
                }
                let unpacked = try unpackArchive(source.hostPath, scratch: scratch, line: line)
                let archiveContext = try BuildContext(root: unpacked)
                let destination = spec.destination.hasSuffix("/") ? spec.destination : spec.destination + "/"
                do {
                    entries += try LayerDiff.copy(
                        ["."], to: destination, workingDirectory: spec.workingDirectory, owner: owner,
                        context: archiveContext,
                        existingDirectory: { (try? exists($0, in: state, directory: true)) ?? false })
                } catch {
                    throw ImageBuildError(line: line, message: "ADD \(source.relativePath): \(error)")
                }
            }
        }
        if !plain.isEmpty {
            var copy = spec
            copy.sources = plain
            entries += try copyEntries(copy, state: state, context: context, line: line)
        }
        return entries
    }

    /// A local archive unpacked into the build's scratch directory with the system's tar (owners and modes kept;
    /// GNU tar refuses members that climb out with `..` or absolute names).
    func unpackArchive(_ path: String, scratch: String, line: Int) throws -> String {
        let target = scratch + "/add-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-x", "-f", path, "-C", target, "--no-same-permissions", "--delay-directory-restore"]
        let errors = Pipe()
        tar.standardError = errors
        tar.standardOutput = FileHandle.nullDevice
        try tar.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else {
            throw ImageBuildError(line: line, message: "ADD: cannot unpack \(path): \(message)")
        }
        return target
    }

    /// `--chown` as numbers, or names resolved in the image's own /etc/passwd and /etc/group.
    func resolveOwner(_ spec: String, state: BuildState, line: Int) throws -> (uid: Int, gid: Int) {
        if let numeric = try? LayerDiff.numericOwner(spec) { return numeric }
        do {
            let rootfs = try flattenedRootfs(state)
            let found = try UserDatabase(rootfs: rootfs.path).resolve(spec)
            try rootfs.cleanup()
            return (Int(found.uid), Int(found.gid))
        } catch {
            throw ImageBuildError(line: line, message: "--chown=\(spec): \(error)")
        }
    }

    // MARK: - The image's files

    /// Whether the image so far has `path` (a directory, if asked): the highest layer that has an entry there
    /// decides, and an overlay whiteout there means it was deleted.
    func exists(_ path: String, in state: BuildState, directory: Bool) throws -> Bool {
        let relative = path.split(separator: "/").joined(separator: "/")
        if relative.isEmpty { return true }
        for layer in try store.unpackLayers(of: state.image(named: "build")).reversed() {
            var status = stat()
            guard lstat(layer + "/" + relative, &status) == 0 else { continue }
            let type = status.st_mode & S_IFMT
            if type == S_IFCHR && status.st_rdev == 0 { return false }
            return directory ? type == S_IFDIR : true
        }
        return false
    }

    /// Directory entries for `path` and any parents the image lacks, 0755 root (what Docker's WORKDIR makes).
    func directoryEntries(for path: String, in state: BuildState) -> [LayerEntry] {
        var entries: [LayerEntry] = []
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty ? "" : "/") + component
            if (try? exists("/" + prefix, in: state, directory: true)) == true { continue }
            entries.append(LayerEntry(path: prefix, kind: .directory, mode: 0o755))
        }
        return entries
    }

    /// A read-write view of the image so far (an overlay of its layers).
    func flattenedRootfs(_ state: BuildState) throws -> PreparedRootfs {
        let directory = scratchDirectory + "/view-" + UUID().uuidString.prefix(8).lowercased()
        return try store.prepareRootfs(for: state.image(named: "build"), at: directory)
    }
}
