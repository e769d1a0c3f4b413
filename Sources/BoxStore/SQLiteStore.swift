public import BoxCore
import Foundation
import GRDB
import Synchronization

/// The embedded ``ObjectStore``: one SQLite file in WAL mode, reached through GRDB.
///
/// Each write is one transaction that takes the next revision from `meta`, appends to `log` and updates `objects`,
/// so revisions are global, monotonic and survive restarts. The log keeps at most `historyLimit` changes; older ones
/// are compacted in the same transaction.
///
/// Durability: WAL with `synchronous=NORMAL`. A committed transaction is in the WAL file before the commit returns,
/// so a process crash or `kill -9` never loses it; only a power loss or OS crash can roll back the last few commits
/// (never corrupting the file).
///
/// Ordering: writes and watch registrations both run on GRDB's single writer queue, and a commit is published to
/// watchers on that queue right after it commits, so a new watcher's replay and its live events meet with no gap
/// and no duplicate. Reads run on GRDB's reader pool and see a consistent snapshot. No SQLite work happens on the
/// caller's thread, so calling from a NIO event loop through `async` is safe.
public final class SQLiteStore: ObjectStore {
    let pool: DatabasePool
    let hub: WatchHub
    let historyLimit: Int
    private let closed = Atomic<Bool>(false)

