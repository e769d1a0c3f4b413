import BoxCore
import Foundation
import Testing

@testable import BoxBatch

// Schedules of batch jobs: ISO 8601 repeating intervals and cron expressions, both in UTC. Every expected instant is
// written as a UTC calendar time; the civil-time tests pin that arithmetic to epoch seconds checked with
// `date -u -d @N`. 2026-01-01 is a Thursday, so 2026-01-03/04 is a weekend.

/// Helpers for the schedule suites, kept off the module's top level so other suites' helpers cannot clash.
protocol ScheduleTesting {}

extension ScheduleTesting {
    /// An instant from a UTC calendar time (the arithmetic under test in `civilTimeMatchesKnownEpochSeconds`).
    func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, ns: Int = 0) -> Instant {
        CivilTime(year: y, month: mo, day: d, hour: h, minute: mi, second: s, nanosecond: ns).instant!
    }

    func schedule(_ text: String, now: Instant = .epoch) throws -> Schedule { try Schedule.parse(text, now: now) }

    /// The runs in [from, to), found by asking `next(after:)` again and again, as the scheduler will.
    func runs(of schedule: Schedule, from: Instant, to: Instant, limit: Int = 10_000) -> [Instant] {
        var result: [Instant] = []
        var cursor = from + .nanoseconds(-1)
        while let next = schedule.next(after: cursor), next < to, result.count < limit {
            result.append(next)
            cursor = next
        }
        return result
    }

    func parseError(_ text: String) -> String? {
        do {
            _ = try Schedule.parse(text, now: utc(2026, 1, 1))
            return nil
        } catch {
            return error.message
        }
    }
}

@Suite struct ScheduleTests: ScheduleTesting {
    // MARK: - Civil time

    @Test(arguments: [
        (1970, 1, 1, Int64(0), 4), (2026, 11, 27, 1_795_737_600, 5), (2026, 1, 1, 1_767_225_600, 4),
        (2028, 2, 29, 1_835_395_200, 2), (2000, 3, 1, 951_868_800, 3), (1900, 1, 1, -2_208_988_800, 1),
        (2100, 3, 1, 4_107_542_400, 1),
    ])
    func civilTimeMatchesKnownEpochSeconds(year: Int, month: Int, day: Int, seconds: Int64, weekday: Int) {
        let days = CivilTime.days(fromCivilYear: year, month: month, day: day)
        #expect(Int64(days) * 86_400 == seconds)
        #expect(CivilTime.civil(fromDays: days) == (year, month, day))
        #expect(CivilTime.weekday(daysSinceEpoch: days) == weekday)
        let instant = Instant(nanosecondsSinceEpoch: seconds * 1_000_000_000)
        #expect(CivilTime(instant) == CivilTime(year: year, month: month, day: day))
        #expect(CivilTime(year: year, month: month, day: day).instant == instant)
    }

    @Test func civilTimeBeforeTheEpochAndItsText() {
        #expect(CivilTime(Instant(nanosecondsSinceEpoch: -1_000_000_000)).description == "1969-12-31T23:59:59Z")
        #expect(CivilTime(Instant(nanosecondsSinceEpoch: -1)).description == "1969-12-31T23:59:59.999999999Z")
        #expect(CivilTime(utc(2026, 1, 1, ns: 250_000_000)).description == "2026-01-01T00:00:00.25Z")
        #expect(CivilTime(year: 9999, month: 1, day: 1).instant == nil)
    }

