public import BoxCore
import Synchronization

/// An ``ObjectStore`` held in memory, for tests and simulations.
///
/// One mutex guards the objects, the revision and the bounded history, and commits publish to watchers while
/// holding it, so watch registration and commits are totally ordered.
public final class InMemoryStore: ObjectStore {
    struct State {
        var revision: Int64 = 0
        var objects: [ObjectKey: StoredObject] = [:]
        var history = EventHistory()
        var closed = false
    }

    let state = Mutex(State())
    let hub: WatchHub
    let historyLimit: Int

    /// - Parameters:
    ///   - historyLimit: the most changes kept for watch replay; older ones are compacted automatically.
    ///   - watchBufferLimit: the most undelivered events a watcher may hold before it is ended with `.compacted`.
    public init(historyLimit: Int = defaultStoreHistoryLimit, watchBufferLimit: Int = defaultStoreHistoryLimit) {
        precondition(historyLimit > 0, "the history must keep at least one change")
        self.historyLimit = historyLimit
        hub = WatchHub(bufferLimit: watchBufferLimit)
    }

    /// Ends every watch with `.closed`; later calls throw `.closed`.
    public func close() {
        state.withLock { $0.closed = true }
        hub.close()
    }

    /// The number of open watch streams (for metrics and tests).
    public var watcherCount: Int { hub.count }

    // MARK: - Reads

    public func currentRevision() async throws(StoreError) -> Int64 {
        try withOpenState { $0.revision }
    }

    public func get(_ key: ObjectKey) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try withOpenState { state throws(StoreError) in
            guard let object = state.objects[key] else { throw .notFound(key) }
            return object
        }
    }

    public func list(
        kind: String, namespace: String?, namePrefix: String, selector: LabelSelector
    ) async throws(StoreError) -> (objects: [StoredObject], revision: Int64) {
        try ObjectKey.validate(kind, part: "kind", allowEmpty: false)
        if let namespace { try ObjectKey.validate(namespace, part: "namespace", allowEmpty: true) }
        try ObjectKey.validate(namePrefix, part: "name prefix", allowEmpty: true)
        let (candidates, revision) = try withOpenState { state in
            let objects = state.objects.values.filter { object in
                object.key.kind == kind && (namespace == nil || object.key.namespace == namespace)
                    && object.key.name.hasPrefix(namePrefix)
            }
            return (objects, state.revision)
        }
        let objects = candidates.filter { selector.matches($0.labels) }.sorted { $0.key < $1.key }
        return (objects, revision)
    }

    // MARK: - Writes

    public func create(_ key: ObjectKey, value: [UInt8], labels: Labels) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try commit { state, revision throws(StoreError) in
            if state.objects[key] != nil { throw .alreadyExists(key) }
            let object = StoredObject(
                key: key, value: value, labels: labels, revision: revision, createRevision: revision)
            state.objects[key] = object
            return WatchEvent(type: .added, object: object)
        }.object
    }

    public func update(
        _ key: ObjectKey, value: [UInt8], labels: Labels, expectedRevision: Int64?
    ) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try commit { state, revision throws(StoreError) in
            var object = try Self.current(key, in: state, expectedRevision: expectedRevision)
            object.value = value
            object.labels = labels
            object.revision = revision
            state.objects[key] = object
            return WatchEvent(type: .modified, object: object)
        }.object
    }

    public func delete(_ key: ObjectKey, expectedRevision: Int64?) async throws(StoreError) -> StoredObject {
        try key.validate()
        return try commit { state, revision throws(StoreError) in
            var object = try Self.current(key, in: state, expectedRevision: expectedRevision)
            object.revision = revision
            state.objects[key] = nil
            return WatchEvent(type: .deleted, object: object)
        }.object
    }

    // MARK: - Watch and compaction

    public func watch(
        kind: String?, namespace: String?, afterRevision: Int64
    ) async throws(StoreError) -> AsyncThrowingStream<WatchEvent, any Error> {
        let filter = WatchFilter(kind: kind, namespace: namespace, afterRevision: afterRevision)
        try filter.validate()
        return try withOpenState { state throws(StoreError) in
            let replay = try state.history.events(after: afterRevision).filter(filter.matches)
            return try hub.register(filter, replay: replay)
        }
    }

    public func compact(upTo revision: Int64) async throws(StoreError) {
        try withOpenState { state in state.history.compact(upTo: min(revision, state.revision)) }
    }

    // MARK: - Helpers

    func withOpenState<T>(_ body: (inout State) throws(StoreError) -> T) throws(StoreError) -> T {
        try state.withLock { state throws(StoreError) in
            if state.closed { throw .closed }
            return try body(&state)
        }
    }

    /// Runs one write at the next revision; if `change` throws, nothing changes and the revision is not used.
    private func commit(
        _ change: (inout State, Int64) throws(StoreError) -> WatchEvent
    ) throws(StoreError) -> WatchEvent {
        try withOpenState { state throws(StoreError) in
            let revision = state.revision + 1
            let event = try change(&state, revision)
            state.revision = revision
            state.history.append(event)
            if state.history.count > historyLimit {
                state.history.compact(upTo: revision - Int64(historyLimit))
            }
            hub.publish([event])
            return event
        }
    }

    static func current(
        _ key: ObjectKey, in state: State, expectedRevision: Int64?
    ) throws(StoreError) -> StoredObject {
        guard let object = state.objects[key] else { throw .notFound(key) }
        if let expectedRevision, expectedRevision != object.revision {
            throw .conflict(key, expected: expectedRevision, current: object.revision)
        }
        return object
    }
}
