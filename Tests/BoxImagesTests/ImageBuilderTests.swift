import BoxImages
import BoxRuntime
import BoxTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ImageBuilder`: a Dockerfile built for real (COPY, ADD of a tar, RUN in a container on an overlay, the config
/// instructions), stored, then unpacked and launched; and the errors, each naming its line.
@Suite(.enabled(if: RootTestHost.enabled, RootTestHost.skipComment))
struct ImageBuilderTests {
    /// A busybox base from the context, then a child image FROM it: RUN writes a file and deletes one of the base's
    /// (a whiteout), ADD unpacks a tar, WORKDIR makes its directory, USER/ENV/CMD/LABEL/EXPOSE land in the config.
    @Test func buildsAnImageAndItsChild() async throws {
        guard RootTestHost.ready() else { return }
        try await onOwnThread {
            let scratch = try ScratchDirectory("builder")
            let store = try ImageStore(root: scratch.path + "/store")
            let builder = ImageBuilder(store: store, logger: Logger(label: "test"))
            let base = scratch.path + "/base"
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: base + "/busybox")
            try scratch.write("base/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n")
            try scratch.write("base/etc/group", "root:x:0:\napp:x:1000:\n")
            try scratch.write("base/etc/motd", "from the base\n")
            try scratch.write(
                "base/Dockerfile",
                """
                FROM scratch
                COPY busybox /bin/busybox
                COPY etc/ /etc/
                RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /proc /dev"]
                """)
            let baseImage = try builder.build(context: base, tag: "base:1")
            #expect(baseImage.layers.count == 3)

            try scratch.write("child/payload/data.txt", "payload\n")
            _ = try tool(
                "/bin/tar", ["-C", scratch.path + "/child/payload", "-czf", scratch.path + "/child/data.tgz", "."])
            try scratch.write(
                "child/Dockerfile",
                """
                # comments and continuations
                FROM base:1
                ENV GREETING=hello \\
                    TARGET=world
                WORKDIR /app/work
                RUN echo "$GREETING $TARGET" > /app/made.txt && rm /etc/motd && chown 1000:1000 /app/made.txt
                ADD data.tgz /opt/data/
                USER app
                LABEL org.example.role=test
                EXPOSE 8080 53/udp
                CMD ["cat", "/app/made.txt"]
                """)
            let child = try builder.build(context: scratch.path + "/child", tag: "child")
            #expect(child.reference == "child:latest")
            #expect(child.layers.count == 6)  // base 3 + WORKDIR + RUN + ADD
            let config = try #require(child.config.config)
            #expect(config.cmd == ["cat", "/app/made.txt"])
            #expect(config.user == "app")
            #expect(config.workingDir == "/app/work")
            #expect(config.env?.contains("GREETING=hello") == true)
            #expect(config.labels?["org.example.role"] == "test")
            #expect(Set(config.exposedPorts?.keys.map { $0 } ?? []) == ["8080/tcp", "53/udp"])

            let rootfs = try store.prepareRootfs(for: child, at: scratch.path + "/rootfs")
            defer { try? rootfs.cleanup() }
            #expect(scratch.read("rootfs/rootfs/app/made.txt") == "hello world\n")
            #expect(!FileManager.default.fileExists(atPath: rootfs.path + "/etc/motd"), "the RUN's rm is a whiteout")
            #expect(scratch.read("rootfs/rootfs/opt/data/data.txt") == "payload\n")
            var status = stat()
            #expect(stat(rootfs.path + "/app/made.txt", &status) == 0 && status.st_uid == 1000)

            // The image runs: its cmd, as its user, in its working directory.
            let defaults = try child.launchDefaults(rootfs: rootfs.path)
            #expect(defaults.user.uid == 1000)
            let output = scratch.path + "/output"
            let spec = ContainerSpec(
                argv: defaults.argv, environment: defaults.environment, workingDirectory: defaults.workingDirectory,
                rootfs: rootfs.path, user: defaults.user, stdoutPath: output, stderrPath: output)
            let pid = try ContainerLauncher.spawn(spec)
            var exit: Int32 = 0
            waitpid(pid, &exit, 0)
            #expect(exit == 0)
            #expect((try? String(contentsOfFile: output, encoding: .utf8)) == "hello world\n")
        }
    }

    /// A bad line is refused with its number before anything runs; a failing RUN names its line, its status and
    /// what it printed; a missing base names the image; nothing gets tagged.
    @Test func errorsNameTheLine() async throws {
        guard RootTestHost.ready() else { return }
        try await onOwnThread {
            let scratch = try ScratchDirectory("builder-errors")
            let store = try ImageStore(root: scratch.path + "/store")
            let builder = ImageBuilder(store: store, logger: Logger(label: "test"))
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: scratch.path + "/busybox")
            let cases: [(String, String)] = [
                ("FROM scratch\nCOPY busybox /bin/busybox\nHEALTHCHECK CMD true\n", "Dockerfile line 3: "),
                ("FROM nowhere:1\n", "Dockerfile line 1: FROM nowhere:1: "),
                (
                    "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo broken; exit 3\"]\n",
                    "Dockerfile line 3: RUN /bin/busybox sh -c echo broken; exit 3 exited with status 3:\nbroken"
                ),
                ("FROM scratch\nCOPY ../etc/passwd /\n", "Dockerfile line 2: COPY: "),
            ]
            for (text, expected) in cases {
                try scratch.write("Dockerfile", text)
                do {
                    _ = try builder.build(context: scratch.path, tag: "broken")
                    Issue.record("built: \(text)")
                } catch let error as ImageBuildError {
                    #expect(error.description.hasPrefix(expected), "\(error)")
                }
            }
            #expect(try store.images().isEmpty)
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: store.root + "/build")) ?? []
            #expect(leftovers.isEmpty, "build scratch left behind: \(leftovers)")
            #expect(!(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)).contains(scratch.path))
        }
    }
}
