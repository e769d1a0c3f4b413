import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// RUN, and storing layers and the finished image.
extension ImageBuilder {
    /// Runs `form` in a container of the image so far: an overlay of its layers with an upper directory of its own
    /// (no redirects or metacopy, so that every change is a plain file or a whiteout), the image's environment,
    /// working directory and user (root unless USER said otherwise), the host's resolv.conf. The upper directory
    /// becomes the layer.
    func run(_ form: CommandForm, state: inout BuildState, scratch: String, line: Int) throws {
        let command = form.arguments
        let work = scratch + "/run-" + UUID().uuidString.prefix(8).lowercased()
        let upper = work + "/upper"
        let rootfs = work + "/rootfs"
        for directory in [upper, work + "/work", rootfs, work + "/empty"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let image = state.image(named: "build")
        var lowerdirs: [String] = []
        for layer in try store.unpackLayers(of: image).reversed() where !lowerdirs.contains(layer) {
            lowerdirs.append(layer)
        }
        if lowerdirs.isEmpty { lowerdirs = [work + "/empty"] }
        let options =
            ImageStore.overlayOptions(lowerdirs: lowerdirs, upper: upper, work: work + "/work")
            + ",redirect_dir=off,metacopy=off"
        guard mount("overlay", rootfs, "overlay", 0, options) == 0 else {
            throw ImageBuildError(line: line, message: "RUN: overlay mount: \(String(cString: strerror(errno)))")
        }
        var mounted = true
        defer { if mounted { umount2(rootfs, Int32(MNT_DETACH)) } }

        let defaults: LaunchDefaults
        do {
            defaults = try image.launchDefaults(
                rootfs: rootfs, command: command, workingDirectory: state.config.workingDir, user: state.config.user,
                defaultUser: .root)
        } catch {
            throw ImageBuildError(line: line, message: "RUN: \(error)")
        }
        let hosts = work + "/hosts"
        try "127.0.0.1\tlocalhost\n::1\tlocalhost\n".write(toFile: hosts, atomically: false, encoding: .utf8)
        let output = work + "/output"
        let spec = ContainerSpec(
            argv: defaults.argv, environment: defaults.environment, workingDirectory: defaults.workingDirectory,
            rootfs: rootfs, hostname: "clusterbox-build", user: defaults.user, stdoutPath: output,
            stderrPath: output, hostsFile: hosts,
            resolvConf: FileManager.default.fileExists(atPath: "/etc/resolv.conf") ? "/etc/resolv.conf" : nil)
        let status: Int32
        do {
            let pid = try ContainerLauncher.spawn(spec)
            status = Self.wait(for: pid)
        } catch {
            throw ImageBuildError(line: line, message: "RUN: \(error)")
        }
        let printed = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        var lines = printed.split(separator: "\n", omittingEmptySubsequences: false)
        if printed.hasSuffix("\n") || printed.isEmpty { lines.removeLast() }
        for text in lines { progress("  │ " + text) }
        guard status == 0 else {
            let tail = printed.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw ImageBuildError(
                line: line,
                message: "RUN \(command.joined(separator: " ")) exited with status \(status)"
                    + (tail.isEmpty ? "" : ":\n" + tail))
        }
        umount2(rootfs, Int32(MNT_DETACH))
        mounted = false
        let entries: [LayerEntry]
        do {
            entries = try LayerDiff.overlayUpper(upper)
        } catch {
            throw ImageBuildError(line: line, message: "RUN: \(error)")
        }
        try addLayer(entries, to: &state, scratch: scratch, createdBy: "RUN " + command.joined(separator: " "))
        try? FileManager.default.removeItem(atPath: work)
    }

    /// The exit status of `pid`, or 128 + the signal that ended it.
    static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Writes `entries` as a gzip layer, stores it, and adds it to the image.
    func addLayer(_ entries: [LayerEntry], to state: inout BuildState, scratch: String, createdBy: String) throws {
        let file = scratch + "/layer-" + UUID().uuidString.prefix(8).lowercased() + ".tar.gz"
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ImageBuildError(line: 0, message: "create \(file): \(String(cString: strerror(errno)))") }
        let digests: TarDigests
        do {
            defer { close(fd) }
            digests = try LayerDiff.write(entries, to: fd, gzipLevel: 6)
        }
        defer { unlink(file) }
        let descriptor = try store.putBlob(contentsOf: file, mediaType: MediaType.layerTarGzip, expected: digests.digest)
        state.layers.append(Image.Layer(descriptor: descriptor, diffID: digests.diffID))
        state.history.append(.init(created: Self.now(), createdBy: createdBy))
        state.lastStep = "\(createdBy): \(entries.count) entries, \(descriptor.size) bytes"
    }

    /// The config, then the manifest, stored; then the tag.
    func store(_ state: BuildState, as reference: String) throws -> Image {
        let configuration = ImageConfiguration(
            architecture: state.baseArchitecture, os: "linux", config: state.config,
            rootfs: .init(diffIDs: state.layers.map(\.diffID)), history: state.history, created: Self.now())
        let configDescriptor = try store.putBlob(LayoutJSON.encode(configuration), mediaType: MediaType.imageConfig)
        let manifest = ImageManifest(config: configDescriptor, layers: state.layers.map(\.descriptor))
        let manifestDescriptor = try store.putBlob(LayoutJSON.encode(manifest), mediaType: MediaType.imageManifest)
        try store.tag(manifestDescriptor, as: reference)
        return try store.image(reference)
    }
}
