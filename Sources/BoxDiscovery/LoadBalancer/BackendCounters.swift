import Synchronization

/// The counters of one backend of one service. Event loops add to them without a lock (relaxed atomics: each is
/// a tally on its own, read only for statistics).
final class BackendCounters: Sendable {
    let connectionsTotal = Atomic<Int>(0)
    let connectionsActive = Atomic<Int>(0)
    let bytesIn = Atomic<Int>(0)
    let bytesOut = Atomic<Int>(0)
    let connectErrors = Atomic<Int>(0)
}

/// The counters of one service's client connections.
final class ServiceCounters: Sendable {
    let connectionsTotal = Atomic<Int>(0)
    let connectionsActive = Atomic<Int>(0)
    let connectionsFailed = Atomic<Int>(0)
}
