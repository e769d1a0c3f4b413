import Foundation
import Testing

/// The pure cores stay pure: files under any `Sources/*/Core/` folder import only BoxCore and swift-collections
/// (no NIO, Hummingbird, GRDB, logging or Foundation IO), so they never read a clock or touch the disk.
@Suite struct CoreImportsTests {
    static let allowed: Set<String> = ["BoxCore", "Collections", "DequeModule", "OrderedCollections"]

    @Test func coreFilesImportOnlyTheCore() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path)
        var checked = 0
        for module in modules {
            let core = sources.appendingPathComponent(module).appendingPathComponent("Core")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: core.path) else { continue }
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: core.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let index = words.firstIndex(of: "import"), index <= 1 else { continue }
                    let imported = String(words[index + 1])
                    #expect(Self.allowed.contains(imported), "\(module)/Core/\(file) imports \(imported)")
                }
                checked += 1
            }
        }
        #expect(checked >= 8)
    }
}
