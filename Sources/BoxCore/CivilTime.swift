/// A UTC calendar date and time of day in the proleptic Gregorian calendar.
///
/// Schedules do their calendar arithmetic here rather than with Foundation's `Calendar`, so the core stays pure and
/// gives the same answer on every host, whatever its time zone. The day arithmetic is Howard Hinnant's
/// `days_from_civil` / `civil_from_days`, which is exact for any year without tables.
public struct CivilTime: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    /// 1 through 12.
    public var month: Int
    /// 1 through the month's length.
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var nanosecond: Int

    public static let nanosecondsPerDay: Int64 = 86_400 * 1_000_000_000

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, nanosecond: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
    }

    public init(_ instant: Instant) {
        let ns = instant.nanosecondsSinceEpoch
        // Floor division, so instants before 1970 land on the right day with a non-negative time of day.
        var days = ns / Self.nanosecondsPerDay
        var timeOfDay = ns % Self.nanosecondsPerDay
        if timeOfDay < 0 {
            days -= 1
            timeOfDay += Self.nanosecondsPerDay
        }
        let date = Self.civil(fromDays: Int(days))
        let seconds = Int(timeOfDay / 1_000_000_000)
        self.init(
            year: date.year, month: date.month, day: date.day, hour: seconds / 3600, minute: seconds / 60 % 60,
            second: seconds % 60, nanosecond: Int(timeOfDay % 1_000_000_000))
    }

    /// Days since 1970-01-01 of this date.
    public var daysSinceEpoch: Int { Self.days(fromCivilYear: year, month: month, day: day) }

    /// Nanoseconds since the epoch, wide enough that far-off dates do not trap; `instant` narrows it.
    package var wideNanoseconds: Int128 {
        let seconds = Int128(daysSinceEpoch) * 86_400 + Int128(hour * 3600 + minute * 60 + second)
        return seconds * 1_000_000_000 + Int128(nanosecond)
    }

    /// The instant, or nil when it lies outside what `Instant` can hold (about 1678 through 2261).
    public var instant: Instant? { Instant(wide: wideNanoseconds) }

    /// 0 = Sunday through 6 = Saturday, as cron counts.
    public var weekday: Int { Self.weekday(daysSinceEpoch: daysSinceEpoch) }

    /// ISO 8601 in UTC: `2026-01-01T00:00:00Z`, with a fraction only when there is one.
    public var description: String {
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        let time = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        return "\(date)T\(time)\(Self.fraction(nanoseconds: nanosecond))Z"
    }

    // MARK: - Calendar arithmetic

    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int {
        // Count from March so the leap day falls at the end of the (shifted) year.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// 1970-01-01 was a Thursday (4).
    public static func weekday(daysSinceEpoch days: Int) -> Int {
        ((days % 7) + 7 + 4) % 7
    }

    /// `.5`, `.25`, `.000000001`: the shortest fraction of a second that is exact, or "" for none.
    package static func fraction(nanoseconds: Int) -> String {
        guard nanoseconds != 0 else { return "" }
        var digits = pad(nanoseconds, 9)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }
}

extension Instant {
    /// Narrows a wide nanosecond count, or nil when it does not fit.
    package init?(wide: Int128) {
        guard let ns = Int64(exactly: wide) else { return nil }
        self.init(nanosecondsSinceEpoch: ns)
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
