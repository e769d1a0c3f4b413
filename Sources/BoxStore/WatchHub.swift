import Synchronization

/// Which changes one watcher wants.
struct WatchFilter: Sendable {
    var kind: String?
    var namespace: String?
    var afterRevision: Int64

    func matches(_ event: WatchEvent) -> Bool {
        event.revision > afterRevision
            && (kind == nil || kind == event.object.key.kind)
            && (namespace == nil || namespace == event.object.key.namespace)
    }

    /// Validates the filter parts as key parts (the namespace may be `""`, meaning cluster-scoped).
    func validate() throws(StoreError) {
        if let kind { try ObjectKey.validate(kind, part: "kind", allowEmpty: false) }
        if let namespace { try ObjectKey.validate(namespace, part: "namespace", allowEmpty: true) }
    }
}

/// Fans committed changes out to live watchers. Shared by both stores.
///
/// The hub does not order anything itself: the owning store must call ``register(_:replay:)`` and ``publish(_:)``
/// from the one serialization that orders its commits (the in-memory store's mutex, SQLite's writer queue). So a new
/// watcher gets its replay and then every later commit, with no gap and no duplicate.
///
/// Each watcher's stream buffers at most `bufferLimit` events. When a commit does not fit, the watcher is removed
/// and its stream finishes with `.compacted`, so the client lists again rather than silently missing a change.
final class WatchHub: Sendable {
    private struct Watcher {
        var filter: WatchFilter
        var continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    }

    private struct Registry {
        var nextID = 0
        var watchers: [Int: Watcher] = [:]
        var closed = false
    }

    private let registry = Mutex(Registry())
    let bufferLimit: Int

    init(bufferLimit: Int) {
        precondition(bufferLimit > 0, "a watch buffer must hold at least one event")
        self.bufferLimit = bufferLimit
    }

    /// A stream that first yields `replay` (already filtered, in revision order) and then every published change
    /// matching `filter`.
    func register(
        _ filter: WatchFilter, replay: [WatchEvent]
    ) throws(StoreError) -> AsyncThrowingStream<WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: WatchEvent.self, throwing: (any Error).self, bufferingPolicy: .bufferingOldest(bufferLimit))
        for event in replay {
            if case .dropped = continuation.yield(event) {
                continuation.finish(throwing: Self.overflow(at: event))
                return stream
            }
        }
        let id: Int? = registry.withLock { registry in
            if registry.closed { return nil }
            let id = registry.nextID
            registry.nextID += 1
            registry.watchers[id] = Watcher(filter: filter, continuation: continuation)
            return id
        }
        guard let id else { throw .closed }
        // Set once the id is known. Nothing but `publish` (which removes the watcher itself) can end the stream
        // before the caller has it, so no termination is missed.
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return stream
    }

    /// Delivers committed changes to every matching watcher, ending those whose buffer is full.
    func publish(_ events: [WatchEvent]) {
        var overflowed: [(AsyncThrowingStream<WatchEvent, any Error>.Continuation, WatchEvent)] = []
        registry.withLock { registry in
            for (id, watcher) in registry.watchers {
                for event in events where watcher.filter.matches(event) {
                    switch watcher.continuation.yield(event) {
                    case .enqueued: continue
                    case .dropped: overflowed.append((watcher.continuation, event))
                    case .terminated: break
                    @unknown default: break
                    }
                    registry.watchers[id] = nil
                    break
                }
            }
        }
        // Outside the lock, because finishing runs `onTermination`, which takes it.
        for (continuation, event) in overflowed {
            continuation.finish(throwing: Self.overflow(at: event))
        }
    }

    /// Ends every stream with `.closed` and refuses new watchers.
    func close() {
        let watchers = registry.withLock { registry in
            registry.closed = true
            defer { registry.watchers = [:] }
            return Array(registry.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish(throwing: StoreError.closed) }
    }

    /// The number of live watchers (for tests and metrics).
    var count: Int { registry.withLock { $0.watchers.count } }

    private func remove(_ id: Int) {
        _ = registry.withLock { $0.watchers.removeValue(forKey: id) }
    }

    private static func overflow(at event: WatchEvent) -> StoreError {
        .compacted(requested: event.revision - 1, oldest: event.revision)
    }
}
