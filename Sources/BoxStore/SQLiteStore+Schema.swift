import Foundation
import GRDB

/// The SQLite schema and the row-level helpers every write and read shares. All of these run inside a GRDB access
/// (on GRDB's own queues), never on a NIO event loop.
///
/// - `objects`: the current object per key.
/// - `log`: one row per revision (contiguous from `compacted + 1`); what watchers replay.
/// - `meta`: `revision` (the newest revision, kept even when the log is compacted or the object deleted) and
///   `compacted` (every log row at or below it is gone).
extension SQLiteStore {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE objects (
                        kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                        value BLOB NOT NULL, labels TEXT NOT NULL,
                        revision INTEGER NOT NULL, create_revision INTEGER NOT NULL,
                        PRIMARY KEY (kind, namespace, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE log (
                        revision INTEGER PRIMARY KEY, type TEXT NOT NULL,
                        kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
                        value BLOB NOT NULL, labels TEXT NOT NULL, create_revision INTEGER NOT NULL
                    );
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO meta (key, value) VALUES ('revision', 0), ('compacted', 0);
                    """)
        }
        return migrator
    }

    // MARK: - Meta

    static func meta(_ key: String, _ db: Database) throws -> Int64 {
        guard let value = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) else {
            throw StoreError.storage("meta row '\(key)' is missing")
        }
        return value
    }

    static func setMeta(_ key: String, _ value: Int64, _ db: Database) throws {
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = ?", arguments: [value, key])
    }

    // MARK: - Objects

    static func fetchObject(_ key: ObjectKey, _ db: Database) throws -> StoredObject? {
        let row = try Row.fetchOne(
            db, sql: "SELECT * FROM objects WHERE kind = ? AND namespace = ? AND name = ?",
            arguments: [key.kind, key.namespace, key.name])
        return try row.map(object(from:))
    }

    static func save(_ object: StoredObject, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO objects (kind, namespace, name, value, labels, revision, create_revision)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                object.key.kind, object.key.namespace, object.key.name, Data(object.value),
                try encodeLabels(object.labels), object.revision, object.createRevision,
            ])
    }

    static func remove(_ key: ObjectKey, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?",
            arguments: [key.kind, key.namespace, key.name])
    }

    /// Objects of a kind, optionally one namespace, whose name starts with `namePrefix`, sorted by key.
    static func fetchObjects(kind: String, namespace: String?, namePrefix: String, _ db: Database) throws
        -> [StoredObject]
    {
        var sql = "SELECT namespace, name, value, labels, revision, create_revision FROM objects WHERE kind = ?"
        var arguments: StatementArguments = [kind]
        if let namespace {
            sql += " AND namespace = ?"
            arguments += [namespace]
        }
        if !namePrefix.isEmpty {
            // Keys are ASCII, so SQLite's character count equals the UTF-8 count.
            sql += " AND substr(name, 1, ?) = ?"
            arguments += [namePrefix.utf8.count, namePrefix]
        }
        sql += " ORDER BY kind, namespace, name"
        // A cursor reuses one row, and columns are read by position with the value copied once: a list of 10,000
        // pods reads 20 MB here.
        var objects: [StoredObject] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let value = try row.withUnsafeData(atIndex: 2) { data in data.map { [UInt8]($0) } ?? [] }
            objects.append(
                StoredObject(
                    key: ObjectKey(kind: kind, namespace: row[0], name: row[1]), value: value,
                    labels: try decodeLabels(row[3]), revision: row[4], createRevision: row[5]))
        }
        return objects
    }

    static func object(from row: Row) throws -> StoredObject {
        let data: Data = row["value"] ?? Data()
        return StoredObject(
            key: ObjectKey(kind: row["kind"], namespace: row["namespace"], name: row["name"]),
            value: [UInt8](data), labels: try decodeLabels(row["labels"]),
            revision: row["revision"], createRevision: row["create_revision"])
    }

    // MARK: - Log

    static func appendLog(_ event: WatchEvent, _ db: Database) throws {
        let object = event.object
        try db.execute(
            sql: """
                INSERT INTO log (revision, type, kind, namespace, name, value, labels, create_revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.revision, event.type.rawValue, object.key.kind, object.key.namespace, object.key.name,
                Data(object.value), try encodeLabels(object.labels), object.createRevision,
            ])
    }

    /// Logged changes with revision > `afterRevision` matching the filter, oldest first.
    static func fetchLog(_ filter: WatchFilter, _ db: Database) throws -> [WatchEvent] {
        var sql = "SELECT * FROM log WHERE revision > ?"
        var arguments: StatementArguments = [filter.afterRevision]
        if let kind = filter.kind {
            sql += " AND kind = ?"
            arguments += [kind]
        }
        if let namespace = filter.namespace {
            sql += " AND namespace = ?"
            arguments += [namespace]
        }
        sql += " ORDER BY revision"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            let text: String = row["type"]
            guard let type = WatchEventType(rawValue: text) else {
                throw StoreError.storage("log row \(row["revision"] as Int64) has unknown type '\(text)'")
            }
            return WatchEvent(type: type, object: try object(from: row))
        }
    }

    /// Drops log rows at or below `revision` and records it as the compacted revision (never moving it back).
    static func compactLog(upTo revision: Int64, _ db: Database) throws {
        guard revision > (try meta("compacted", db)) else { return }
        try db.execute(sql: "DELETE FROM log WHERE revision <= ?", arguments: [revision])
        try setMeta("compacted", revision, db)
    }

    // MARK: - Labels

    static func encodeLabels(_ labels: [String: String]) throws -> String { LabelsText.encode(labels) }

    static func decodeLabels(_ text: String) throws -> [String: String] { try LabelsText.decode(text) }
}
