public import BoxCore

/// An ISO 8601 repeating interval, `Rn/start/duration`, as Chronos schedules jobs: runs at start, start + d,
/// start + 2d, ... (n runs in all, or without end when n is left out).
///
/// Run k is computed from the start, not from run k - 1, so a monthly job that starts on January 31 runs on
/// February 28 (29), March 31, April 30 ...: the clamped day does not drift.
public struct RepeatingInterval: Hashable, Sendable, CustomStringConvertible {
    /// Runs in all; nil repeats without end, 0 never runs.
    public var count: Int?
    public var start: Instant
    public var period: ISO8601Duration

    public init(count: Int?, start: Instant, period: ISO8601Duration) {
        precondition(count.map { $0 >= 0 } ?? true, "a repetition count cannot be negative")
        self.count = count
        self.start = start
        self.period = period
    }

    /// The mean Gregorian month (365.2425 days / 12): a first guess at where a calendar run falls.
    private static let meanMonthNanoseconds: Int128 = 2_629_746 * 1_000_000_000

    /// The first run strictly after `instant`, or nil when the runs are used up (or lie beyond `Instant`'s range).
    /// Constant time for fixed periods; a calendar period corrects a first guess by a step or two.
    public func next(after instant: Instant) -> Instant? {
        if count == 0 { return nil }
        guard instant >= start else { return start }
        let elapsed = Int128(instant.nanosecondsSinceEpoch) - Int128(start.nanosecondsSinceEpoch)
        let index: Int?
        if period.calendarMonths == 0 {
            index = Int(exactly: elapsed / Int128(period.fixedNanoseconds) + 1)
        } else {
            index = calendarIndex(after: instant, elapsed: elapsed)
        }
        guard let index, count.map({ index < $0 }) ?? true else { return nil }
        return occurrenceNanoseconds(index).flatMap(Instant.init(wide:))
    }

    /// The smallest run index whose time is after `instant`.
    private func calendarIndex(after instant: Instant, elapsed: Int128) -> Int? {
        let meanPeriod = Int128(period.calendarMonths) * Self.meanMonthNanoseconds + Int128(period.fixedNanoseconds)
        guard var index = Int(exactly: elapsed / meanPeriod) else { return nil }
        let after = Int128(instant.nanosecondsSinceEpoch)
        // Calendar months stray from the mean by a few days at most and a period is at least a month long,
        // so the guess is off by one or two runs; the bound only guards against a broken invariant.
        let maxSteps = 16
        for _ in 0..<maxSteps {
            if index == 0 { break }
            if let at = occurrenceNanoseconds(index), at <= after { break }
            index -= 1
        }
        for _ in 0..<maxSteps {
            guard let at = occurrenceNanoseconds(index) else { return nil }
            if at > after { return index }
            index += 1
        }
        assertionFailure("calendar run estimate for \(self) after \(instant) was off by more than \(maxSteps)")
        return nil
    }

    /// When run `index` falls, in wide nanoseconds; nil when the arithmetic leaves any plausible range.
    func occurrenceNanoseconds(_ index: Int) -> Int128? {
        let fixed = Int128(index) * Int128(period.fixedNanoseconds)
        guard period.calendarMonths != 0 else { return Int128(start.nanosecondsSinceEpoch) + fixed }
        let (offset, overflow) = index.multipliedReportingOverflow(by: period.calendarMonths)
        guard !overflow, offset < 12 * 1_000_000 else { return nil }
        var civil = CivilTime(start)
        let monthIndex = civil.year * 12 + (civil.month - 1) + offset
        civil.year = monthIndex / 12  // never negative: starts lie after 1677
        civil.month = monthIndex % 12 + 1
        civil.day = min(civil.day, CivilTime.daysInMonth(year: civil.year, month: civil.month))
        return civil.wideNanoseconds + fixed
    }

    /// `R5/2026-01-01T00:00:00Z/P1D`: the start always written out, in UTC.
    public var description: String {
        "R\(count.map(String.init) ?? "")/\(CivilTime(start))/\(period)"
    }

