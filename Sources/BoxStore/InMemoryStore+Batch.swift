/// Batches, under the one mutex: all reads at one revision, all writes published together.
extension InMemoryStore {
    public func get(_ keys: [ObjectKey]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        try withOpenState { state in
            keys.map { key in
                do throws(StoreError) {
                    try key.validate()
                    guard let object = state.objects[key] else { throw .notFound(key) }
                    return .success(object)
                } catch { return .failure(error) }
            }
        }
    }

    public func write(_ writes: [StoreWrite]) async throws(StoreError) -> [Result<StoredObject, StoreError>] {
        try withOpenState { state in
            var results: [Result<StoredObject, StoreError>] = []
            var committed: [WatchEvent] = []
            for write in writes {
                do throws(StoreError) {
                    try write.key.validate()
                    let event = try Self.apply(write, at: state.revision + 1, &state)
                    state.revision += 1
                    state.history.append(event)
                    committed.append(event)
                    results.append(.success(event.object))
                } catch { results.append(.failure(error)) }
            }
            if state.history.count > historyLimit {
                state.history.compact(upTo: state.revision - Int64(historyLimit))
            }
            if !committed.isEmpty { hub.publish(committed) }
            return results
        }
    }

    /// One write of a batch at `revision`: its check (throwing before anything changes), then the change.
    private static func apply(_ write: StoreWrite, at revision: Int64, _ state: inout State) throws(StoreError)
        -> WatchEvent
    {
        switch write {
        case .create(let key, let value, let labels):
            if state.objects[key] != nil { throw .alreadyExists(key) }
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: revision)
            state.objects[key] = object
            return WatchEvent(type: .added, object: object)
        case .update(let key, let value, let labels, let expected):
            var object = try current(key, in: state, expectedRevision: expected)
            object.value = value
            object.labels = labels
            object.revision = revision
            state.objects[key] = object
            return WatchEvent(type: .modified, object: object)
        case .delete(let key, let expected):
            var object = try current(key, in: state, expectedRevision: expected)
            object.revision = revision
            state.objects[key] = nil
            return WatchEvent(type: .deleted, object: object)
        }
    }
}
