import Foundation
import Testing

/// The DNS core is pure (STYLE.md 2.3): its files import at most BoxCore, so it runs unchanged in the simulator and
/// in the UDP/TCP servers.
@Suite struct DNSPurityTests {
    @Test func dnsFilesImportNothingButBoxCore() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/BoxDiscovery/DNS").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 8)
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let imports = text.split(separator: "\n").filter {
                $0.hasPrefix("import ") || $0.contains(" import ") && !$0.hasPrefix("//") && !$0.hasPrefix(" ")
            }
            #expect(imports.allSatisfy { $0.hasSuffix("import BoxCore") }, "\(file): \(imports)")
        }
    }
}
