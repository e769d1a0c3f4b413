import BoxCore
import Testing

@testable import BoxBatch

// Cron expressions in UTC; helpers and the calendar facts used here are in ScheduleTests.swift. 2026-01-01 is a
// Thursday, so 2026-01-02 is a Friday and 2026-01-03/04 a weekend.

@Suite struct CronScheduleTests: ScheduleTesting {
    @Test func workingHoursSkipTheWeekend() throws {
        let office = try schedule("*/15 9-17 * * MON-FRI")
        #expect(office.next(after: utc(2026, 1, 2, 17, 30)) == utc(2026, 1, 2, 17, 45))
        #expect(office.next(after: utc(2026, 1, 2, 17, 45)) == utc(2026, 1, 5, 9))  // Friday evening to Monday
        let fridayToMonday = runs(of: office, from: utc(2026, 1, 2), to: utc(2026, 1, 6))
        #expect(fridayToMonday.count == 2 * 9 * 4)  // two weekdays, 09:00-17:45, four an hour
        #expect(fridayToMonday.allSatisfy { ![6, 0].contains(CivilTime($0).weekday) })
    }

    @Test func minutesAreWholeAndStrictlyAfter() throws {
        let everyMinute = try schedule("* * * * *")
        #expect(everyMinute.next(after: utc(2026, 1, 1, 10)) == utc(2026, 1, 1, 10, 1))
        #expect(everyMinute.next(after: utc(2026, 1, 1, 9, 59, 59, ns: 900_000_000)) == utc(2026, 1, 1, 10))
        #expect(try schedule("0 0 * * *").next(after: utc(1969, 12, 31, 12)) == .epoch)
    }

    @Test func yearlyMonthlyAndMacros() throws {
        let newYear = try schedule("0 0 1 1 *")
        #expect(newYear.next(after: utc(2025, 12, 31, 23, 59, 59)) == utc(2026, 1, 1))
        #expect(newYear.next(after: utc(2026, 1, 1)) == utc(2027, 1, 1))
        let after = utc(2026, 1, 1, 10, 30, 15)
        for (macro, expected) in [
            ("@hourly", utc(2026, 1, 1, 11)), ("@daily", utc(2026, 1, 2)), ("@midnight", utc(2026, 1, 2)),
            ("@weekly", utc(2026, 1, 4)), ("@monthly", utc(2026, 2, 1)), ("@yearly", utc(2027, 1, 1)),
            ("@ANNUALLY", utc(2027, 1, 1)),
        ] {
            #expect(try schedule(macro).next(after: after) == expected, "\(macro)")
        }
        #expect(try schedule("@hourly").next(after: utc(2026, 1, 1, 11)) == utc(2026, 1, 1, 12))
        #expect(try schedule("0 0 31 * *").next(after: utc(2026, 3, 31)) == utc(2026, 5, 31))
    }

    @Test func restrictedDayFieldsMatchEitherAsInVixieCron() throws {
        let fridaysAndThe13th = try schedule("0 0 13 * FRI")
        #expect(
            runs(of: fridaysAndThe13th, from: utc(2026, 1, 1), to: utc(2026, 2, 1)) == [
                utc(2026, 1, 2), utc(2026, 1, 9), utc(2026, 1, 13), utc(2026, 1, 16), utc(2026, 1, 23),
                utc(2026, 1, 30),
            ])
        // A day field starting with `*` does not restrict, so both must match: odd days that are Fridays.
        let oddFridays = try schedule("0 0 */2 * FRI")
        #expect(
            runs(of: oddFridays, from: utc(2026, 1, 1), to: utc(2026, 3, 1)) == [
                utc(2026, 1, 9), utc(2026, 1, 23), utc(2026, 2, 13), utc(2026, 2, 27),
            ])
    }

    @Test func sundayIsZeroSevenOrSunAndRangesMayEndOnIt() throws {
        for text in ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun", "0 0 * * 6-7/1"] {
            #expect(try schedule(text).next(after: utc(2026, 1, 3, 12)) == utc(2026, 1, 4), "\(text)")
        }
        let weekend = runs(of: try schedule("0 0 * * FRI-SUN"), from: utc(2026, 1, 1), to: utc(2026, 1, 8))
        #expect(weekend == [utc(2026, 1, 2), utc(2026, 1, 3), utc(2026, 1, 4)])
    }

    @Test func stepsListsAndNames() throws {
        let minutes = runs(of: try schedule("5-20/5,50/5 10 * * *"), from: utc(2026, 1, 1), to: utc(2026, 1, 2))
        #expect(minutes.map { CivilTime($0).minute } == [5, 10, 15, 20, 50, 55])
        let halfYearly = runs(of: try schedule("0 12 1 jan,Jul *"), from: utc(2026, 1, 1), to: utc(2027, 1, 1))
        #expect(halfYearly == [utc(2026, 1, 1, 12), utc(2026, 7, 1, 12)])
    }

    @Test func impossibleDatesGiveUpAndRareOnesAreFound() throws {
        #expect(try schedule("0 0 30 2 *").next(after: utc(2026, 1, 1)) == nil)
        let leapDay = try schedule("0 0 29 2 *")
        #expect(leapDay.next(after: utc(2026, 3, 1)) == utc(2028, 2, 29))
        #expect(leapDay.next(after: utc(2096, 3, 1)) == utc(2104, 2, 29))  // 2100 is skipped
    }

    @Test(arguments: [
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("* * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 3"),
        ("", "expected 5 fields (minute hour day-of-month month day-of-week), got 0"),
        ("* 24 * * *", "hour 24 is out of range 0-23"),
        ("* * 0 * *", "day-of-month 0 is out of range 1-31"),
        ("* * * 13 *", "month 13 is out of range 1-12"),
        ("* * * * 8", "day-of-week 8 is out of range 0-7"),
        ("* * * FOO *", "month 'FOO' is not a number or a month name (JAN-DEC)"),
        ("* * * * FUNDAY", "day-of-week 'FUNDAY' is not a number or a weekday name (SUN-SAT)"),
        ("x * * * *", "minute 'x' is not a number"),
        ("*/0 * * * *", "minute step 0 must be at least 1"),
        ("*/x * * * *", "minute step 'x' is not a number"),
        ("30-10 * * * *", "minute range '30-10' runs backwards"),
        ("1,,2 * * * *", "minute '1,,2' has an empty list item"),
        (
            "@reboot",
            "unknown macro @reboot (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"
        ),
    ])
    func invalidCronNamesTheFieldAndValue(text: String, why: String) {
        #expect(parseError(text) == "cron '\(text)': \(why)")
    }
}
