import BoxCore
import Testing

/// The parser keeps what Marathon's type errors need (`1` vs `1.0` vs `true`) and the writer is deterministic.
@Suite struct JSONValueTests {
    @Test func parsesTypesExactly() throws {
        let value = try JSONParser.parse(
            Array(
                #"{"i": 1, "d": 1.0, "e": 2e3, "b": true, "n": null, "s": "a\"\u00e9\ud83d\ude00\n", "a": [-0.5, []]}"#
                    .utf8))
        #expect(value == ["i": 1, "d": 1.0, "e": 2000.0, "b": true, "n": nil, "s": "a\"é😀\n", "a": [-0.5, []]])
        #expect(value["i"] == .int(1) && value["d"] == .double(1) && value["b"] == .bool(true))
        // One number type in JSON: 1 and 1.0 are equal (and hash alike); true is not a number.
        #expect(JSONValue.int(1) == .double(1) && Set<JSONValue>([.int(1), .double(1)]).count == 1)
        #expect(JSONValue.int(1) != .bool(true) && JSONValue.int(1) != .double(1.5))
    }

    @Test func writesSortedCompactJSON() {
        let value: JSONValue = ["b": [1, 2.5, "x\u{1}"], "a": ["z": nil, "y": false], "c": .double(1e-5)]
        #expect(value.text == #"{"a":{"y":false,"z":null},"b":[1,2.5,"x\u0001"],"c":1e-05}"#)
        #expect(JSONValue.double(128).text == "128" && JSONValue.double(.infinity).text == "null")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\u{1}\"", "tru", "{} x", "\"\\x\""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONParser.parse(Array(fine.utf8)) }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse(Array("{\n  \"a\": x}".utf8))
            Issue.record("parsed")
        } catch {
            #expect(error.line == 2 && error.column == 8)
        }
    }
}
