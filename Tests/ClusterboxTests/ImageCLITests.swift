import BoxTestSupport
import Foundation
import Testing

/// `clusterbox image …` as a user runs it, on `<data dir>/images`, with no cluster running: import (and a
/// refused archive), ls, inspect, export, rm, and the exit code 1 with a clear message for an unknown image.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 for the archives"))
struct ImageCLITests {
    @Test func importListInspectExportRemove() async throws { try await onOwnThread { try Self.lifecycle() } }

    static func lifecycle() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let archives = cli.dataDirectory + "/archives"
        let script = CLI.root + "/Tests/BoxImagesTests/Fixtures/bad-archives.py"
        let made = try ChildProcess.run("/usr/bin/python3", [script, archives, archives + "/outside"])
        try #require(made.status == 0, "\(made.stderr)")

        let empty = try cli.run(["image", "ls"])
        #expect(empty.status == 0 && empty.stdout == "REFERENCE   DIGEST   SIZE   CREATED\n", "\(empty.stdout)")

        let imported = try cli.run(["image", "import", archives + "/good.tar"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout == "Imported: good:bad\n")  // the archive's name, then its ref.name tag
        #expect(
            try cli.run(["image", "import", archives + "/good.tar", "-t", "tiny:1"]).stdout == "Imported: tiny:1\n")

        let listed = try cli.run(["image", "ls", "--json"])
        let images = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(images.compactMap { $0["reference"] as? String } == ["good:bad", "tiny:1"])
        #expect(Set(images.compactMap { $0["digest"] as? String }).count == 1)
        let table = try cli.run(["image", "ls"]).stdout
        #expect(table.contains("tiny:1") && table.contains("good:bad"))

        let inspected = try cli.run(["image", "inspect", "tiny:1"])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(object["reference"] as? String == "tiny:1")
        #expect((object["layers"] as? [[String: Any]])?.count == 1)
        #expect(((object["config"] as? [String: Any])?["config"] as? [String: Any])?["Cmd"] as? [String] == ["/bin/sh"])

        let unknown = try cli.run(["image", "inspect", "nope"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no such image: nope"), "\(unknown.stderr)")

        let refused = try cli.run(["image", "import", archives + "/escape.tar"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("unsafe entry \"../escape\""), "\(refused.stderr)")

        let exported = try cli.run(["image", "export", "tiny:1", "-o", archives + "/out.tar"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let listing = try ChildProcess.run("/bin/tar", ["-tf", archives + "/out.tar"])
        #expect(listing.stdout.contains("index.json") && listing.stdout.contains("oci-layout"))

        let removed = try cli.run(["image", "rm", "tiny:1", "good:bad"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stdout.contains("Untagged: tiny:1") && removed.stdout.contains("Untagged: good:bad"))
        let again = try cli.run(["image", "rm", "tiny:1"])
        #expect(again.status == 1 && again.stderr.contains("no such image: tiny:1"), "\(again.stderr)")
        #expect(
            try cli.run(["image", "ls", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.dataDirectory + "/images/blobs/sha256").isEmpty)
    }
}
