import BoxCore
import Testing

@Suite struct LabelSelectorTests {
    static let web: Labels = ["app": "web", "tier": "frontend", "env": "prod"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app!=db", true),
        ("env in (prod,qa)", true), ("env notin (prod)", false), ("env notin (dev)", true),
        ("tier", true), ("!tier", false), ("!gpu", true), ("gpu", false),
        ("app=web,env in (qa)", false), ("app=web, tier=frontend", true), ("", true),
        ("missing!=x", true), ("missing in (x)", false), ("missing notin (x)", true),
    ])
    func matches(selector: String, expected: Bool) throws {
        #expect(try LabelSelector(parsing: selector).matches(Self.web) == expected)
    }

    @Test(arguments: ["=web", "app in prod", "app in ()", "a b c", "app=web,,x=y", "app=we b"])
    func rejectsMalformed(selector: String) {
        #expect(throws: SelectorParseError.self) { try LabelSelector(parsing: selector) }
    }

    /// The text form parses back to the same selector.
    @Test func roundTrips() throws {
        let selector = try LabelSelector(parsing: "app=web,env in (qa,prod),!gpu,tier")
        #expect(try LabelSelector(parsing: selector.description) == selector)
        #expect(LabelSelector(matchLabels: ["b": "2", "a": "1"]).description == "a=1,b=2")
    }
}
