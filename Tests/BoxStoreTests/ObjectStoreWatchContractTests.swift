import BoxCore
import BoxStore
import Testing

/// Watch replay, live delivery, filters, compaction and watcher lifetime, against every store.
@Suite(.timeLimit(.minutes(5)))
struct ObjectStoreWatchContractTests {
    @Test(arguments: StoreKind.allCases)
    func watchFromZeroSeesEveryChangeInOrder(kind: StoreKind) async throws {
        // create a@1, update a@2, create node@3, delete a@4: a watch from 0 replays all four in order;
        // the DELETED event carries a's last value at the delete's revision.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a"), value: bytes("v1"), labels: ["app": "web"])
            _ = try await store.update(pod("a"), value: bytes("v2"), labels: ["app": "web"], expectedRevision: 1)
            _ = try await store.create(ObjectKey(kind: "nodes", name: "n1"), value: [], labels: [:])
            _ = try await store.delete(pod("a"), expectedRevision: 2)
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 0).makeAsyncIterator()
            let replayed = try await take(4, from: &events)
            #expect(
                transcript(replayed) == [
                    "ADDED pods/default/a@1", "MODIFIED pods/default/a@2", "ADDED nodes/n1@3",
                    "DELETED pods/default/a@4",
                ])
            #expect(
                replayed[3].object
                    == StoredObject(
                        key: pod("a"), value: bytes("v2"), labels: ["app": "web"], revision: 4, createRevision: 1))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func watchMidwayReplaysThenStreamsLive(kind: StoreKind) async throws {
        // Three creates (1-3); a watch after 1 replays 2 and 3, then gets the live update at 4 and create at 5,
        // each exactly once.
        try await withStore(kind) { store in
            for name in ["a", "b", "c"] { _ = try await store.create(pod(name), value: [], labels: [:]) }
            var events = try await store.watch(kind: "pods", namespace: nil, afterRevision: 1).makeAsyncIterator()
            #expect(
                transcript(try await take(2, from: &events)) == ["ADDED pods/default/b@2", "ADDED pods/default/c@3"])
            _ = try await store.update(pod("a"), value: bytes("x"), labels: [:], expectedRevision: 1)
            #expect(transcript(try await take(1, from: &events)) == ["MODIFIED pods/default/a@4"])
            _ = try await store.create(pod("d"), value: [], labels: [:])
            #expect(transcript(try await take(1, from: &events)) == ["ADDED pods/default/d@5"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func watchStartedDuringWritesHasNoGapOrDuplicate(kind: StoreKind) async throws {
        // A writer makes 200 revisions; a watch opened after 50 exist, from revision 20, sees exactly 21...200.
        try await withStore(kind) { store in
            let writer = Task {
                for index in 1...200 { _ = try await store.create(pod("p\(index)"), value: [], labels: [:]) }
            }
            while try await store.currentRevision() < 50 { await Task.yield() }
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 20).makeAsyncIterator()
            let seen = try await take(180, from: &events).map(\.revision)
            try await writer.value
            #expect(seen == Array(21...200))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func watchFiltersByKindAndNamespace(kind: StoreKind) async throws {
        // Changes to pods in prod and dev, and to a node: a pods/prod watch sees only prod pods, in replay and live.
        try await withStore(kind) { store in
            _ = try await store.create(pod("a", namespace: "prod"), value: [], labels: [:])  // 1
            _ = try await store.create(pod("a", namespace: "dev"), value: [], labels: [:])  // 2
            _ = try await store.create(ObjectKey(kind: "nodes", name: "prod"), value: [], labels: [:])  // 3
            var prodPods = try await store.watch(kind: "pods", namespace: "prod", afterRevision: 0).makeAsyncIterator()
            var nodes = try await store.watch(kind: "nodes", namespace: nil, afterRevision: 0).makeAsyncIterator()
            #expect(transcript(try await take(1, from: &prodPods)) == ["ADDED pods/prod/a@1"])
            _ = try await store.delete(pod("a", namespace: "dev"), expectedRevision: nil)  // 4
            _ = try await store.create(pod("b", namespace: "prod"), value: [], labels: [:])  // 5
            _ = try await store.create(ObjectKey(kind: "nodes", name: "n2"), value: [], labels: [:])  // 6
            #expect(transcript(try await take(1, from: &prodPods)) == ["ADDED pods/prod/b@5"])
            #expect(transcript(try await take(2, from: &nodes)) == ["ADDED nodes/prod@3", "ADDED nodes/n2@6"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func watchFromCompactedRevisionFails(kind: StoreKind) async throws {
        // Five writes, compacted up to 3: watching after 2 or 1 is .compacted (oldest kept 4); after 3 replays 4 and 5.
        try await withStore(kind) { store in
            for name in ["a", "b", "c", "d", "e"] { _ = try await store.create(pod(name), value: [], labels: [:]) }
            try await store.compact(upTo: 3)
            await #expect(throws: StoreError.compacted(requested: 2, oldest: 4)) {
                try await store.watch(kind: nil, namespace: nil, afterRevision: 2)
            }
            await #expect(throws: StoreError.compacted(requested: 1, oldest: 4)) {
                try await store.watch(kind: "pods", namespace: nil, afterRevision: 1)
            }
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 3).makeAsyncIterator()
            #expect(try await take(2, from: &events).map(\.revision) == [4, 5])
            #expect(
                try await store.list(kind: "pods", namespace: nil, namePrefix: "", selector: .everything).objects.count
                    == 5)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func historyIsBoundedAutomatically(kind: StoreKind) async throws {
        // With a history of 3, after 5 writes only 3-5 are kept: after 1 is .compacted (oldest 3), after 2 replays 3-5.
        try await withStore(kind, historyLimit: 3) { store in
            for name in ["a", "b", "c", "d", "e"] { _ = try await store.create(pod(name), value: [], labels: [:]) }
            await #expect(throws: StoreError.compacted(requested: 1, oldest: 3)) {
                try await store.watch(kind: nil, namespace: nil, afterRevision: 1)
            }
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 2).makeAsyncIterator()
            #expect(try await take(3, from: &events).map(\.revision) == [3, 4, 5])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func slowWatcherIsEndedWithCompacted(kind: StoreKind) async throws {
        // A buffer of 2 and a watcher that reads nothing: the third change does not fit, so the stream yields the two
        // buffered events and then fails with .compacted, telling the client to list again.
        try await withStore(kind, watchBufferLimit: 2) { store in
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 0).makeAsyncIterator()
            for name in ["a", "b", "c"] { _ = try await store.create(pod(name), value: [], labels: [:]) }
            #expect(watcherCount(store) == 0)
            #expect(try await take(2, from: &events).map(\.revision) == [1, 2])
            await #expect(throws: StoreError.compacted(requested: 2, oldest: 3)) { _ = try await events.next() }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func watchersAreRemovedWhenTheyStop(kind: StoreKind) async throws {
        // One watcher's task is cancelled, another consumer drops its stream: both unregister at once.
        try await withStore(kind) { store in
            let first = try await store.watch(kind: nil, namespace: nil, afterRevision: 0)
            var second: AsyncThrowingStream<WatchEvent, any Error>? = try await store.watch(
                kind: "pods", namespace: nil, afterRevision: 0)
            #expect(watcherCount(store) == 2)
            let consumer = Task { for try await _ in first {} }
            consumer.cancel()
            _ = await consumer.result
            second = nil
            #expect(second == nil && watcherCount(store) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func closingEndsWatchesAndRefusesCalls(kind: StoreKind) async throws {
        // Closing the store fails open watches and every later call with .closed.
        try await withStore(kind) { store in
            var events = try await store.watch(kind: nil, namespace: nil, afterRevision: 0).makeAsyncIterator()
            try close(store)
            await #expect(throws: StoreError.closed) { _ = try await events.next() }
            await #expect(throws: StoreError.closed) { try await store.currentRevision() }
            await #expect(throws: StoreError.closed) { try await store.create(pod("a"), value: [], labels: [:]) }
        }
    }
}
