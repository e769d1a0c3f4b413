import Foundation
import Testing

@testable import BoxStore

/// The labels column's hand-written codec against `JSONEncoder`/`JSONDecoder`, which wrote every existing row.
@Suite struct LabelsTextTests {
    static let samples: [[String: String]] = [
        [:], ["app": "web"], ["app.kubernetes.io/name": "web", "tier": "front-end", "a": ""],
        ["q\"uote": "back\\slash/and/slashes", "nl": "a\nb\tc\r", "ctl": "\u{1}\u{1f}", "uni": "héllo ✓ 日本"],
    ]

    @Test(arguments: samples)
    func readsWhatJSONEncoderWrote(labels: [String: String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let old = String(decoding: try encoder.encode(labels), as: UTF8.self)
        #expect(try LabelsText.decode(old) == labels)
        #expect(try LabelsText.decode(LabelsText.encode(labels)) == labels)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(LabelsText.encode(labels).utf8)) == labels)
    }

    @Test func writesWhatJSONEncoderWritesForPlainLabels() throws {
        // Same text for the usual labels (sorted keys, `\/`), so a row reads back byte for byte.
        let labels = ["app.kubernetes.io/name": "web", "pod-template-hash": "5d9f", "app": "kbench"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(LabelsText.encode(labels) == String(decoding: try encoder.encode(labels), as: UTF8.self))
    }

    @Test func oddTextFallsBackOrFails() throws {
        // Spacing and \u escapes are JSONDecoder's; text that is no JSON object of strings is a storage error.
        #expect(LabelsText.fastDecode("{ \"a\": \"b\" }") == nil)
        #expect(try LabelsText.decode("{ \"a\": \"b\" }") == ["a": "b"])
        #expect(try LabelsText.decode("{\"a\":\"\\u00e9\"}") == ["a": "é"])
        #expect(LabelsText.fastDecode("{\"a\":\"b\",}") == nil)
        #expect(LabelsText.fastDecode("{\"a\"}") == nil)
        #expect(throws: StoreError.self) { try LabelsText.decode("{\"a\":1}") }
        #expect(throws: StoreError.self) { try LabelsText.decode("not json") }
    }
}
