import BoxCore
import BoxStore
import Testing

/// Create, read, update, delete and list, against every store.
@Suite(.timeLimit(.minutes(5)))
struct ObjectStoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func createThenGet(kind: StoreKind) async throws {
        // An empty store is at revision 0; the first create gets revision 1 as both mod and create revision.
        try await withStore(kind) { store in
            #expect(try await store.currentRevision() == 0)
            let created = try await store.create(pod("a"), value: bytes("{}"), labels: ["app": "web"])
            #expect(
                created
                    == StoredObject(
                        key: pod("a"), value: bytes("{}"), labels: ["app": "web"], revision: 1, createRevision: 1))
            #expect(try await store.get(pod("a")) == created)
            #expect(try await store.currentRevision() == 1)
            await #expect(throws: StoreError.notFound(pod("b"))) { try await store.get(pod("b")) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func emptyValueAndLabelsRoundTrip(kind: StoreKind) async throws {
        // Zero bytes and no labels come back as zero bytes and no labels, not as missing.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: [], labels: [:])
            let object = try await store.get(pod("a"))
            #expect(object.value == [] && object.labels == [:])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func createTwiceFails(kind: StoreKind) async throws {
        // The second create of a key fails and does not use up a revision.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("1"), labels: [:])
            await #expect(throws: StoreError.alreadyExists(pod("a"))) {
                try await store.create(pod("a"), value: bytes("2"), labels: [:])
            }
            #expect(try await store.get(pod("a")).value == bytes("1"))
            #expect(try await store.currentRevision() == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func updateWithStaleRevisionConflicts(kind: StoreKind) async throws {
        // Create at 1, update at 2 (CAS on 1); a second update still expecting 1 conflicts (current 2), nothing moves.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("v1"), labels: ["v": "1"])
            let updated = try await store.update(pod("a"), value: bytes("v2"), labels: ["v": "2"], expectedRevision: 1)
            #expect(updated.revision == 2 && updated.createRevision == 1 && updated.value == bytes("v2"))
            await #expect(throws: StoreError.conflict(pod("a"), expected: 1, current: 2)) {
                try await store.update(pod("a"), value: bytes("v3"), labels: [:], expectedRevision: 1)
            }
            #expect(try await store.get(pod("a")) == updated)
            #expect(try await store.currentRevision() == 2)
            let unconditional = try await store.update(pod("a"), value: bytes("v3"), labels: [:], expectedRevision: nil)
            #expect(unconditional.revision == 3)
            await #expect(throws: StoreError.notFound(pod("b"))) {
                try await store.update(pod("b"), value: [], labels: [:], expectedRevision: nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteWithCompareAndSwap(kind: StoreKind) async throws {
        // Create at 1, update at 2; deleting with expected 1 conflicts, with 2 succeeds at revision 3.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("v1"), labels: ["app": "web"])
            _ = try await store.update(pod("a"), value: bytes("v2"), labels: ["app": "web"], expectedRevision: nil)
            await #expect(throws: StoreError.conflict(pod("a"), expected: 1, current: 2)) {
                try await store.delete(pod("a"), expectedRevision: 1)
            }
            let deleted = try await store.delete(pod("a"), expectedRevision: 2)
            #expect(
                deleted
                    == StoredObject(
                        key: pod("a"), value: bytes("v2"), labels: ["app": "web"], revision: 3, createRevision: 1))
            await #expect(throws: StoreError.notFound(pod("a"))) { try await store.get(pod("a")) }
            await #expect(throws: StoreError.notFound(pod("a"))) {
                try await store.delete(pod("a"), expectedRevision: nil)
            }
            // Recreating starts a new incarnation: create revision 4.
            #expect(try await store.create(pod("a"), value: [], labels: [:]).createRevision == 4)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listFiltersAndSorts(kind: StoreKind) async throws {
        // Five objects over two namespaces, a cluster-scoped kind and a second kind; each filter narrows and sorts.
        try await withStore(kind) { store in
            _ = try await store.create(
                pod("web-2", namespace: "prod"), value: [], labels: ["app": "web", "tier": "fe"])
            _ = try await store.create(pod("web-1", namespace: "prod"), value: [], labels: ["app": "web"])
            _ = try await store.create(pod("db-1", namespace: "prod"), value: [], labels: ["app": "db"])
            _ = try await store.create(pod("web-1", namespace: "dev"), value: [], labels: ["app": "web"])
            _ = try await store.create(ObjectKey(kind: "nodes", name: "n1"), value: [], labels: ["app": "web"])
            func names(_ namespace: String?, _ prefix: String = "", _ selector: LabelSelector = .everything)
                async throws -> [String]
            {
                try await store.list(kind: "pods", namespace: namespace, namePrefix: prefix, selector: selector)
                    .objects.map(\.key.description)
            }
            #expect(try await names(nil) == ["pods/dev/web-1", "pods/prod/db-1", "pods/prod/web-1", "pods/prod/web-2"])
            #expect(try await names("prod") == ["pods/prod/db-1", "pods/prod/web-1", "pods/prod/web-2"])
            #expect(try await names("prod", "web-") == ["pods/prod/web-1", "pods/prod/web-2"])
            #expect(try await names(nil, "web_") == [])
            #expect(try await names(nil, "", LabelSelector(parsing: "app=web,tier")) == ["pods/prod/web-2"])
            #expect(try await names(nil, "", LabelSelector(parsing: "app!=web")) == ["pods/prod/db-1"])
            let cluster = try await store.list(kind: "nodes", namespace: "", namePrefix: "", selector: .everything)
            #expect(cluster.objects.map(\.key.description) == ["nodes/n1"] && cluster.revision == 5)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func revisionsIncreaseAcrossKinds(kind: StoreKind) async throws {
        // Writes to different kinds and namespaces share one counter: 1, 2, 3, 4, 5 with no gaps.
        try await withStore(kind) { store in
            var revisions: [Int64] = []
            revisions.append(try await store.create(pod("a"), value: [], labels: [:]).revision)
            revisions.append(
                try await store.create(ObjectKey(kind: "nodes", name: "n1"), value: [], labels: [:]).revision)
            revisions.append(try await store.update(pod("a"), value: [], labels: [:], expectedRevision: nil).revision)
            revisions.append(
                try await store.create(ObjectKey(kind: "batch.jobs", namespace: "x", name: "j"), value: [], labels: [:])
                    .revision)
            revisions.append(
                try await store.delete(ObjectKey(kind: "nodes", name: "n1"), expectedRevision: nil).revision)
            #expect(revisions == [1, 2, 3, 4, 5])
            #expect(try await store.currentRevision() == 5)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidKeysAreRejected(kind: StoreKind) async throws {
        // Empty names, slashes and bad characters fail validation before touching storage.
        try await withStore(kind) { (store: any ObjectStore) async throws in
            for key in [pod(""), pod("a/b"), ObjectKey(kind: "", name: "x"), pod("a", namespace: "n s")] {
                await #expect(throws: StoreError.self) { try await store.create(key, value: [], labels: [:]) }
                await #expect(throws: StoreError.self) { try await store.get(key) }
            }
            await #expect(throws: StoreError.self) {
                try await store.list(kind: "pods", namespace: nil, namePrefix: "a/", selector: .everything)
            }
            await #expect(throws: StoreError.self) {
                try await store.watch(kind: "a/b", namespace: nil, afterRevision: 0)
            }
            #expect(try await store.currentRevision() == 0)
        }
    }
}
