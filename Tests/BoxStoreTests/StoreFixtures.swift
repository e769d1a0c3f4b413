import BoxCore
import BoxStore
import Foundation
import Testing

/// The implementations the contract suites run against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case sqlite

    var testDescription: String { rawValue }
}

/// Runs `body` against a fresh store of `kind`; a SQLite store lives in a temporary directory removed afterwards.
func withStore(
    _ kind: StoreKind, historyLimit: Int = defaultStoreHistoryLimit, watchBufferLimit: Int = defaultStoreHistoryLimit,
    _ body: (any ObjectStore) async throws -> Void
) async throws {
    switch kind {
    case .inMemory:
        let store = InMemoryStore(historyLimit: historyLimit, watchBufferLimit: watchBufferLimit)
        defer { store.close() }
        try await body(store)
    case .sqlite:
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(
                path: directory + "/store.sqlite", historyLimit: historyLimit, watchBufferLimit: watchBufferLimit)
            defer { try? store.close() }
            try await body(store)
        }
    }
}

/// Runs `body` with the path of a new empty directory, removed afterwards.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("boxstore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url.path)
}

func pod(_ name: String, namespace: String = "default") -> ObjectKey {
    ObjectKey(kind: "pods", namespace: namespace, name: name)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The next `count` events of a watch.
func take(
    _ count: Int, from iterator: inout AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator
) async throws -> [WatchEvent] {
    var events: [WatchEvent] = []
    while events.count < count, let event = try await iterator.next() { events.append(event) }
    return events
}

/// A compact transcript of events: `ADDED pods/default/a@1`.
func transcript(_ events: [WatchEvent]) -> [String] {
    events.map { "\($0.type.rawValue) \($0.object.key)@\($0.revision)" }
}

/// The open watch streams of either implementation.
func watcherCount(_ store: any ObjectStore) -> Int {
    switch store {
    case let store as InMemoryStore: store.watcherCount
    case let store as SQLiteStore: store.watcherCount
    default: preconditionFailure("unknown store \(type(of: store))")
    }
}

/// Closes either implementation.
func close(_ store: any ObjectStore) throws {
    switch store {
    case let store as InMemoryStore: store.close()
    case let store as SQLiteStore: try store.close()
    default: preconditionFailure("unknown store \(type(of: store))")
    }
}
