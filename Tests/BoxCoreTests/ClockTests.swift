import BoxCore
import Testing

@Suite struct ClockTests {
    /// A sleeper on the manual clock wakes only when the clock passes its deadline.
    @Test func manualClockWakesSleepers() async throws {
        let clock = ManualClock()
        let start = clock.now
        async let woke: Instant = {
            try await clock.sleep(until: start + .seconds(10))
            return clock.now
        }()
        try await Task.sleep(for: .milliseconds(20))
        clock.advance(by: .seconds(5))
        clock.advance(by: .seconds(6))
        #expect(try await woke == start + .seconds(11))
    }

    @Test func instantArithmetic() {
        let a = Instant(nanosecondsSinceEpoch: 1_000_000_000)
        #expect(a + .milliseconds(1500) - a == .milliseconds(1500))
        #expect(Duration.seconds(2).nanoseconds == 2_000_000_000)
        #expect(SystemClock().now > Instant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000))
    }

    @Test func seededGeneratorRepeats() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        #expect((0..<5).map { _ in a.next() } == (0..<5).map { _ in b.next() })
    }
}