    // MARK: - Parsing

    /// Parses `R[n]/start/duration`; an empty start means `now`.
    public static func parse(_ text: String, now: Instant) throws(ScheduleError) -> RepeatingInterval {
        func fail(_ why: String) -> ScheduleError { ScheduleError(message: "schedule '\(text)': \(why)") }

        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0].hasPrefix("R") else { throw fail("expected R[n]/start/duration") }
        guard !parts[1].hasPrefix("P") else {
            throw fail("expected R[n]/start/duration (the duration/end form is not supported)")
        }
        var count: Int?
        let countText = parts[0].dropFirst()
        if !countText.isEmpty {
            guard countText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(countText) else {
                throw fail("repetition count '\(countText)' is not a whole number")
            }
            count = value
        }
        do throws(ScheduleError) {
            let start = parts[1].isEmpty ? now : try parseStart(parts[1])
            return RepeatingInterval(count: count, start: start, period: try ISO8601Duration.parse(parts[2]))
        } catch {
            throw fail(error.message)
        }
    }

    /// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`.
    static func parseStart(_ text: String) throws(ScheduleError) -> Instant {
        let form = "start '\(text)' is not of the form YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)"
        let chars = Array(text)
        var scanner = StartScanner(chars: chars)
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
            let day = scanner.number(2), scanner.skip("T"), let hour = scanner.number(2), scanner.skip(":"),
            let minute = scanner.number(2), scanner.skip(":"), let second = scanner.number(2)
        else { throw ScheduleError(message: form) }
        var nanosecond = 0
        if scanner.skip(".") {
            let fraction = scanner.digits()
            guard (1...9).contains(fraction.count) else { throw ScheduleError(message: form) }
            nanosecond = Int(fraction + String(repeating: "0", count: 9 - fraction.count))!
        }
        guard !scanner.atEnd else {
            throw ScheduleError(message: "start '\(text)' has no time zone (add Z or ±hh:mm)")
        }
        let offsetSeconds: Int
        if scanner.skip("Z") {
            offsetSeconds = 0
        } else if let sign = scanner.sign(), let offsetHour = scanner.number(2), scanner.skip(":"),
            let offsetMinute = scanner.number(2)
        {
            try check("offset hour", offsetHour, 0...23)
            try check("offset minute", offsetMinute, 0...59)
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        } else {
            throw ScheduleError(message: form)
        }
        guard scanner.atEnd else { throw ScheduleError(message: form) }

        try check("month", month, 1...12)
        let monthLength = CivilTime.daysInMonth(year: year, month: month)
        guard (1...monthLength).contains(day) else {
            throw ScheduleError(
                message: "day \(day) is out of range 1-\(monthLength) (\(monthNames[month - 1]) \(year))")
        }
        try check("hour", hour, 0...23)
        try check("minute", minute, 0...59)
        try check("second", second, 0...59)
        let civil = CivilTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond)
        guard let start = Instant(wide: civil.wideNanoseconds - Int128(offsetSeconds) * 1_000_000_000) else {
            throw ScheduleError(message: "start '\(text)' is outside the supported years 1678-2261")
        }
        return start
    }

    private static func check(_ part: String, _ value: Int, _ range: ClosedRange<Int>) throws(ScheduleError) {
        guard range.contains(value) else {
            throw ScheduleError(message: "\(part) \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
}

/// Reads the fixed-width parts of a start time.
private struct StartScanner {
    let chars: [Character]
    var index = 0

    var atEnd: Bool { index == chars.count }

    mutating func skip(_ literal: Character) -> Bool {
        guard index < chars.count, chars[index] == literal else { return false }
        index += 1
        return true
    }

    mutating func number(_ width: Int) -> Int? {
        guard index + width <= chars.count else { return nil }
        let slice = chars[index..<index + width]
        guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        index += width
        return Int(String(slice))
    }

    mutating func digits() -> String {
        let start = index
        while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
        return String(chars[start..<index])
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") || skip("−") { return -1 }
        return nil
    }
}
