import Synchronization

/// Fans cluster events out to any number of listeners (SSE clients, the CLI, the dashboard). A listener that falls
/// behind loses its oldest events rather than slowing the master: each has a bounded buffer. The `Mutex` guards
/// the listener table.
public final class EventBroadcast<Element: Sendable>: Sendable {
    private let listeners = Mutex<(next: Int, table: [Int: AsyncStream<Element>.Continuation])>((0, [:]))
    private let bufferLimit: Int

    public init(bufferLimit: Int = 4096) { self.bufferLimit = bufferLimit }

    public func publish(_ element: Element) {
        listeners.withLock { state in
            for continuation in state.table.values { continuation.yield(element) }
        }
    }

    /// A stream of every element published from now on; it ends when the consumer stops or `finishAll` runs.
    public func subscribe() -> AsyncStream<Element> { subscribeWithID().stream }

    /// Like `subscribe`, with an id that `finish(_:)` takes to end the stream from the listener's side.
    public func subscribeWithID() -> (id: Int, stream: AsyncStream<Element>) {
        let (stream, continuation) = AsyncStream<Element>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        let id = listeners.withLock { state in
            let id = state.next
            state.next += 1
            state.table[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.table.removeValue(forKey: id) }
        }
        return (id, stream)
    }

    /// Ends one listener's stream.
    public func finish(_ id: Int) {
        listeners.withLock { $0.table.removeValue(forKey: id) }?.finish()
    }

    public var listenerCount: Int { listeners.withLock { $0.table.count } }

    public func finishAll() {
        let all = listeners.withLock { state in
            defer { state.table.removeAll() }
            return Array(state.table.values)
        }
        for continuation in all { continuation.finish() }
    }
}
