import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// COPY/ADD layers from a build context: Docker's destination rules, owners, links, and sources that try to leave
/// the context.
struct BuildLayerDiffTests {
    /// A context with a file, a directory tree (with a symlink and a hard link inside) and a script.
    static func context() throws -> ScratchDirectory {
        let scratch = try ScratchDirectory("context")
        try scratch.write("app.sh", "#!/bin/sh\necho app\n", mode: 0o755)
        try scratch.write("notes.txt", "notes\n")
        try scratch.write("config/app.conf", "port=80\n", mode: 0o600)
        try scratch.write("config/nested/deep.conf", "deep\n")
        try scratch.symlink("config/current", to: "app.conf")
        link(scratch.path + "/config/app.conf", scratch.path + "/config/same.conf")
        return scratch
    }

    static func summary(_ entries: [LayerEntry]) -> [String] {
        entries.map { entry in
            let kind: String
            switch entry.kind {
            case .regularFile(_, let size): kind = "file \(size)"
            case .bytes(let bytes): kind = "bytes \(bytes.count)"
            case .directory: kind = "dir"
            case .symbolicLink(let target): kind = "symlink \(target)"
            case .hardLink(let target): kind = "hardlink \(target)"
            case .characterDevice(let major, let minor): kind = "char \(major):\(minor)"
            case .blockDevice(let major, let minor): kind = "block \(major):\(minor)"
            case .fifo: kind = "fifo"
            }
            return "\(entry.path) \(kind) \(String(entry.mode, radix: 8)) \(entry.uid):\(entry.gid)"
        }
    }

