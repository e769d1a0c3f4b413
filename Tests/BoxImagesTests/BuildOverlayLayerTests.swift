import BoxImages
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// RUN layers: the upper directory of a real overlayfs mount after a step deleted a lower file, replaced a lower
/// directory and created new entries becomes a layer with the OCI whiteouts that say so.
struct BuildOverlayLayerTests {
    /// Lower: etc/{keep,gone}, data/{old1,sub/old2}, bin/tool. The step removes etc/gone (a whiteout device in the
    /// upper directory, so `etc/.wh.gone`), replaces data (an opaque directory, so `data/.wh..wh..opq` then its new
    /// file), and creates a file owned by 1000, a hard link to it, a symlink and a directory tree. bin and etc/keep
    /// are untouched, so they are not in the layer.
    @Test(.enabled(if: RootTestHost.enabled, RootTestHost.skipComment))
    func upperDirectoryOfARunStep() async throws {
        try await onOwnThread {
            guard RootTestHost.ready() else { return }
            let scratch = try ScratchDirectory("overlay")
            try scratch.write("lower/etc/keep", "keep\n")
            try scratch.write("lower/etc/gone", "gone\n")
            try scratch.write("lower/data/old1", "1\n")
            try scratch.write("lower/data/sub/old2", "2\n")
            try scratch.write("lower/bin/tool", "tool\n", mode: 0o755)
            for directory in ["upper", "work", "merged"] { try scratch.mkdir(directory) }
            let merged = scratch.path + "/merged"
            let options = "lowerdir=\(scratch.path)/lower,upperdir=\(scratch.path)/upper,workdir=\(scratch.path)/work"
            try tool(
                "/usr/bin/mount",
                ["-t", "overlay", "overlay", "-o", options + ",redirect_dir=off,metacopy=off", merged])
            var mounted = true
            defer {
                if mounted { _ = try? ChildProcess.run("/usr/bin/umount", [merged]) }
            }
            try tool(
                "/bin/sh",
                [
                    "-c",
                    """
                    set -e; cd '\(merged)'
                    rm etc/gone
                    rm -r data && mkdir data && echo fresh > data/fresh
                    echo created > created.txt && chown 1000:1001 created.txt && chmod 640 created.txt
                    ln created.txt hard.txt
                    ln -s created.txt newlink
                    mkdir -p newdir/inner
                    """,
                ])
            try tool("/usr/bin/umount", [merged])
            mounted = false

            let entries = try LayerDiff.overlayUpper(scratch.path + "/upper")
            #expect(
                BuildLayerDiffTests.summary(entries) == [
                    "created.txt file 8 640 1000:1001",
                    "data dir 755 0:0",
                    "data/.wh..wh..opq bytes 0 600 0:0",
                    "data/fresh file 6 644 0:0",
                    "etc dir 755 0:0",
                    "etc/.wh.gone bytes 0 600 0:0",
                    "hard.txt hardlink created.txt 640 1000:1001",
                    "newdir dir 755 0:0",
                    "newdir/inner dir 755 0:0",
                    "newlink symlink created.txt 777 0:0",
                ])

            // Written as a gzip layer, GNU tar sees the whiteout entries as plain empty files, as OCI layers have them.
            let layer = scratch.path + "/layer.tar.gz"
            _ = FileManager.default.createFile(atPath: layer, contents: nil)
            let handle = try #require(FileHandle(forWritingAtPath: layer))
            let digests = try LayerDiff.write(entries, to: handle.fileDescriptor)
            try handle.close()
            try tool("/usr/bin/gzip", ["-t", layer])
            #expect(digests.digest.description == (try sha256sum(layer)))
            let listing = try tool("/usr/bin/tar", ["--numeric-owner", "-tvzf", layer])
            let lines = listing.split(separator: "\n")
            // "-rw------- 0/0 0 DATE TIME etc/.wh.gone": mode, owner and size words, then the name.
            #expect(
                lines.contains { line in
                    let words = line.split(separator: " ")
                    return words.count == 6 && words[0] == "-rw-------" && words[1] == "0/0" && words[2] == "0"
                        && words[5] == "etc/.wh.gone"
                }, "\(listing)")
            #expect(listing.contains(" data/.wh..wh..opq\n"))
            #expect(listing.contains("hard.txt link to created.txt"))
            #expect(!listing.contains("keep") && !listing.contains("bin/") && !listing.contains("old"))
        }
    }

    /// A directory overlayfs renamed (a `redirect` xattr, here with a 301-byte value) cannot be expressed as a tar
    /// diff: refused, naming it.
    @Test(.enabled(if: RootTestHost.enabled, RootTestHost.skipComment))
    func redirectedDirectoryIsRefused() async throws {
        try await onOwnThread {
            guard RootTestHost.ready() else { return }
            let scratch = try ScratchDirectory("overlay-redirect")
            try scratch.mkdir("upper/moved")
            try tool(
                "/usr/bin/python3",
                [
                    "-c", "import os, sys; os.setxattr(sys.argv[1], 'trusted.overlay.redirect', b'/' + b'o' * 300)",
                    scratch.path + "/upper/moved",
                ])
            #expect(
                throws: LayerError.unsupportedOverlay(
                    path: "moved", reason: "renamed directory (redirect_dir); mount with redirect_dir=off")
            ) {
                try LayerDiff.overlayUpper(scratch.path + "/upper")
            }
        }
    }

    /// A missing upper directory is an error naming the path and the call.
    @Test func missingUpperDirectory() {
        #expect(throws: LayerError.fileSystem(operation: "opendir", path: "/nonexistent-upper", errno: ENOENT)) {
            try LayerDiff.overlayUpper("/nonexistent-upper")
        }
        #expect(
            LayerError.fileSystem(operation: "opendir", path: "/x", errno: ENOENT).description
                == "opendir /x: No such file or directory")
    }
}
