public import BoxCore

/// One write of a batch (``ObjectStore/write(_:)``): the same three writes as the single calls, with the same
/// checks.
public enum StoreWrite: Hashable, Sendable {
    /// As ``ObjectStore/create(_:value:labels:)``: `.alreadyExists` if the key is taken.
    case create(ObjectKey, value: [UInt8], labels: Labels)
    /// As ``ObjectStore/update(_:value:labels:expectedRevision:)``: compare-and-swap when `expectedRevision` is set.
    case update(ObjectKey, value: [UInt8], labels: Labels, expectedRevision: Int64?)
    /// As ``ObjectStore/delete(_:expectedRevision:)``.
    case delete(ObjectKey, expectedRevision: Int64?)

    /// The key written.
    public var key: ObjectKey {
        switch self {
        case .create(let key, _, _), .update(let key, _, _, _), .delete(let key, _): key
        }
    }
}

extension ObjectStore {
    /// The default batch read: one `get` per key, in order. Stores override it with one read.
    public func get(_ keys: [ObjectKey]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        var results: [Result<StoredObject, StoreError>] = []
        results.reserveCapacity(keys.count)
        for key in keys {
            do {
                results.append(.success(try await get(key)))
            } catch .closed {
                throw .closed
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// The default batch write: one call per write, in order. Stores override it with one transaction.
    public func write(_ writes: [StoreWrite]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        var results: [Result<StoredObject, StoreError>] = []
        results.reserveCapacity(writes.count)
        for write in writes {
            do {
                switch write {
                case .create(let key, let value, let labels):
                    results.append(.success(try await create(key, value: value, labels: labels)))
                case .update(let key, let value, let labels, let expected):
                    results.append(
                        .success(try await update(key, value: value, labels: labels, expectedRevision: expected)))
                case .delete(let key, let expected):
                    results.append(.success(try await delete(key, expectedRevision: expected)))
                }
            } catch .closed {
                throw .closed
            } catch .storage(let message) {
                throw .storage(message)
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}
