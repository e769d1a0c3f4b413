import BoxCore
import Foundation
import Synchronization

/// Step timings for start-up progress lines: each line gets the time since the line before it (what that step
/// took), so `up` shows where its start-up time goes. The `ready` line ends start-up: it carries the total already,
/// and lines after it (`stopped`, much later) are not steps. Thread-safe: the cluster reports from several tasks.
final class StepTimer: Sendable {
    private struct State {
        var last: ContinuousClock.Instant
        var ready = false
    }

    private let state: Mutex<State>

    init(start: ContinuousClock.Instant = .now) { state = Mutex(State(last: start)) }

    /// `line` with its step's elapsed time appended, e.g. `store      ready: … (0.02 s)`; unchanged from the line
    /// that starts with `ready` on.
    func annotate(_ line: String, now: ContinuousClock.Instant = .now) -> String {
        let elapsed: Duration? = state.withLock { state in
            guard !state.ready else { return nil }
            if line.hasPrefix("ready") { state.ready = true }
            defer { state.last = now }
            return state.ready ? nil : state.last.duration(to: now)
        }
        guard let elapsed else { return line }
        return line + " " + Terminal.dim("(\(Terminal.seconds(elapsed.seconds)))")
    }
}
