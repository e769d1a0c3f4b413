import BoxCore
import BoxStore
import Foundation
import Testing

/// Batch reads and writes (`get([keys])`, `write([writes])`), against every store.
@Suite(.timeLimit(.minutes(5)))
struct ObjectStoreBatchContractTests {
    @Test(arguments: StoreKind.allCases)
    func batchWritesTakeOneRevisionEachInOrder(kind: StoreKind) async throws {
        // Three writes of one batch: revisions 2, 3, 4 in order, with create revisions kept; the watcher sees them.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("a1"), labels: [:])
            let watch = try await store.watch(kind: "pods", namespace: nil, afterRevision: 1)
            var iterator = watch.makeAsyncIterator()
            let results = try await store.write([
                .create(pod("b"), value: bytes("b1"), labels: ["app": "web"]),
                .update(pod("a"), value: bytes("a2"), labels: ["v": "2"], expectedRevision: 1),
                .delete(pod("b"), expectedRevision: 2),
            ])
            let objects = try results.map { try $0.get() }
            #expect(objects.map(\.revision) == [2, 3, 4])
            #expect(
                objects[1]
                    == StoredObject(
                        key: pod("a"), value: bytes("a2"), labels: ["v": "2"], revision: 3, createRevision: 1))
            #expect(objects[2].key == pod("b") && objects[2].value == bytes("b1") && objects[2].createRevision == 2)
            #expect(try await store.currentRevision() == 4)
            #expect(try await store.get(pod("a")) == objects[1])
            await #expect(throws: StoreError.notFound(pod("b"))) { try await store.get(pod("b")) }
            #expect(
                transcript(try await take(3, from: &iterator))
                    == ["ADDED pods/default/b@2", "MODIFIED pods/default/a@3", "DELETED pods/default/b@4"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failedWritesChangeNothingAndTheOthersHappen(kind: StoreKind) async throws {
        // A conflict, a missing key, a taken key and an invalid key fail alone, using no revision; the one valid
        // write between them is stored at the next revision.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("a1"), labels: ["v": "1"])
            let bad = ObjectKey(kind: "pods", namespace: "default", name: "no/slash")
            let results = try await store.write([
                .update(pod("a"), value: bytes("x"), labels: [:], expectedRevision: 7),
                .delete(pod("missing"), expectedRevision: nil),
                .create(pod("a"), value: bytes("x"), labels: [:]),
                .create(bad, value: bytes("x"), labels: [:]),
                .update(pod("a"), value: bytes("a2"), labels: ["v": "2"], expectedRevision: 1),
            ])
            #expect(results.count == 5)
            #expect(throws: StoreError.conflict(pod("a"), expected: 7, current: 1)) { try results[0].get() }
            #expect(throws: StoreError.notFound(pod("missing"))) { try results[1].get() }
            #expect(throws: StoreError.alreadyExists(pod("a"))) { try results[2].get() }
            guard case .failure(.invalidKey) = results[3] else {
                Issue.record("an invalid key is refused, got \(results[3])")
                return
            }
            #expect(try results[4].get().revision == 2)
            #expect(try await store.currentRevision() == 2)
            #expect(try await store.get(pod("a")).value == bytes("a2"))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchReadAnswersEachKey(kind: StoreKind) async throws {
        // Found, missing and invalid keys, in the order asked; an empty batch is empty.
        try await withStore(kind) { store in
            let a = try await store.create(pod("a"), value: bytes("a"), labels: ["k": "v"])
            let c = try await store.create(pod("c"), value: bytes("c"), labels: [:])
            let results = try await store.get([pod("c"), pod("b"), ObjectKey(kind: "", name: "x"), pod("a")])
            #expect(try results[0].get() == c)
            #expect(throws: StoreError.notFound(pod("b"))) { try results[1].get() }
            guard case .failure(.invalidKey) = results[2] else {
                Issue.record("an invalid key is refused, got \(results[2])")
                return
            }
            #expect(try results[3].get() == a)
            #expect(try await store.get([ObjectKey]()).isEmpty)
            #expect(try await store.write([]).isEmpty)
            #expect(try await store.currentRevision() == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func batchesAreCompactedLikeSingleWrites(kind: StoreKind) async throws {
        // History of 5: a batch of 8 creates leaves revisions 4...8 to replay; older ones are compacted.
        try await withStore(kind, historyLimit: 5) { store in
            let results = try await store.write(
                (1...8).map { .create(pod("p\($0)"), value: bytes("\($0)"), labels: [:]) })
            #expect(results.allSatisfy { (try? $0.get()) != nil })
            await #expect(throws: StoreError.self) {
                _ = try await store.watch(kind: nil, namespace: nil, afterRevision: 1)
            }
            let watch = try await store.watch(kind: nil, namespace: nil, afterRevision: 3)
            var iterator = watch.makeAsyncIterator()
            #expect(try await take(5, from: &iterator).map(\.revision) == [4, 5, 6, 7, 8])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closedStoreRefusesBatches(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try close(store)
            await #expect(throws: StoreError.closed) {
                _ = try await store.write([.create(pod("a"), value: [], labels: [:])])
            }
            await #expect(throws: StoreError.closed) { _ = try await store.get([pod("a")]) }
        }
    }
}

/// The SQLite store's labels column: written and read by hand, readable as `JSONDecoder` reads it.
@Suite struct LabelsColumnTests {
    @Test func labelsRoundTripThroughSQLite() async throws {
        // Keys and values with every character the fast path escapes come back equal, from a single write, a
        // batch write and a list.
        let labels: Labels = [
            "app.kubernetes.io/name": "web", "quote\"d": "back\\slash", "tab": "a\tb\nc\r\u{8}\u{c}", "ctl": "\u{1}x",
            "unicode": "héllo ✓", "": "",
        ]
        try await withStore(.sqlite) { store in
            _ = try await store.create(pod("a"), value: bytes("{}"), labels: labels)
            _ = try await store.write([.create(pod("b"), value: bytes("{}"), labels: labels)])
            #expect(try await store.get(pod("a")).labels == labels)
            #expect(try await store.get(pod("b")).labels == labels)
            let listed = try await store.list(kind: "pods", namespace: nil, namePrefix: "", selector: .everything)
            #expect(listed.objects.map(\.labels) == [labels, labels])
        }
    }
}
