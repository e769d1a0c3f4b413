import BoxImages
import BoxRuntime
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The prepared rootfs of the umoci-made v3 image, launched with `ContainerLauncher.spawn` (pid, mount, UTS and
/// IPC namespaces, pivot_root, seccomp, uid from the image's `User nobody`): it reads files of the top layer (a 0600
/// file of its uid, and a hard link to it), does not see the whited-out ones, and runs with the image's environment
/// and working directory.
@Suite(.enabled(if: (Fixtures.isRoot && Fixtures.hasHostTools) || Fixtures.required, Fixtures.imageToolsReason))
struct ImageLaunchTests {
    @Test(arguments: [RootfsMode.overlay, .copy])
    func launchesTheImage(mode: RootfsMode) async throws {
        try await serially { try Self.launchesTheImage(mode: mode) }
    }

    static func launchesTheImage(mode: RootfsMode) throws {
        let fixture = try ImageFixture.get()
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        try store.importArchive(fixture.ociArchive, tag: "v3")
        let image = try store.image("v3")
        let rootfs = try store.prepareRootfs(for: image, at: temporary.directory.path + "/task", mode: mode)
        defer { try? rootfs.cleanup() }

        let script = """
            cat /data/fresh.txt; cat /etc/motd; id; pwd; echo "greeting=$GREETING home=$HOME"
            ls /bin/vi 2>/dev/null || echo vi-gone; ls /data; cat /etc/secret; cat /etc/secret-hard
            echo written > /tmp/mine && cat /tmp/mine
            """
        let defaults = try image.launchDefaults(rootfs: rootfs.path, args: ["-c", script])
        #expect(defaults.argv == ["/bin/sh", "-c", script])
        #expect(defaults.user == ContainerSpec.User(uid: 65534, gid: 65534, groups: [50]))
        #expect(defaults.workingDirectory == "/data")
        #expect(defaults.environment == ["PATH": "/bin", "GREETING": "hi", "HOME": "/nonexistent"])

        let output = temporary.directory.path + "/stdout"
        let errors = temporary.directory.path + "/stderr"
        let spec = ContainerSpec(
            argv: defaults.argv, environment: defaults.environment, workingDirectory: defaults.workingDirectory,
            rootfs: rootfs.path, hostname: "image-test", user: defaults.user, stdoutPath: output, stderrPath: errors)
        let pid = try ContainerLauncher.spawn(spec)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stdout = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(stderr)")
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "fresh data from the top layer", "hello from the base layer",
                // The supplementary groups are those listing nobody in the image's /etc/group.
                "uid=65534(nobody) gid=65534(nogroup) groups=50(staff)", "/data",
                "greeting=hi home=/nonexistent", "vi-gone", "fresh.txt", "s3cret", "s3cret", "written",
            ], "\(stdout)\n\(stderr)")
        // The task's write went to its own upper directory (or copy), not to the shared layers.
        for layer in image.layers {
            #expect(!FileManager.default.fileExists(atPath: store.layerCache.path(for: layer.diffID) + "/tmp/mine"))
        }
        if rootfs.isOverlay {
            #expect(FileManager.default.fileExists(atPath: temporary.directory.path + "/task/upper/tmp/mine"))
        }
    }
}
