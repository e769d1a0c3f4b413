import BoxCore
import BoxMarathon
import Testing

/// Each operator of §3.1, accepting and refusing. Agents: a1 (rack r1, zone z1), a2 (rack r2), a3 (rack r1),
/// a4 (no rack attribute).
@Suite struct ConstraintTests {
    typealias Agent = (hostname: String, attributes: Labels)
    static let a1: Agent = ("a1", ["rack": "r1", "zone": "z1"])
    static let a2: Agent = ("a2", ["rack": "r2"])
    static let a3: Agent = ("a3", ["rack": "r1"])
    static let a4: Agent = ("a4", [:])
    static let r3: Agent = ("a5", ["rack": "r3"])

    static func allows(_ constraint: Constraint, _ agent: Agent, placed: [Agent] = []) -> Bool {
        constraint.allows(agentHostname: agent.hostname, attributes: agent.attributes, placed: placed, instances: 3)
    }

    @Test func unique() {
        let byHost = Constraint(field: "hostname", op: .unique)
        #expect(Self.allows(byHost, Self.a2, placed: [Self.a1]))
        #expect(!Self.allows(byHost, Self.a1, placed: [Self.a1]))
        let byRack = Constraint(field: "rack", op: .unique)
        #expect(!Self.allows(byRack, Self.a3, placed: [Self.a1]))  // a3 is also r1
        #expect(Self.allows(byRack, Self.a2, placed: [Self.a1]))
        #expect(!Self.allows(byRack, Self.a4))  // no rack: no value to be unique with
    }

    @Test func clusterWithAndWithoutValue() {
        let r1 = Constraint(field: "rack", op: .cluster, value: "r1")
        #expect(Self.allows(r1, Self.a1) && Self.allows(r1, Self.a3))
        #expect(!Self.allows(r1, Self.a2) && !Self.allows(r1, Self.a4))
        // Without a value the first placed task decides.
        let anyRack = Constraint(field: "rack", op: .cluster)
        #expect(Self.allows(anyRack, Self.a2))
        #expect(Self.allows(anyRack, Self.a2, placed: [Self.a2]))
        #expect(!Self.allows(anyRack, Self.a1, placed: [Self.a2]))
    }

    /// Placed r1, r2, r1: counts {r1: 2, r2: 1}, minimum 1, so only r2 (or a new rack, count 0) may take the next.
    @Test func groupBySpreadsEvenly() {
        let spread = Constraint(field: "rack", op: .groupBy)
        let placed = [Self.a1, Self.a2, Self.a3]
        #expect(!Self.allows(spread, Self.a1, placed: placed))
        #expect(Self.allows(spread, Self.a2, placed: placed))
        #expect(Self.allows(spread, Self.r3, placed: placed))
        #expect(Self.allows(spread, Self.a1))
        #expect(!Self.allows(spread, Self.a4))
    }

    /// Expecting 3 racks while only r1 and r2 have tasks: the minimum is 0, so only the unseen r3 may take one.
    @Test func groupByWithExpectedValues() {
        let three = Constraint(field: "rack", op: .groupBy, value: "3")
        let placed = [Self.a1, Self.a2]
        #expect(!Self.allows(three, Self.a1, placed: placed))
        #expect(!Self.allows(three, Self.a2, placed: placed))
        #expect(Self.allows(three, Self.r3, placed: placed))
        // All three seen, one each: any of them.
        #expect(Self.allows(three, Self.a1, placed: placed + [Self.r3]))
    }

    @Test func maxPer() {
        let two = Constraint(field: "rack", op: .maxPer, value: "2")
        #expect(Self.allows(two, Self.a1, placed: [Self.a3]))
        #expect(!Self.allows(two, Self.a1, placed: [Self.a3, Self.a1]))
        #expect(Self.allows(two, Self.a2, placed: [Self.a3, Self.a1]))
        #expect(!Self.allows(Constraint(field: "hostname", op: .maxPer, value: "0"), Self.a1))
    }

    @Test func likeIsAFullMatch() {
        let like = Constraint(field: "rack", op: .like, value: "r[12]")
        #expect(Self.allows(like, Self.a1) && Self.allows(like, Self.a2))
        #expect(!Self.allows(like, Self.r3) && !Self.allows(like, Self.a4))
        #expect(!Self.allows(Constraint(field: "rack", op: .like, value: "r"), Self.a1))  // "r" does not match all of "r1"
        #expect(Self.allows(Constraint(field: "hostname", op: .like, value: "a[0-9]+"), Self.a4))
    }

    @Test func unlikeAcceptsAgentsWithoutTheAttribute() {
        let unlike = Constraint(field: "rack", op: .unlike, value: "r1")
        #expect(!Self.allows(unlike, Self.a1) && !Self.allows(unlike, Self.a3))
        #expect(Self.allows(unlike, Self.a2) && Self.allows(unlike, Self.a4))
    }

    @Test func isComparesExactly() {
        let isR1 = Constraint(field: "rack", op: .is, value: "r1")
        #expect(Self.allows(isR1, Self.a1))
        #expect(!Self.allows(isR1, Self.a2) && !Self.allows(isR1, Self.a4))
        #expect(!Self.allows(Constraint(field: "rack", op: .is, value: "R1"), Self.a1))
    }

    @Test func atFieldsNameTheHostnameAndDomainAttributes() {
        #expect(!Self.allows(Constraint(field: "@hostname", op: .unique), Self.a1, placed: [Self.a1]))
        #expect(Self.allows(Constraint(field: "@zone", op: .is, value: "z1"), Self.a1))
        #expect(!Self.allows(Constraint(field: "@zone", op: .is, value: "z1"), Self.a2))
        #expect(Self.allows(Constraint(field: "@region", op: .unlike, value: "eu"), Self.a1))
    }

    @Test func appAllowsOnlyWhenEveryConstraintDoes() throws {
        var app = App(id: try PathID("/web"))
        app.constraints = [
            Constraint(field: "hostname", op: .unique), Constraint(field: "rack", op: .like, value: "r1"),
        ]
        #expect(app.allows(hostname: "a3", attributes: ["rack": "r1"], placed: [Self.a1]))
        #expect(!app.allows(hostname: "a1", attributes: ["rack": "r1"], placed: [Self.a1]))
        #expect(!app.allows(hostname: "a2", attributes: ["rack": "r2"], placed: []))
        app.constraints = []
        #expect(app.allows(hostname: "a1", attributes: [:], placed: [Self.a1]))
    }
}
