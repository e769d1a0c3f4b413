import BoxCore
import BoxMarathon
import Testing

/// Timestamps as the client parses them (§0.7): UTC, milliseconds, literal Z. The constants were checked with
/// `date -u -d @1767323045` (Fri Jan 2 03:04:05 UTC 2026) and `date -u -d @951782400` (Tue Feb 29 2000).
@Suite struct TimestampTests {
    static func instant(_ nanoseconds: Int64) -> Instant { Instant(nanosecondsSinceEpoch: nanoseconds) }

    @Test(arguments: [
        (Int64(1_767_323_045_678_000_000), "2026-01-02T03:04:05.678Z"),
        (1_767_323_045_678_999_999, "2026-01-02T03:04:05.678Z"),  // truncated, never rounded into the future
        (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (1_000_000, "1970-01-01T00:00:00.001Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (4_102_444_799_000_000_000, "2099-12-31T23:59:59.000Z"),
    ])
    func formats(_ nanoseconds: Int64, _ text: String) {
        #expect(MarathonJSON.timestamp(Self.instant(nanoseconds)) == text)
    }

    @Test func parsesWhatItWritesAndWhatMarathonWrites() {
        let t = Self.instant(1_767_323_045_678_000_000)
        #expect(MarathonJSON.parseTimestamp("2026-01-02T03:04:05.678Z") == t)
        #expect(MarathonJSON.parseTimestamp("2026-01-02T03:04:05Z") == Self.instant(1_767_323_045_000_000_000))
        #expect(
            MarathonJSON.parseTimestamp("2026-01-02T03:04:05.678123456Z") == Self.instant(1_767_323_045_678_123_456))
        #expect(MarathonJSON.parseTimestamp("2026-01-02T04:04:05.678+01:00") == t)
        #expect(MarathonJSON.parseTimestamp("2026-01-01T22:04:05.678-05:00") == t)
        #expect(MarathonJSON.parseTimestamp("2000-02-29T00:00:00.000Z") == Self.instant(951_782_400_000_000_000))
    }

    @Test(arguments: [
        "1767323045", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-01-02T24:00:00Z", "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05.678ZZ", "9999-01-01T00:00:00Z", "",
    ])
    func rejects(_ text: String) {
        #expect(MarathonJSON.parseTimestamp(text) == nil)
    }
}
