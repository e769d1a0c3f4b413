import BoxCore
import Synchronization

/// Wakes everyone waiting for a batch job to change. A generation number closes the gap between reading a job
/// and starting to wait: a change in between makes the wait return at once. The `Mutex` guards all state.
final class JobChanges: Sendable {
    private struct State {
        var generation = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waits that timed out before their continuation was registered.
        var abandoned: Set<Int> = []
    }

    private let state = Mutex(State())

    var generation: Int { state.withLock { $0.generation } }

    func wakeAll() {
        let all = state.withLock { state in
            state.generation += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in all { waiter.resume() }
    }

    /// Returns at the first change after `generation`, or after `timeout`.
    func wait(after generation: Int, timeout: Duration, clock: any ClusterClock) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state -> Bool in
                        if state.generation != generation || state.abandoned.remove(id) != nil { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await clock.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
            let waiter = state.withLock { state in
                let waiter = state.waiters.removeValue(forKey: id)
                if waiter == nil { state.abandoned.insert(id) }
                return waiter
            }
            waiter?.resume()
        }
        state.withLock { _ = $0.abandoned.remove(id) }
    }
}
