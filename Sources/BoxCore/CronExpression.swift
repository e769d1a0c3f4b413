/// A five-field cron expression, `minute hour day-of-month month day-of-week`, evaluated in UTC.
///
/// Day matching follows Vixie cron: when both day fields are restricted (neither starts with `*`), a day matches
/// if either field does; otherwise both must. So `0 0 1,15 * MON` runs on the 1st, the 15th and every Monday, while
/// `0 0 */2 * MON` runs only on Mondays with an odd day of the month, as in Vixie cron and cronie.
///
/// Both schedulers use it: the batch framework's `schedule` and the Kubernetes CronJob's `spec.schedule` (which also
/// accepts `?` for a day field, as Kubernetes does).
public struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// The expression as written, with whitespace runs collapsed to one space; a macro is kept, lowercased.
    public let description: String
    // Bit n set: value n matches.
    let minutes: UInt64  // 0-59
    let hours: UInt64  // 0-23
    let daysOfMonth: UInt64  // 1-31
    let months: UInt64  // 1-12
    let daysOfWeek: UInt64  // 0-6, Sunday = 0
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    init(
        description: String, minutes: UInt64, hours: UInt64, daysOfMonth: UInt64, months: UInt64, daysOfWeek: UInt64,
        daysOfMonthRestricted: Bool, daysOfWeekRestricted: Bool
    ) {
        self.description = description
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.daysOfWeek = daysOfWeek
        self.daysOfMonthRestricted = daysOfMonthRestricted
        self.daysOfWeekRestricted = daysOfWeekRestricted
    }

    /// How far ahead `next(after:)` looks. Eight years, not five, so that `0 0 29 2 *` still finds
    /// February 29 across a skipped century leap year (2096 to 2104).
    static let horizonYears = 8

    /// The first whole minute strictly after `instant` that matches, or nil when none comes within `horizonYears`
    /// (`0 0 30 2 *` never does). Skips whole months, days and hours that cannot match rather than trying each
    /// minute, so a search costs at most a few thousand steps.
    public func next(after instant: Instant) -> Instant? {
        let minuteNanoseconds: Int64 = 60 * 1_000_000_000
        let (quotient, remainder) = instant.nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: minuteNanoseconds)
        let firstMinute = (remainder < 0 ? quotient - 1 : quotient) + 1
        guard let first = Instant(wide: Int128(firstMinute) * Int128(minuteNanoseconds)) else { return nil }
        var time = CivilTime(first)
        let lastYear = time.year + Self.horizonYears

        // Each pass either returns or moves `time` forward past at least one non-matching month, day, hour or
        // minute; the bound covers a day-by-day walk through the whole horizon.
        let maxSteps = (Self.horizonYears + 1) * (366 + 12) * 2
        for _ in 0..<maxSteps {
            guard time.year <= lastYear else { return nil }
            guard Self.has(months, time.month) else {
                if let month = Self.firstBit(of: months, from: time.month + 1, through: 12) {
                    time.month = month
                } else {
                    time.year += 1
                    time.month = Self.firstBit(of: months, from: 1, through: 12)!
                }
                time.day = 1
                time.hour = 0
                time.minute = 0
                continue
            }
            guard matchesDay(year: time.year, month: time.month, day: time.day) else {
                time.advanceDay()
                continue
            }
            guard let hour = Self.firstBit(of: hours, from: time.hour, through: 23) else {
                time.advanceDay()
                continue
            }
            if hour != time.hour {
                time.hour = hour
                time.minute = 0
            }
            guard let minute = Self.firstBit(of: minutes, from: time.minute, through: 59) else {
                time.minute = 0
                if time.hour == 23 { time.advanceDay() } else { time.hour += 1 }
                continue
            }
            time.minute = minute
            return time.instant
        }
        assertionFailure("cron '\(description)': search after \(instant) took more than \(maxSteps) steps")
        return nil
    }

    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        let weekday = CivilTime.weekday(daysSinceEpoch: CivilTime.days(fromCivilYear: year, month: month, day: day))
        let dayOfMonth = Self.has(daysOfMonth, day)
        let dayOfWeek = Self.has(daysOfWeek, weekday)
        if daysOfMonthRestricted && daysOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }

    static func has(_ mask: UInt64, _ value: Int) -> Bool { mask & (1 << UInt64(value)) != 0 }

    /// The smallest value in `lower...upper` whose bit is set.
    static func firstBit(of mask: UInt64, from lower: Int, through upper: Int) -> Int? {
        guard lower <= upper else { return nil }
        let candidates = mask & (UInt64.max << UInt64(lower))
        guard candidates != 0 else { return nil }
        let value = candidates.trailingZeroBitCount
        return value <= upper ? value : nil
    }
}

extension CivilTime {
    /// Midnight of the following day.
    fileprivate mutating func advanceDay() {
        hour = 0
        minute = 0
        day += 1
        guard day > CivilTime.daysInMonth(year: year, month: month) else { return }
        day = 1
        month += 1
        guard month > 12 else { return }
        month = 1
        year += 1
    }
}