    /// A file into a directory keeps its name; parents are root-owned 0755 directories; the file is 0:0 by default.
    @Test func fileIntoDirectory() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let entries = try LayerDiff.copy(
                ["app.sh"], to: "/usr/local/bin/", context: BuildContext(root: scratch.path))
            #expect(
                Self.summary(entries) == [
                    "usr dir 755 0:0", "usr/local dir 755 0:0", "usr/local/bin dir 755 0:0",
                    "usr/local/bin/app.sh file 19 755 0:0",
                ])
        }
    }

    /// Without a trailing `/`, one file source becomes the destination; a relative destination is under WORKDIR.
    @Test func fileRenamedAndRelativeToWorkdir() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let context = try BuildContext(root: scratch.path)
            #expect(
                Self.summary(try LayerDiff.copy(["notes.txt"], to: "/README", context: context)) == [
                    "README file 6 644 0:0"
                ])
            #expect(
                Self.summary(
                    try LayerDiff.copy(["./notes.txt"], to: "doc/n.txt", workingDirectory: "/srv", context: context))
                    == ["srv dir 755 0:0", "srv/doc dir 755 0:0", "srv/doc/n.txt file 6 644 0:0"])
        }
    }

    /// A directory's contents go to the destination (not the directory itself); symlinks stay symlinks, a second
    /// name of the same file becomes a hard link, and `--chown` applies to everything copied.
    @Test func directoryContentsWithOwner() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let entries = try LayerDiff.copy(
                ["config"], to: "/etc/app", owner: try LayerDiff.numericOwner("1000:50"),
                context: BuildContext(root: scratch.path))
            #expect(
                Self.summary(entries) == [
                    "etc dir 755 0:0",
                    "etc/app dir 755 1000:50",
                    "etc/app/app.conf file 8 600 1000:50",
                    "etc/app/current symlink app.conf 777 1000:50",
                    "etc/app/nested dir 755 1000:50",
                    "etc/app/nested/deep.conf file 5 644 1000:50",
                    "etc/app/same.conf hardlink etc/app/app.conf 600 1000:50",
                ])
        }
    }

    /// Several sources and a pattern into one directory; the root as destination has no entry of its own.
    @Test func severalSourcesAndPatterns() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let context = try BuildContext(root: scratch.path)
            #expect(
                Self.summary(try LayerDiff.copy(["*.sh", "notes.txt"], to: "/opt/", context: context)) == [
                    "opt dir 755 0:0", "opt/app.sh file 19 755 0:0", "opt/notes.txt file 6 644 0:0",
                ])
            #expect(
                Self.summary(try LayerDiff.copy(["config/nested"], to: "/", context: context)) == [
                    "deep.conf file 5 644 0:0"
                ])
            #expect(
                Self.summary(try LayerDiff.copy(["config/*.conf"], to: "/c/", context: context)) == [
                    "c dir 755 0:0", "c/app.conf file 8 600 0:0", "c/same.conf file 8 600 0:0",
                ])
        }
    }

    /// Directories the image already has: a destination that is one takes the file inside it without a trailing
    /// `/`, and neither it nor its parents get entries (which would reset `/tmp`'s 1777 to 0755).
    @Test func existingDirectoriesOfTheImage() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let context = try BuildContext(root: scratch.path)
            let image: Set<String> = ["/usr", "/usr/bin", "/tmp"]
            #expect(
                Self.summary(
                    try LayerDiff.copy(["app.sh"], to: "/usr/bin", context: context, existingDirectory: image.contains))
                    == ["usr/bin/app.sh file 19 755 0:0"])
            #expect(
                Self.summary(
                    try LayerDiff.copy(
                        ["config/nested"], to: "/tmp", context: context, existingDirectory: image.contains))
                    == ["tmp/deep.conf file 5 644 0:0"])
            #expect(
                Self.summary(
                    try LayerDiff.copy(
                        ["app.sh"], to: "/usr/lib/x/", context: context, existingDirectory: image.contains))
                    == ["usr/lib dir 755 0:0", "usr/lib/x dir 755 0:0", "usr/lib/x/app.sh file 19 755 0:0"])
        }
    }

    /// A pattern that matches several files needs a directory destination, as in Docker.
    @Test func severalMatchesNeedADirectory() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            #expect(
                throws: LayerError.badDestination("/c", reason: "2 sources need a directory destination ending in /")
            ) {
                try LayerDiff.copy(["config/*.conf"], to: "/c", context: BuildContext(root: scratch.path))
            }
            #expect(
                LayerError.badDestination("/c", reason: "why").description == "destination /c: why")
        }
    }

    /// A symlink source inside the context is followed, and the copy keeps the name it was given.
    @Test func symlinkSourceInsideTheContext() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            try scratch.symlink("latest", to: "config/./nested/../app.conf")
            let entries = try LayerDiff.copy(["latest"], to: "/x/", context: BuildContext(root: scratch.path))
            #expect(Self.summary(entries) == ["x dir 755 0:0", "x/latest file 8 600 0:0"])
        }
    }

    /// Sources outside the context are refused with the reason, before anything is read.
    @Test func sourcesOutsideTheContextAreRefused() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            try scratch.symlink("etc-link", to: "/etc")
            try scratch.symlink("up", to: "../..")
            try scratch.symlink("config/sneaky", to: "../../outside")
            let context = try BuildContext(root: scratch.path)
            let cases: [(String, LayerError)] = [
                ("../x", .outsideContext(source: "../x", reason: ".. is not allowed")),
                ("config/../../x", .outsideContext(source: "config/../../x", reason: ".. is not allowed")),
                ("/etc/passwd", .outsideContext(source: "/etc/passwd", reason: "absolute paths are not allowed")),
                (
                    "etc-link/passwd",
                    .outsideContext(
                        source: "etc-link/passwd", reason: "symlink etc-link points to the absolute path /etc")
                ),
                ("up/passwd", .outsideContext(source: "up/passwd", reason: "a symlink leads above the context")),
                (
                    "config/sneaky",
                    .outsideContext(source: "config/sneaky", reason: "a symlink leads above the context")
                ),
                ("missing.txt", .sourceNotFound("missing.txt")),
                ("*.none", .sourceNotFound("*.none")),
            ]
            for (source, expected) in cases {
                #expect(throws: expected, "\(source)") { try LayerDiff.copy([source], to: "/x/", context: context) }
            }
            #expect(
                LayerError.outsideContext(source: "../x", reason: ".. is not allowed").description
                    == "COPY source ../x is outside the build context: .. is not allowed")
        }
    }

    @Test func numericOwners() async throws {
        try await onOwnThread { () throws in
            #expect(try LayerDiff.numericOwner("7") == (7, 7))
            #expect(try LayerDiff.numericOwner("7:8") == (7, 8))
            for bad in ["app", "1:staff", "", ":1", "1:2:3", "-1"] {
                #expect(throws: LayerError.badOwner(bad)) { try LayerDiff.numericOwner(bad) }
            }
        }
    }

    /// ADD unpacks a tar or a gzipped tar (found by content, whatever the name), copies anything else, and refuses
    /// other compressions rather than copying them whole.
    @Test func addSourceKinds() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            try tool("/usr/bin/tar", ["-cf", scratch.path + "/plain.bin", "-C", scratch.path, "config"])
            try tool("/usr/bin/tar", ["-czf", scratch.path + "/packed.tgz", "-C", scratch.path, "config"])
            try tool("/bin/sh", ["-c", "cd '\(scratch.path)' && gzip -c notes.txt > notes.gz"])
            // bzip2's magic and block header, enough to be recognised (no bzip2 tool needed).
            try Data("BZh91AY&SY".utf8).write(to: URL(fileURLWithPath: scratch.path + "/n.bz2"))
            try scratch.write("fake.tar", "not a tar at all")
            let context = try BuildContext(root: scratch.path)
            func kind(_ name: String) throws -> AddSourceKind {
                try BuildContext.addSourceKind(try #require(try context.sources(name).first))
            }
            #expect(try kind("plain.bin") == .tarArchive(gzip: false))
            #expect(try kind("packed.tgz") == .tarArchive(gzip: true))
            #expect(try kind("notes.gz") == .copy)
            #expect(try kind("fake.tar") == .copy)
            #expect(try kind("config") == .copy)
            #expect(throws: LayerError.unsupportedArchive(source: "n.bz2", format: "bzip2")) { try kind("n.bz2") }
        }
    }

    /// The COPY layer written and read back by GNU tar.
    @Test func copyLayerRoundTripsThroughGnuTar() async throws {
        try await onOwnThread { () throws in
            let scratch = try Self.context()
            let entries = try LayerDiff.copy(
                ["config", "app.sh"], to: "/app/", context: BuildContext(root: scratch.path))
            let layer = scratch.path + "/layer.tar.gz"
            _ = FileManager.default.createFile(atPath: layer, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: layer))
            let digests = try LayerDiff.write(entries, to: handle.fileDescriptor, fixedModificationTime: 0)
            try handle.close()
            #expect(digests.digest.description == (try sha256sum(layer)))
            #expect(
                try tarNames(layer) == [
                    "app/", "app/app.conf", "app/app.sh", "app/current", "app/nested/", "app/nested/deep.conf",
                    "app/same.conf",
                ])
            try scratch.mkdir("out")
            try tool("/usr/bin/tar", ["-xzf", layer, "-C", scratch.path + "/out"])
            #expect(scratch.read("out/app/nested/deep.conf") == "deep\n")
            #expect(scratch.read("out/app/current") == "port=80\n")
        }
    }
}
