import BoxStore
import Testing

struct ObjectKeyTests {
    @Test(arguments: [
        ObjectKey(kind: "pods", namespace: "default", name: "web-1"),
        ObjectKey(kind: "batch.jobs", name: "nightly_2024:x"),
        ObjectKey(kind: "Frameworks", namespace: "", name: String(repeating: "a", count: 253)),
    ])
    func validKeys(key: ObjectKey) throws {
        // Letters, digits, '-', '.', '_', ':' and up to 253 characters are fine; the namespace may be empty.
        try key.validate()
    }

    @Test(arguments: [
        (ObjectKey(kind: "", name: "a"), "kind must not be empty"),
        (ObjectKey(kind: "pods", name: ""), "name must not be empty"),
        (ObjectKey(kind: "pods", name: "a/b"), "contains '/'"),
        (ObjectKey(kind: "pods", namespace: "x/y", name: "a"), "namespace 'x/y'"),
        (ObjectKey(kind: "pods", name: "a b"), "contains ' '"),
        (ObjectKey(kind: "pods", name: "café"), "contains 'é'"),
        (ObjectKey(kind: "pods", name: String(repeating: "a", count: 254)), "longer than 253"),
    ])
    func invalidKeys(key: ObjectKey, message: String) {
        // Each bad part yields .invalidKey whose message names the part and the reason.
        #expect {
            try key.validate()
        } throws: { error in
            guard case .invalidKey(let text) = error as? StoreError else { return false }
            return text.contains(message)
        }
    }

    @Test func descriptionAndOrder() {
        // Cluster-scoped keys print as kind/name; keys sort by kind, then namespace, then name.
        #expect(ObjectKey(kind: "nodes", name: "n1").description == "nodes/n1")
        #expect(ObjectKey(kind: "pods", namespace: "a", name: "x").description == "pods/a/x")
        let sorted = [
            ObjectKey(kind: "pods", namespace: "b", name: "a"), ObjectKey(kind: "pods", namespace: "a", name: "z"),
            ObjectKey(kind: "nodes", name: "z"),
        ].sorted()
        #expect(sorted.map(\.description) == ["nodes/z", "pods/a/z", "pods/b/a"])
    }
}
