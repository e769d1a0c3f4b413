import Synchronization

/// A queue of keys as client-go's: a key waiting is queued once however often it is added; a key being processed is
/// not handed to another worker, and if added meanwhile it is queued again when `done`.
final class WorkQueue: Sendable {
    private struct State {
        var queue: [ObjectName] = []
        var head = 0
        var queued: Set<ObjectName> = []
        var processing: Set<ObjectName> = []
        var dirty: Set<ObjectName> = []
        var waiters: [CheckedContinuation<ObjectName?, Never>] = []
        var shutDown = false
    }

    private let state = Mutex(State())

    func add(_ key: ObjectName) {
        let waiter: CheckedContinuation<ObjectName?, Never>? = state.withLock { state in
            if state.shutDown { return nil }
            if state.processing.contains(key) {
                state.dirty.insert(key)
                return nil
            }
            if state.queued.contains(key) { return nil }
            if !state.waiters.isEmpty {
                state.processing.insert(key)
                return state.waiters.removeFirst()
            }
            state.queued.insert(key)
            state.queue.append(key)
            return nil
        }
        waiter?.resume(returning: key)
    }

    /// The next key, or nil once shut down.
    func next() async -> ObjectName? {
        await withCheckedContinuation { (continuation: CheckedContinuation<ObjectName?, Never>) in
            let ready: ObjectName?? = state.withLock { state in
                if state.shutDown { return .some(nil) }
                guard state.head < state.queue.count else {
                    state.waiters.append(continuation)
                    return nil
                }
                let key = state.queue[state.head]
                state.head += 1
                if state.head > 1024 && state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                state.queued.remove(key)
                state.processing.insert(key)
                return .some(key)
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    func done(_ key: ObjectName) {
        let again = state.withLock { state in
            state.processing.remove(key)
            return state.dirty.remove(key) != nil
        }
        if again { add(key) }
    }

    func shutDown() {
        let waiters = state.withLock { state in
            state.shutDown = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }
}