    /// Opens (creating if needed) the database at `path`.
    /// - Parameters:
    ///   - historyLimit: the most changes kept in the log for watch replay; older ones are compacted automatically.
    ///   - watchBufferLimit: the most undelivered events a watcher may hold before it is ended with `.compacted`.
    public init(
        path: String, historyLimit: Int = defaultStoreHistoryLimit, watchBufferLimit: Int = defaultStoreHistoryLimit
    ) throws(StoreError) {
        precondition(historyLimit > 0, "the log must keep at least one change")
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // GRDB already opens pools in WAL mode; state the durability level explicitly (see the type's comment).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Reads through a memory map (up to 256 MiB of the file) instead of one pread per page: a list of
            // 10,000 pods reads 20 MB of rows and their overflow pages.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator().migrate(pool)
        } catch {
            throw .storage("cannot open \(path): \(error)")
        }
        self.historyLimit = historyLimit
        hub = WatchHub(bufferLimit: watchBufferLimit)
    }

    /// Ends every watch with `.closed`, waits for running accesses and closes the file; later calls throw `.closed`.
    /// Blocks until GRDB's queues are idle.
    public func close() throws(StoreError) {
        if closed.exchange(true, ordering: .acquiringAndReleasing) { return }
        hub.close()
        do { try pool.close() } catch { throw .storage("cannot close the database: \(error)") }
    }

    /// The number of open watch streams (for metrics and tests).
    public var watcherCount: Int { hub.count }

    // MARK: - Reads

    public func currentRevision() async throws(StoreError) -> Int64 {
        try await access { try await self.pool.read { db in try Self.meta("revision", db) } }
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try await access {
            try await self.pool.read { db in
                guard let object = try Self.fetchObject(key, db) else { throw StoreError.notFound(key) }
                return object
            }
        }
    }

    public func list(
        kind: String, namespace: String?, namePrefix: String, selector: LabelSelector
    ) async throws(StoreError) -> (objects: [StoredObject], revision: Int64) {
        try ObjectKey.validate(kind, part: "kind", allowEmpty: false)
        if let namespace { try ObjectKey.validate(namespace, part: "namespace", allowEmpty: true) }
        try ObjectKey.validate(namePrefix, part: "name prefix", allowEmpty: true)
        let (objects, revision) = try await access {
            try await self.pool.read { db in
                (
                    try Self.fetchObjects(kind: kind, namespace: namespace, namePrefix: namePrefix, db),
                    try Self.meta("revision", db)
                )
            }
        }
        return (objects.filter { selector.matches($0.labels) }, revision)
    }

    // MARK: - Writes

    public func create(_ key: ObjectKey, value: [UInt8], labels: Labels) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try await commit { db, revision in
            if try Self.fetchObject(key, db) != nil { throw StoreError.alreadyExists(key) }
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: revision)
            try Self.save(object, db)
            return WatchEvent(type: .added, object: object)
        }.object
    }

    public func update(
        _ key: ObjectKey, value: [UInt8], labels: Labels, expectedRevision: Int64?
    ) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try await commit { db, revision in
            let created = try Self.currentCreateRevision(key, expectedRevision: expectedRevision, db)
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: created)
            try Self.save(object, db)
            return WatchEvent(type: .modified, object: object)
        }.object
    }

    public func delete(_ key: ObjectKey, expectedRevision: Int64?) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try await commit { db, revision in
            var object = try Self.current(key, expectedRevision: expectedRevision, db)
            object.revision = revision
            try Self.remove(key, db)
            return WatchEvent(type: .deleted, object: object)
        }.object
    }

    // MARK: - Watch and compaction

    public func watch(
        kind: String?, namespace: String?, afterRevision: Int64
    ) async throws(StoreError) -> AsyncThrowingStream<WatchEvent, any Error> {
        let filter = WatchFilter(kind: kind, namespace: namespace, afterRevision: afterRevision)
        try filter.validate()
        // On the writer queue, so no commit lands between the replay and the registration.
        return try await access {
            try await self.pool.writeWithoutTransaction { db in
                let compacted = try Self.meta("compacted", db)
                if afterRevision < compacted {
                    throw StoreError.compacted(requested: afterRevision, oldest: compacted + 1)
                }
                return try self.hub.register(filter, replay: try Self.fetchLog(filter, db))
            }
        }
    }

    public func compact(upTo revision: Int64) async throws(StoreError) {
        try await access {
            try await self.pool.write { db in
                try Self.compactLog(upTo: min(revision, try Self.meta("revision", db)), db)
            }
        }
    }

    // MARK: - Helpers

    /// Runs one write at the next revision in its own transaction, then publishes it from the writer queue. If
    /// `change` throws, the transaction rolls back and the revision is not used.
    private func commit(
        _ change: @escaping @Sendable (Database, Int64) throws -> WatchEvent
    ) async throws(StoreError) -> WatchEvent {
        let historyLimit = Int64(historyLimit)
        return try await access {
            try await self.pool.writeWithoutTransaction { db in
                var committed: WatchEvent?
                try db.inTransaction(.immediate) {
                    let revision = try Self.meta("revision", db) + 1
                    let event = try change(db, revision)
                    try Self.appendLog(event, db)
                    try Self.setMeta("revision", revision, db)
                    if revision - historyLimit > 0 { try Self.compactLog(upTo: revision - historyLimit, db) }
                    committed = event
                    return .commit
                }
                guard let committed else { preconditionFailure("a committed transaction always yields its event") }
                self.hub.publish([committed])
                return committed
            }
        }
    }

    static func current(_ key: ObjectKey, expectedRevision: Int64?, _ db: Database) throws -> StoredObject {
        guard let object = try fetchObject(key, db) else { throw StoreError.notFound(key) }
        if let expectedRevision, expectedRevision != object.revision {
            throw StoreError.conflict(key, expected: expectedRevision, current: object.revision)
        }
        return object
    }

    /// The create revision of the object at `key`, after the same checks as `current` (an update replaces the rest,
    /// so neither the value nor the labels are read).
    static func currentCreateRevision(_ key: ObjectKey, expectedRevision: Int64?, _ db: Database) throws -> Int64 {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT revision, create_revision FROM objects WHERE kind = ? AND namespace = ? AND name = ?",
                arguments: [key.kind, key.namespace, key.name])
        else { throw StoreError.notFound(key) }
        let revision: Int64 = row[0]
        if let expectedRevision, expectedRevision != revision {
            throw StoreError.conflict(key, expected: expectedRevision, current: revision)
        }
        return row[1]
    }

    /// Runs a GRDB access, passing `StoreError`s through and wrapping every other failure in `.storage`.
    func access<T: Sendable>(_ body: () async throws -> T) async throws(StoreError) -> T {
        if closed.load(ordering: .acquiring) { throw .closed }
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            if closed.load(ordering: .acquiring) { throw .closed }
            throw .storage(String(describing: error))
        }
    }
}