    @Test func everyDayFrom1900To2100FollowsTheOneBefore() {
        let first = CivilTime.days(fromCivilYear: 1900, month: 1, day: 1)
        let end = CivilTime.days(fromCivilYear: 2101, month: 1, day: 1)
        var expected = (year: 1900, month: 1, day: 1)
        for days in first..<end {
            let civil = CivilTime.civil(fromDays: days)
            #expect(civil == expected)
            #expect(CivilTime.days(fromCivilYear: civil.year, month: civil.month, day: civil.day) == days)
            let monthLength = CivilTime.daysInMonth(year: civil.year, month: civil.month)
            expected =
                civil.day < monthLength
                ? (civil.year, civil.month, civil.day + 1)
                : civil.month < 12 ? (civil.year, civil.month + 1, 1) : (civil.year + 1, 1, 1)
        }
        #expect(
            [1900, 2000, 2024, 2026, 2028, 2100].map(CivilTime.isLeapYear) == [false, true, true, false, true, false])
    }

    // MARK: - ISO 8601 repeating intervals

    @Test func everyMinuteRunsExactly1440TimesADay() throws {
        let minutely = try schedule("R/2026-01-01T00:00:00Z/PT1M")
        let day = runs(of: minutely, from: utc(2026, 1, 1), to: utc(2026, 1, 2))
        #expect(day.count == 1440)
        #expect(day.first == utc(2026, 1, 1))
        #expect(day.last == utc(2026, 1, 1, 23, 59))
        #expect(minutely.next(after: utc(2026, 1, 1, 0, 0, 30)) == utc(2026, 1, 1, 0, 1))
        #expect(minutely.next(after: utc(2026, 1, 1, 0, 1)) == utc(2026, 1, 1, 0, 2))  // strictly after
    }

    @Test func aCountedIntervalStopsAfterItsRuns() throws {
        let three = try schedule("R3/2026-01-01T00:00:00Z/P1D")
        #expect(
            runs(of: three, from: .epoch, to: utc(2030, 1, 1)) == [utc(2026, 1, 1), utc(2026, 1, 2), utc(2026, 1, 3)])
        #expect(three.next(after: utc(2026, 1, 3)) == nil)
        #expect(try schedule("R0/2026-01-01T00:00:00Z/P1D").next(after: .epoch) == nil)
        #expect(try schedule("R1/2026-01-01T00:00:00Z/P1D").next(after: utc(2025, 1, 1)) == utc(2026, 1, 1))
    }

    @Test func aStartInTheFutureIsTheNextRun() throws {
        let hourly = try schedule("R/2026-06-01T12:00:00Z/PT1H")
        #expect(hourly.next(after: utc(2026, 1, 1)) == utc(2026, 6, 1, 12))
        #expect(hourly.next(after: utc(2026, 6, 1, 12)) == utc(2026, 6, 1, 13))
    }

    @Test func fixedPeriodsAreComputedNotWalked() throws {
        // 1.77e9 seconds after the start: a loop would take a while, a division does not.
        let everySecond = try schedule("R/1970-01-01T00:00:00Z/PT1S")
        #expect(everySecond.next(after: utc(2026, 1, 1, ns: 400_000_000)) == utc(2026, 1, 1, 0, 0, 1))
        let halfSecond = try schedule("R/2026-01-01T00:00:00.25Z/PT0.5S")
        #expect(halfSecond.next(after: utc(2026, 1, 1, 10)) == utc(2026, 1, 1, 10, 0, 0, ns: 250_000_000))
        let fortnightly = try schedule("R/2026-01-05T09:00:00Z/P2W")
        #expect(fortnightly.next(after: utc(2026, 1, 5, 9)) == utc(2026, 1, 19, 9))
    }

    @Test func monthlyFromJanuary31ClampsWithoutDrifting() throws {
        let monthly = try schedule("R/2026-01-31T08:00:00Z/P1M")
        #expect(
            runs(of: monthly, from: utc(2026, 1, 1), to: utc(2026, 6, 1)) == [
                utc(2026, 1, 31, 8), utc(2026, 2, 28, 8), utc(2026, 3, 31, 8), utc(2026, 4, 30, 8), utc(2026, 5, 31, 8),
            ])
        #expect(monthly.next(after: utc(2028, 2, 1)) == utc(2028, 2, 29, 8))
        #expect(monthly.next(after: utc(2100, 2, 1)) == utc(2100, 2, 28, 8))  // 2100 is not a leap year
        #expect(monthly.next(after: utc(2199, 12, 31, 8)) == utc(2200, 1, 31, 8))
    }

    @Test func leapDaysInCalendarAndFixedPeriods() throws {
        let yearly = try schedule("R/2028-02-29T12:00:00Z/P1Y")
        #expect(
            runs(of: yearly, from: utc(2028, 1, 1), to: utc(2033, 1, 1)) == [
                utc(2028, 2, 29, 12), utc(2029, 2, 28, 12), utc(2030, 2, 28, 12), utc(2031, 2, 28, 12),
                utc(2032, 2, 29, 12),
            ])
        let daily = try schedule("R/2028-02-27T00:00:00Z/P1D")
        #expect(
            runs(of: daily, from: utc(2028, 2, 28), to: utc(2028, 3, 2)) == [
                utc(2028, 2, 28), utc(2028, 2, 29), utc(2028, 3, 1),
            ])
    }

    @Test func mixedCalendarAndFixedComponents() throws {
        let mixed = try schedule("R/2026-01-01T00:00:00Z/P1Y2M3DT4H5M6S")
        #expect(mixed.next(after: utc(2026, 1, 1)) == utc(2027, 3, 4, 4, 5, 6))
        #expect(mixed.next(after: utc(2027, 3, 4, 4, 5, 6)) == utc(2028, 5, 7, 8, 10, 12))
    }

    @Test func offsetsAreConvertedToUTC() throws {
        let plusTwo = try schedule("R/2026-01-01T02:00:00+02:00/PT1H")
        #expect(plusTwo.next(after: .epoch) == utc(2026, 1, 1))
        #expect(plusTwo.description == "R/2026-01-01T00:00:00Z/PT1H")
        #expect(try schedule("R/2026-01-01T00:00:00-05:30/P1D").next(after: .epoch) == utc(2026, 1, 1, 5, 30))
    }

    @Test func anEmptyStartMeansNowAndIsWrittenOut() throws {
        let now = utc(2026, 3, 1, 10, 15, 30)
        let every10s = try schedule("R//PT10S", now: now)
        #expect(every10s.next(after: now) == utc(2026, 3, 1, 10, 15, 40))
        #expect(every10s.description == "R/2026-03-01T10:15:30Z/PT10S")
    }

    @Test(arguments: [
        ("R/2026-13-01T00:00:00Z/PT1M", "month 13 is out of range 1-12"),
        ("R//PT", "duration 'PT': no components"),
        ("R/2026-01-01T00:00:00Z", "expected R[n]/start/duration"),
        ("R/P1D/2026-01-01T00:00:00Z", "expected R[n]/start/duration (the duration/end form is not supported)"),
        ("Rx//P1D", "repetition count 'x' is not a whole number"),
        ("R/2026-02-29T00:00:00Z/P1D", "day 29 is out of range 1-28 (February 2026)"),
        ("R/2026-01-01T24:00:00Z/P1D", "hour 24 is out of range 0-23"),
        ("R/2026-01-01T00:60:00Z/P1D", "minute 60 is out of range 0-59"),
        ("R/2026-01-01T00:00:00/P1D", "start '2026-01-01T00:00:00' has no time zone (add Z or ±hh:mm)"),
        ("R/2026-01-01/P1D", "start '2026-01-01' is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)"),
        (
            "R/2026-01-01T00:00:00+0200/P1D",
            "start '2026-01-01T00:00:00+0200' is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)"
        ),
        ("R/2026-01-01T00:00:00+24:00/P1D", "offset hour 24 is out of range 0-23"),
        ("R/9999-01-01T00:00:00Z/P1D", "start '9999-01-01T00:00:00Z' is outside the supported years 1678-2261"),
        ("R//1D", "duration '1D': must start with P"),
        ("R//PT0S", "duration 'PT0S': zero length (a repeating interval needs a positive period)"),
        ("R//P1H", "duration 'P1H': unknown date designator 'H' (expected Y, M, W or D; H, M and S follow a T)"),
        ("R//PT1D", "duration 'PT1D': unknown time designator 'D' (expected H, M or S)"),
        ("R//P1D2Y", "duration 'P1D2Y': Y is repeated or out of order (PnYnMnWnDTnHnMnS)"),
        ("R//PT1.5M", "duration 'PT1.5M': only seconds may have a fraction"),
        ("R//P1DT", "duration 'P1DT': T with no time components after it"),
        ("R//P1", "duration 'P1': number 1 has no designator (Y, M, W or D; after T: H, M or S)"),
        ("R//P20000Y", "duration 'P20000Y': too long"),
    ])
    func invalidIntervalsNameThePartAtFault(text: String, why: String) {
        #expect(parseError(text) == "schedule '\(text)': \(why)")
    }

    // MARK: - Text and Codable

    @Test(arguments: [
        ("R/2026-01-01T00:00:00Z/PT1M", "R/2026-01-01T00:00:00Z/PT1M"),
        ("R5/2026-01-01T00:00:00.500Z/P0Y1M", "R5/2026-01-01T00:00:00.5Z/P1M"),
        ("R0/2026-01-01T00:00:00Z/PT90M", "R0/2026-01-01T00:00:00Z/PT90M"),
        ("R/2026-01-01T00:00:00Z/P1Y2M3W4DT5H6M7.25S", "R/2026-01-01T00:00:00Z/P1Y2M3W4DT5H6M7.25S"),
        ("  */5   9-17 * *  mon-fri ", "*/5 9-17 * * mon-fri"),
        ("@DAILY", "@daily"),
    ])
    func descriptionIsCanonicalAndRoundTrips(text: String, canonical: String) throws {
        let parsed = try schedule(text)
        if case .repeating = parsed { #expect(canonical.hasPrefix("R")) } else { #expect(!canonical.hasPrefix("R")) }
        #expect(parsed.description == canonical)
        #expect(try schedule(parsed.description, now: utc(2030, 1, 1)) == parsed)
    }

    @Test func codableUsesTheText() throws {
        let schedules = [
            try schedule("R//PT10S", now: utc(2026, 3, 1)), try schedule("R3/2026-01-01T02:00:00+02:00/P1D"),
            try schedule("0 3 * * MON-FRI"), try schedule("@hourly"),
        ]
        let json = try JSONEncoder().encode(schedules)
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"["R\/2026-03-01T00:00:00Z\/PT10S","R3\/2026-01-01T00:00:00Z\/P1D","0 3 * * MON-FRI","@hourly"]"#)
        #expect(try JSONDecoder().decode([Schedule].self, from: json) == schedules)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Schedule].self, from: Data(#"["61 * * * *"]"#.utf8))
        }
    }
}
