import Foundation
import GRDB

/// Batches: many reads in one read transaction, many writes in one write transaction (one commit instead of one
/// per write, which is what a write costs most).
extension SQLiteStore {
    public func get(_ keys: [ObjectKey]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        let checked: [Result<ObjectKey, StoreError>] = keys.map { key in
            do throws(StoreError) {
                try key.validate()
                return .success(key)
            } catch { return .failure(error) }
        }
        if keys.isEmpty { return [] }
        return try await access {
            try await self.pool.read { db in
                try checked.map { entry -> Result<StoredObject, StoreError> in
                    switch entry {
                    case .failure(let error): return .failure(error)
                    case .success(let key):
                        guard let object = try Self.fetchObject(key, db) else { return .failure(.notFound(key)) }
                        return .success(object)
                    }
                }
            }
        }
    }

    public func write(_ writes: [StoreWrite]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        if writes.isEmpty { return [] }
        let historyLimit = Int64(historyLimit)
        return try await access {
            try await self.pool.writeWithoutTransaction { db in
                var results: [Result<StoredObject, StoreError>] = []
                var committed: [WatchEvent] = []
                try db.inTransaction(.immediate) {
                    results = []
                    committed = []
                    var revision = try Self.meta("revision", db)
                    for write in writes {
                        do {
                            try write.key.validate()
                            let event = try Self.apply(write, at: revision + 1, db)
                            try Self.appendLog(event, db)
                            revision += 1
                            committed.append(event)
                            results.append(.success(event.object))
                        } catch let error as StoreError {
                            switch error {
                            case .closed, .storage: throw error
                            default: results.append(.failure(error))
                            }
                        }
                    }
                    if !committed.isEmpty {
                        try Self.setMeta("revision", revision, db)
                        if revision - historyLimit > 0 { try Self.compactLog(upTo: revision - historyLimit, db) }
                    }
                    return .commit
                }
                if !committed.isEmpty { self.hub.publish(committed) }
                return results
            }
        }
    }

    /// One write of a batch at `revision`: its check (which throws a `StoreError` before anything is written) and
    /// its row change; the change as a watch event.
    private static func apply(_ write: StoreWrite, at revision: Int64, _ db: Database) throws -> WatchEvent {
        switch write {
        case .create(let key, let value, let labels):
            if try fetchObject(key, db) != nil { throw StoreError.alreadyExists(key) }
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: revision)
            try save(object, db)
            return WatchEvent(type: .added, object: object)
        case .update(let key, let value, let labels, let expected):
            let created = try currentCreateRevision(key, expectedRevision: expected, db)
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: created)
            try save(object, db)
            return WatchEvent(type: .modified, object: object)
        case .delete(let key, let expected):
            var object = try current(key, expectedRevision: expected, db)
            object.revision = revision
            try remove(key, db)
            return WatchEvent(type: .deleted, object: object)
        }
    }
}
