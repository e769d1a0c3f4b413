import BoxCore

/// An ISO 8601 duration, `PnYnMnWnDTnHnMn[.f]S`: the period of a repeating interval.
///
/// The components are kept as written (less any zero ones), so a job shows the period its author chose: `PT90M`
/// stays `PT90M`. Years and months follow the calendar; weeks, days and the time part are fixed lengths, because
/// schedules run in UTC, where every day has 24 hours.
public struct ISO8601Duration: Hashable, Sendable, CustomStringConvertible {
    public private(set) var years = 0
    public private(set) var months = 0
    public private(set) var weeks = 0
    public private(set) var days = 0
    public private(set) var hours = 0
    public private(set) var minutes = 0
    /// The S component in nanoseconds, so a fraction such as `PT0.5S` stays exact.
    public private(set) var secondNanoseconds: Int64 = 0

    /// Y and M together, in months.
    public private(set) var calendarMonths = 0
    /// W, D, H, M and S together.
    public private(set) var fixedNanoseconds: Int64 = 0

    /// Ten thousand years: longer periods could never repeat inside `Instant`'s range anyway.
    static let maximumCalendarMonths = 120_000

    private init() {}

    /// Parses `P1D`, `PT1M`, `PT0.5S`, `P1Y2M3DT4H5M6S`, `P2W` ...; a zero duration is an error.
    public static func parse(_ text: String) throws(ScheduleError) -> ISO8601Duration {
        func fail(_ why: String) -> ScheduleError { ScheduleError(message: "duration '\(text)': \(why)") }

        let chars = Array(text)
        guard chars.first == "P" else { throw fail("must start with P") }
        var duration = ISO8601Duration()
        var index = 1
        var inTime = false
        var lastRank = -1  // components must appear in the order Y M W D T H M S, each at most once

        while index < chars.count {
            if chars[index] == "T" {
                guard !inTime else { throw fail("more than one T") }
                inTime = true
                index += 1
                continue
            }
            let whole = digits(in: chars, from: &index)
            var fraction: String?
            if index < chars.count, chars[index] == "." || chars[index] == "," {
                index += 1
                fraction = digits(in: chars, from: &index)
                guard fraction?.isEmpty == false else { throw fail("expected digits after the decimal point") }
            }
            guard !whole.isEmpty else { throw fail("expected a number at '\(String(chars[index...]))'") }
            guard index < chars.count else {
                throw fail("number \(whole) has no designator (Y, M, W or D; after T: H, M or S)")
            }
            let designator = chars[index]
            index += 1
            let rank = inTime ? ["H": 4, "M": 5, "S": 6][designator] : ["Y": 0, "M": 1, "W": 2, "D": 3][designator]
            guard let rank else {
                throw fail(
                    inTime
                        ? "unknown time designator '\(designator)' (expected H, M or S)"
                        : "unknown date designator '\(designator)' (expected Y, M, W or D; H, M and S follow a T)")
            }
            guard rank > lastRank else { throw fail("\(designator) is repeated or out of order (PnYnMnWnDTnHnMnS)") }
            lastRank = rank
            guard fraction == nil || rank == 6 else { throw fail("only seconds may have a fraction") }
            guard let value = Int(whole) else { throw fail("number \(whole) is too large") }
            switch rank {
            case 0: duration.years = value
            case 1: duration.months = value
            case 2: duration.weeks = value
            case 3: duration.days = value
            case 4: duration.hours = value
            case 5: duration.minutes = value
            default:
                let fractionDigits = fraction ?? ""
                guard fractionDigits.count <= 9 else { throw fail("fraction .\(fractionDigits) is finer than 1ns") }
                let nanos = Int(fractionDigits + String(repeating: "0", count: 9 - fractionDigits.count))!
                guard let total = Int64(exactly: Int128(value) * 1_000_000_000 + Int128(nanos)) else {
                    throw fail("number \(whole) is too large")
                }
                duration.secondNanoseconds = total
            }
        }
        guard lastRank >= 0 else { throw fail("no components") }
        guard !inTime || lastRank >= 4 else { throw fail("T with no time components after it") }

        let months = Int128(duration.years) * 12 + Int128(duration.months)
        let fixedSeconds =
            ((Int128(duration.weeks) * 7 + Int128(duration.days)) * 24 + Int128(duration.hours)) * 3600
            + Int128(duration.minutes) * 60
        guard months <= Int128(maximumCalendarMonths),
            let fixed = Int64(exactly: fixedSeconds * 1_000_000_000 + Int128(duration.secondNanoseconds))
        else { throw fail("too long") }
        guard months > 0 || fixed > 0 else { throw fail("zero length (a repeating interval needs a positive period)") }
        duration.calendarMonths = Int(months)
        duration.fixedNanoseconds = fixed
        return duration
    }

    /// The written form, without zero components: round-trips through `parse`.
    public var description: String {
        var text = "P"
        for (value, designator) in [(years, "Y"), (months, "M"), (weeks, "W"), (days, "D")] where value != 0 {
            text += "\(value)\(designator)"
        }
        guard hours != 0 || minutes != 0 || secondNanoseconds != 0 else { return text }
        text += "T"
        for (value, designator) in [(hours, "H"), (minutes, "M")] where value != 0 {
            text += "\(value)\(designator)"
        }
        if secondNanoseconds != 0 {
            let fraction = CivilTime.fraction(nanoseconds: Int(secondNanoseconds % 1_000_000_000))
            text += "\(secondNanoseconds / 1_000_000_000)\(fraction)S"
        }
        return text
    }

    private static func digits(in chars: [Character], from index: inout Int) -> String {
        let start = index
        while index < chars.count, chars[index].isASCII, chars[index].isNumber { index += 1 }
        return String(chars[start..<index])
    }
}
