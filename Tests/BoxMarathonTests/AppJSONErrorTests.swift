import BoxCore
import BoxMarathon
import Testing

/// What Marathon answers for bodies it cannot take (§10): 400 for what is not JSON, 422 listing every failing field
/// with its path. One body per rule is in `ValidationCases`.
@Suite struct AppJSONErrorTests {
    static func decode(_ json: String) throws(MarathonError) -> App { try AppJSONTests.decode(json) }
    static func details(_ json: String) -> [FieldError] { AppJSONTests.details(json) }

    @Test func invalidJSONIs400() {
        for body in [#"{"id": "web","#, "", "{\"id\": 'web'}", "{} {}", "[1,]"] {
            #expect(throws: MarathonError.self) { try Self.decode(body) }
            do {
                _ = try Self.decode(body)
            } catch {
                #expect(error.status == 400)
                guard case .badRequest(let message, let details) = error else {
                    Issue.record("\(body): \(error)")
                    continue
                }
                #expect(message == "Invalid JSON")
                #expect(details.count == 1 && details[0].path == "/" && details[0].errors[0].contains("line 1"))
            }
        }
        #expect(
            throws: MarathonError.badRequest(
                message: "Invalid JSON", details: [FieldError(path: "/", errors: ["error.expected.jsobject"])])
        ) { try Self.decode("[1]") }
    }

    @Test func containersAre422() {
        let details = Self.details(#"{"id": "web", "container": {"type": "DOCKER", "docker": {"image": "nginx"}}}"#)
        #expect(details.first == FieldError(path: "/container", errors: [Messages.container]))
        // Without cmd or args the app also has nothing to run: reported too, in the same answer.
        #expect(details.map(\.path) == ["/container", "/"])
    }

    @Test func everyBrokenRuleIsReportedWithItsPath() {
        let errors = Self.details(#"{"id": "web", "cmd": "x", "cpus": 0, "instances": -1, "mem": -1}"#)
        #expect(
            errors == [
                FieldError(path: "/cpus", errors: ["got 0, expected 0.001 or more"]),
                FieldError(path: "/mem", errors: ["got -1, expected 0 or more"]),
                FieldError(path: "/instances", errors: ["got -1, expected 0 or more"]),
            ])
    }

    /// One body per rule of §3 and the single detail it must produce.
    @Test(arguments: ValidationCases.all)
    func validation(_ testCase: ValidationCase) {
        let details = Self.details(testCase.body)
        #expect(details == [FieldError(path: testCase.path, errors: [testCase.message])], "\(testCase.body)")
    }

    @Test func aBadIdSegmentNamesTheSegment() {
        let details = Self.details(#"{"id": "/prod/Web", "cmd": "x"}"#)
        #expect(details.count == 1 && details[0].path == "/id")
        #expect(details.first?.errors.first?.contains("segment 'Web'") == true)
    }

    @Test func wrongTypesAndRulesTogether() {
        let details = Self.details(#"{"id": "web", "cmd": 5, "labels": {"a": 1}, "instances": "three"}"#)
        #expect(
            details == [
                FieldError(path: "/cmd", errors: ["error.expected.jsstring"]),
                FieldError(path: "/instances", errors: ["error.expected.jsnumber"]),
                FieldError(path: "/labels/a", errors: ["error.expected.jsstring"]),
                FieldError(path: "/", errors: [Messages.noCommand]),
            ])
    }
}
