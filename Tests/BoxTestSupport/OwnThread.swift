import Foundation

/// Runs blocking or CPU-heavy test work (a simulated hour, waiting on child processes) on a thread of its own, so
/// that it does not hold one of the few cooperative threads Swift concurrency has (two on a 2-core machine) and
/// starve the async tests running beside it.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Like `onOwnThread`, for work that keeps a core busy for seconds (the simulations, 100,000-packet fuzzing): at
/// most one such body runs at a time, so that on a 2-core machine they leave a core to the timing-sensitive tests
/// running beside them (real processes with health checks, sockets with deadlines).
public func cpuHeavy<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await onOwnThread {
        cpuHeavyGate.wait()
        defer { cpuHeavyGate.signal() }
        return try body()
    }
}

private let cpuHeavyGate = DispatchSemaphore(value: 1)
