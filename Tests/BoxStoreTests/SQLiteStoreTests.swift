import BoxCore
import BoxStore
import Testing

/// What only the SQLite store promises: durability across reopening, and a bounded log on disk.
@Suite(.timeLimit(.minutes(5)))
struct SQLiteStoreTests {
    @Test func dataAndRevisionSurviveReopening() async throws {
        // Three writes (create a@1, create b@2, delete b@3), close, reopen: a is there, revision is 3, the log replays
        // all three, and the next write gets revision 4.
        try await withTemporaryDirectory { directory in
            let path = directory + "/store.sqlite"
            let first = try SQLiteStore(path: path)
            _ = try await first.create(pod("a"), value: bytes("{\"x\":1}"), labels: ["app": "web"])
            _ = try await first.create(pod("b"), value: [], labels: [:])
            _ = try await first.delete(pod("b"), expectedRevision: 2)
            try first.close()

            let second = try SQLiteStore(path: path)
            defer { try? second.close() }
            #expect(try await second.currentRevision() == 3)
            #expect(
                try await second.get(pod("a"))
                    == StoredObject(
                        key: pod("a"), value: bytes("{\"x\":1}"), labels: ["app": "web"], revision: 1, createRevision: 1
                    ))
            var events = try await second.watch(kind: nil, namespace: nil, afterRevision: 0).makeAsyncIterator()
            #expect(
                transcript(try await take(3, from: &events)) == [
                    "ADDED pods/default/a@1", "ADDED pods/default/b@2", "DELETED pods/default/b@3",
                ])
            #expect(try await second.update(pod("a"), value: [], labels: [:], expectedRevision: 1).revision == 4)
            #expect(transcript(try await take(1, from: &events)) == ["MODIFIED pods/default/a@4"])
        }
    }

    @Test func logBoundHoldsAcrossReopening() async throws {
        // A log of 10 and 25 writes keeps revisions 16-25 (compacted 15), also after reopening; revision
        // continues at 26 even though every older log row is gone.
        try await withTemporaryDirectory { directory in
            let path = directory + "/store.sqlite"
            let first = try SQLiteStore(path: path, historyLimit: 10)
            for index in 1...25 { _ = try await first.create(pod("p\(index)"), value: [], labels: [:]) }
            try first.close()

            let second = try SQLiteStore(path: path, historyLimit: 10)
            defer { try? second.close() }
            await #expect(throws: StoreError.compacted(requested: 14, oldest: 16)) {
                try await second.watch(kind: nil, namespace: nil, afterRevision: 14)
            }
            var events = try await second.watch(kind: nil, namespace: nil, afterRevision: 15).makeAsyncIterator()
            #expect(try await take(10, from: &events).map(\.revision) == Array(16...25))
            #expect(try await second.create(pod("next"), value: [], labels: [:]).revision == 26)
            #expect(try await take(1, from: &events).map(\.revision) == [26])
        }
    }

    @Test func compactingEverythingKeepsTheRevision() async throws {
        // Compacting past the newest revision (3) compacts up to 3; the store stays at 3 and the next write is 4.
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory + "/store.sqlite")
            defer { try? store.close() }
            for name in ["a", "b", "c"] { _ = try await store.create(pod(name), value: [], labels: [:]) }
            try await store.compact(upTo: 100)
            #expect(try await store.currentRevision() == 3)
            await #expect(throws: StoreError.compacted(requested: 2, oldest: 4)) {
                try await store.watch(kind: nil, namespace: nil, afterRevision: 2)
            }
            #expect(try await store.create(pod("d"), value: [], labels: [:]).revision == 4)
        }
    }

    @Test func unopenablePathFailsWithStorageError() {
        // A database under a missing directory cannot be created; the error says so rather than crashing.
        #expect {
            _ = try SQLiteStore(path: "/nonexistent-boxstore-dir/sub/store.sqlite")
        } throws: { error in
            guard case .storage(let message) = error as? StoreError else { return false }
            return message.contains("cannot open")
        }
    }
}
