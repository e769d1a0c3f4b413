import Foundation
import Synchronization

/// A point in time: nanoseconds since the Unix epoch. Cores take it as an input and never read a clock.
public struct Instant: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public static let epoch = Instant(nanosecondsSinceEpoch: 0)

    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }

    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        Instant(nanosecondsSinceEpoch: lhs.nanosecondsSinceEpoch + rhs.nanoseconds)
    }

    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        .nanoseconds(lhs.nanosecondsSinceEpoch - rhs.nanosecondsSinceEpoch)
    }

    public var description: String { String(format: "%.3fs", secondsSinceEpoch) }
}

extension Duration {
    /// Whole nanoseconds, saturating at Int64's range.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Where the hosts get the time. The cores never call it: they receive `now` as an argument.
public protocol ClusterClock: Sendable {
    var now: Instant { get }
    /// Suspends until `deadline` on this clock.
    func sleep(until deadline: Instant) async throws
}

extension ClusterClock {
    public func sleep(for duration: Duration) async throws { try await sleep(until: now + duration) }
}

/// The wall clock.
public struct SystemClock: ClusterClock {
    public init() {}

    public var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    public func sleep(until deadline: Instant) async throws {
        let remaining = deadline - now
        if remaining > .zero { try await Task.sleep(for: remaining) }
    }
}

/// A virtual clock that moves only when `advance` is called, for simulations and tests.
/// A `Mutex` guards the time and the sleepers waiting for it. A sleeper whose task is cancelled wakes at once with
/// `CancellationError`, as `Task.sleep` does.
public final class ManualClock: ClusterClock {
    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Instant
        var sleepers: [Sleeper] = []
        var nextID = 0
        /// Sleepers cancelled before they were registered.
        var cancelled: Set<Int> = []
    }

    private let state: Mutex<State>

    public init(start: Instant = Instant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)) {
        state = Mutex(State(now: start))
    }

    public var now: Instant { state.withLock { $0.now } }

    public func advance(by duration: Duration) { advance(to: now + duration) }

    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now = max(state.now, instant)
            let now = state.now
            let ready = state.sleepers.filter { $0.deadline <= now }.map(\.continuation)
            state.sleepers.removeAll { $0.deadline <= now }
            return ready
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(until deadline: Instant) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, resume, cancel }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelled.remove(id) != nil { return .cancel }
                    if deadline <= state.now { return .resume }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index).continuation
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }
}
