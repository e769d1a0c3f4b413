import BoxCore
import Foundation
public import Logging

/// One kind of record kept as JSON, for a host whose memory holds the truth and the store a copy that outlives
/// the process (a framework's jobs, apps, tasks). A failed write or delete is logged, not thrown: the next change
/// writes the record again. A record that no longer decodes is logged and skipped when loading.
public struct JSONRecords<Value: Codable & Sendable>: Sendable {
    public let kind: String
    private let store: any ObjectStore
    private let logger: Logger

    public init(kind: String, store: any ObjectStore, logger: Logger) {
        self.kind = kind
        self.store = store
        self.logger = logger
    }

    public func put(_ value: Value, name: String) async {
        guard let data = try? JSONEncoder().encode(value) else { return }
        do {
            try await store.put(ObjectKey(kind: kind, name: name), value: Array(data))
        } catch {
            logger.warning("Could not store \(kind) \(name): \(error)")
        }
    }

    public func remove(_ name: String) async {
        do {
            _ = try await store.delete(ObjectKey(kind: kind, name: name), expectedRevision: nil)
        } catch .notFound {
        } catch {
            logger.warning("Could not delete \(kind) \(name): \(error)")
        }
    }

    public func loadAll() async -> [Value] {
        let objects: [StoredObject]
        do {
            (objects, _) = try await store.list(kind: kind, namespace: "", namePrefix: "", selector: .everything)
        } catch {
            logger.warning("Could not read \(kind): \(error)")
            return []
        }
        let decoder = JSONDecoder()
        return objects.compactMap { object in
            do {
                return try decoder.decode(Value.self, from: Data(object.value))
            } catch {
                logger.warning("Ignoring stored \(kind) \(object.key.name) that cannot be read: \(error)")
                return nil
            }
        }
    }
}
