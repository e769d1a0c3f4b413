import BoxImages
import BoxRuntime
import Foundation
import Testing

/// An image's defaults with a task's overrides: Kubernetes' command/args rules, the environment merged by key,
/// and users resolved in the image's own /etc/passwd and /etc/group (never the host's, even through a symlink).
struct LaunchDefaultsTests {
    static func image(
        entrypoint: [String]? = ["/bin/app"], cmd: [String]? = ["--serve"], user: String? = nil,
        env: [String]? = ["PATH=/usr/bin", "MODE=prod", "EMPTY="], workingDir: String? = "/srv"
    )
        -> Image
    {
        let config = ImageConfiguration(
            config: .init(user: user, env: env, entrypoint: entrypoint, cmd: cmd, workingDir: workingDir),
            rootfs: .init(diffIDs: []))
        let digest = Digest("sha256:" + String(repeating: "a", count: 64))!
        let manifest = ImageManifest(
            config: Descriptor(mediaType: MediaType.imageConfig, digest: digest, size: 1),
            layers: [])
        return Image(
            reference: "test", digest: digest,
            manifestDescriptor: Descriptor(mediaType: MediaType.imageManifest, digest: digest, size: 1),
            manifest: manifest, config: config, layers: [])
    }

    /// A rootfs with only /etc/passwd and /etc/group.
    static func rootfs() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("users")
        try FileManager.default.createDirectory(atPath: directory.path + "/etc", withIntermediateDirectories: true)
        try """
        root:x:0:0:root:/root:/bin/sh
        app:x:1000:1000:app:/home/app:/bin/sh
        broken line
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false
        """.write(toFile: directory.path + "/etc/passwd", atomically: false, encoding: .utf8)
        try """
        root:x:0:
        staff:x:50:app,nobody
        wheel:x:10:app
        app:x:1000:app
        nogroup:x:65534:
        """.write(toFile: directory.path + "/etc/group", atomically: false, encoding: .utf8)
        return directory
    }

    @Test func commandAndArgsFollowKubernetes() throws {
        let rootfs = try Self.rootfs()
        defer { rootfs.remove() }
        let image = Self.image()
        #expect(try image.launchDefaults(rootfs: rootfs.path).argv == ["/bin/app", "--serve"])
        #expect(try image.launchDefaults(rootfs: rootfs.path, args: ["--once"]).argv == ["/bin/app", "--once"])
        // command replaces Entrypoint and drops the image's Cmd.
        #expect(try image.launchDefaults(rootfs: rootfs.path, command: ["/bin/sh"]).argv == ["/bin/sh"])
        #expect(
            try image.launchDefaults(rootfs: rootfs.path, command: ["/bin/sh"], args: ["-c", "x"]).argv
                == ["/bin/sh", "-c", "x"])
        #expect(try Self.image(entrypoint: nil).launchDefaults(rootfs: rootfs.path).argv == ["--serve"])
        #expect(throws: ImageError.noCommand("test")) {
            try Self.image(entrypoint: nil, cmd: nil).launchDefaults(rootfs: rootfs.path)
        }
    }

    @Test func environmentMergesByKey() throws {
        let rootfs = try Self.rootfs()
        defer { rootfs.remove() }
        let defaults = try Self.image().launchDefaults(rootfs: rootfs.path, environment: ["MODE": "dev", "NEW": "1"])
        // HOME: the default user's (65534) home in the image's /etc/passwd.
        #expect(
            defaults.environment == [
                "PATH": "/usr/bin", "MODE": "dev", "NEW": "1", "EMPTY": "", "HOME": "/nonexistent",
            ])
        let bare = try Self.image(env: nil, workingDir: nil).launchDefaults(rootfs: rootfs.path, user: "app")
        #expect(bare.environment == ["PATH": Image.defaultPath, "HOME": "/home/app"])
        #expect(bare.workingDirectory == "/")
        #expect(
            try Self.image().launchDefaults(rootfs: rootfs.path, workingDirectory: "/tmp").workingDirectory == "/tmp")
    }

    @Test(arguments: [
        ("app", ContainerSpec.User(uid: 1000, gid: 1000, groups: [50, 10])),
        ("1000", ContainerSpec.User(uid: 1000, gid: 1000, groups: [50, 10])),
        ("app:staff", ContainerSpec.User(uid: 1000, gid: 50, groups: [10, 1000])),
        ("app:7", ContainerSpec.User(uid: 1000, gid: 7, groups: [50, 10, 1000])),
        ("4242", ContainerSpec.User(uid: 4242, gid: 0, groups: [])),
        ("4242:4243", ContainerSpec.User(uid: 4242, gid: 4243, groups: [])),
        ("nobody", ContainerSpec.User(uid: 65534, gid: 65534, groups: [50])),
        ("root", ContainerSpec.User(uid: 0, gid: 0, groups: [])),
    ])
    func usersResolveInTheImage(spec: String, expected: ContainerSpec.User) throws {
        let rootfs = try Self.rootfs()
        defer { rootfs.remove() }
        #expect(try Self.image(user: spec).launchDefaults(rootfs: rootfs.path).user == expected)
        // The task's user overrides the image's.
        #expect(try Self.image(user: "ghost").launchDefaults(rootfs: rootfs.path, user: spec).user == expected)
    }

    @Test func unknownNamesAndTheDefault() throws {
        let rootfs = try Self.rootfs()
        defer { rootfs.remove() }
        #expect(throws: ImageError.self) { try Self.image(user: "ghost").launchDefaults(rootfs: rootfs.path) }
        #expect(throws: ImageError.self) {
            try Self.image(user: "app:nogroupnamed").launchDefaults(rootfs: rootfs.path)
        }
        // No User anywhere: the caller's default (65534 unless it says otherwise).
        #expect(try Self.image().launchDefaults(rootfs: rootfs.path).user == .nobody)
        #expect(try Self.image().launchDefaults(rootfs: rootfs.path, defaultUser: .root).user == .root)
    }

    @Test func passwdSymlinkStaysInTheRootfs() throws {
        // /etc/passwd -> /etc/real-passwd, an absolute link: read as the image's /etc/real-passwd, not the host's.
        let rootfs = try Self.rootfs()
        defer { rootfs.remove() }
        let etc = rootfs.path + "/etc"
        try FileManager.default.moveItem(atPath: etc + "/passwd", toPath: etc + "/real-passwd")
        try FileManager.default.createSymbolicLink(atPath: etc + "/passwd", withDestinationPath: "/etc/real-passwd")
        #expect(try Self.image(user: "app").launchDefaults(rootfs: rootfs.path).user.uid == 1000)
        // A link to a host file that the rootfs lacks reads as no file.
        try FileManager.default.removeItem(atPath: etc + "/passwd")
        try FileManager.default.createSymbolicLink(atPath: etc + "/passwd", withDestinationPath: "/etc/hostname")
        #expect(throws: ImageError.self) { try Self.image(user: "app").launchDefaults(rootfs: rootfs.path) }
        try FileManager.default.removeItem(atPath: etc + "/passwd")
        // A relative link climbing out stops at the rootfs's "/": here back to itself, a loop, reported as such.
        try FileManager.default.createSymbolicLink(
            atPath: etc + "/passwd", withDestinationPath: "../../../../../../etc/passwd")
        let error = #expect(throws: ImageError.self) {
            try Self.image(user: "root").launchDefaults(rootfs: rootfs.path)
        }
        #expect(
            error?.description.contains("Too many levels of symbolic links") == true, "\(String(describing: error))")
    }
}
