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
