import Testing

@testable import BoxDiscovery

/// The pure halves of the load balancer: the round-robin rotation and the plan `apply` carries out.
@Suite struct LoadBalancerPlanTests {
    @Test func rotationStartsEachConnectionOneFurtherAndTriesEveryBackendOnce() {
        var rotation = BackendRotation(["a", "b", "c"])
        var firstChoices: [String: Int] = [:]
        for _ in 0..<300 {
            var attempts = rotation.nextAttempts()
            firstChoices[attempts.next()!, default: 0] += 1
        }
        #expect(firstChoices == ["a": 100, "b": 100, "c": 100])
        // The 301st connection starts at a again and, if each refuses, tries b then c, then gives up.
        #expect(Array(IteratorSequence(rotation.nextAttempts())) == ["a", "b", "c"])
        #expect(Array(IteratorSequence(rotation.nextAttempts())) == ["b", "c", "a"])
    }

    @Test func rotationWithoutBackendsOffersNothing() {
        var rotation = BackendRotation<String>([])
        var attempts = rotation.nextAttempts()
        #expect(attempts.next() == nil)
    }

    /// a, b were served; c is next. Removing a keeps c next; removing c makes the cursor wrap (2 mod 2 = 0).
    @Test(arguments: [
        (["b", "c"], ["c", "b", "c"]),
        (["b", "c", "d"], ["c", "d", "b"]),
        (["a", "b"], ["a", "b", "a"]),
        (["d"], ["d", "d", "d"]),
    ])
    func replacingTheListKeepsTheNextBackendNext(newList: [String], expected: [String]) {
        var rotation = BackendRotation(["a", "b", "c"])
        _ = rotation.nextAttempts()
        _ = rotation.nextAttempts()
        rotation.replace(with: newList)
        let firsts = (0..<3).map { _ in
            var attempts = rotation.nextAttempts()
            return attempts.next()!
        }
        #expect(firsts == expected)
    }

    @Test func planBindsUpdatesClosesAndRejects() {
        let web = VirtualService(name: "web", address: "127.96.0.1", port: 80, backends: [])
        let api = VirtualService(name: "api", address: "127.96.0.2", port: 80, backends: [])
        let apiAgain = VirtualService(name: "api2", address: "127.96.0.2", port: 80, backends: [])
        let bad = VirtualService(name: "bad", address: "127.96.0.3", port: 70000, backends: [])
        let listening: Set = [
            ServiceEndpoint(address: "127.96.0.1", port: 80), ServiceEndpoint(address: "127.96.0.9", port: 81),
            ServiceEndpoint(address: "127.96.0.8", port: 81),
        ]
        let plan = ListenerPlan(listening: listening, desired: [web, api, apiAgain, bad])
        #expect(plan.update == [web])
        #expect(plan.bind == [api])
        #expect(
            plan.close == [
                ServiceEndpoint(address: "127.96.0.8", port: 81), ServiceEndpoint(address: "127.96.0.9", port: 81),
            ])
        #expect(
            plan.rejected == [
                .init(service: apiAgain, reason: .duplicateEndpoint(api.endpoint)),
                .init(service: bad, reason: .invalidPort(70000)),
            ])
    }
}
