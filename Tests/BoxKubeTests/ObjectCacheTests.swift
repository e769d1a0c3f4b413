import BoxCore
import Testing

@testable import BoxKube

/// The controller manager's cache answers "whose are these" from its owner index, which must follow every change:
/// a new version that changes the owner references, a deletion, a relist.
@Suite struct ObjectCacheTests {
    func pod(_ name: String, version: Int, namespace: String = "default", owners: [(uid: String, controller: Bool)])
        -> JSONValue
    {
        let references: [JSONValue] = owners.map { owner in
            [
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("rs-\(owner.uid)"),
                "uid": .string(owner.uid), "controller": .bool(owner.controller),
            ]
        }
        return [
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(name)"),
                "resourceVersion": .string("\(version)"), "ownerReferences": .array(references),
            ]
        ]
    }

    @Test func ownedDependentsAndUncontrolledFollowChanges() {
        let cache = ObjectCache()
        cache.put(.pod, pod("b", version: 1, owners: [("rs1", true)]))
        cache.put(.pod, pod("a", version: 2, owners: [("rs1", true), ("gc", false)]))
        cache.put(.pod, pod("c", version: 3, owners: [("rs2", true)]))
        cache.put(.pod, pod("d", version: 4, owners: [("gc", false)]))
        cache.put(.pod, pod("e", version: 5, namespace: "other", owners: [("rs1", true)]))
        #expect(cache.owned(.pod, by: "rs1", namespace: "default").map(\.name) == ["a", "b"])
        #expect(cache.owned(.pod, by: "gc", namespace: "default").isEmpty)
        #expect(cache.dependents(.pod, of: "gc", namespace: "default").map(\.name) == ["a", "d"])
        #expect(cache.uncontrolled(.pod, namespace: "default").map(\.name) == ["d"])
        #expect(cache.owned(.pod, by: "rs1", namespace: "other").map(\.name) == ["e"])

        // Released by rs1 (a newer version without the reference), then adopted by rs2.
        cache.put(.pod, pod("b", version: 6, owners: []))
        #expect(cache.owned(.pod, by: "rs1", namespace: "default").map(\.name) == ["a"])
        #expect(cache.uncontrolled(.pod, namespace: "default").map(\.name) == ["b", "d"])
        cache.put(.pod, pod("b", version: 7, owners: [("rs2", true)]))
        #expect(cache.owned(.pod, by: "rs2", namespace: "default").map(\.name) == ["b", "c"])
        #expect(cache.uncontrolled(.pod, namespace: "default").map(\.name) == ["d"])

        // An older version changes nothing, index included.
        #expect(!cache.put(.pod, pod("b", version: 5, owners: [("rs1", true)])))
        #expect(cache.owned(.pod, by: "rs1", namespace: "default").map(\.name) == ["a"])

        cache.remove(.pod, pod("a", version: 8, owners: [("rs1", true), ("gc", false)]))
        #expect(cache.owned(.pod, by: "rs1", namespace: "default").isEmpty)
        #expect(cache.dependents(.pod, of: "gc", namespace: "default").map(\.name) == ["d"])

        cache.replace(.pod, with: [pod("x", version: 9, owners: [("rs1", true)])])
        #expect(cache.owned(.pod, by: "rs1", namespace: "default").map(\.name) == ["x"])
        #expect(cache.owned(.pod, by: "rs2", namespace: "default").isEmpty)
        #expect(cache.uncontrolled(.pod, namespace: "default").isEmpty)
    }
}
