public import BoxCore

/// Marathon's timestamps: ISO 8601 in UTC with milliseconds and a literal `Z` (`2026-01-02T03:04:05.678Z`).
///
/// The Python client parses them with `strptime('%Y-%m-%dT%H:%M:%S.%fZ')` (or without the fraction), so an offset
/// such as `+00:00` or an epoch number makes it raise on every task, app and event. Formatting is done here by hand
/// (Howard Hinnant's civil-from-days, as in BoxBatch's CivilTime) so the core needs no Foundation and no time zone.
public enum Timestamp {
    /// Always three fraction digits; sub-millisecond precision is truncated towards the past.
    public static func format(_ instant: Instant) -> String {
        let ms = floorDivide(instant.nanosecondsSinceEpoch, 1_000_000)
        let days = floorDivide(ms, 86_400_000)
        let msOfDay = Int(ms - days * 86_400_000)
        let date = civil(fromDays: Int(days))
        let seconds = msOfDay / 1000
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
            + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: what we write, what Marathon writes (sometimes without the
    /// fraction) and what users paste from elsewhere. nil when it is anything else.
    public static func parse(_ text: String) -> Instant? {
        let chars = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count, range.allSatisfy({ isDigit(chars[$0]) }) else { return nil }
            return range.reduce(0) { $0 * 10 + Int(chars[$1] - UInt8(ascii: "0")) }
        }
        guard chars.count >= 20, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t"),
            chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var nanoseconds: Int64 = 0
        if chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale: Int64 = 100_000_000
            let start = index
            while index < chars.count, isDigit(chars[index]) {
                nanoseconds += Int64(chars[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard let offsetSeconds = zoneOffset(chars[index...]) else { return nil }
        let days = Int64(days(fromCivilYear: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        // Instant holds about 1678 through 2261; anything outside is not a time this cluster has seen.
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        return Instant(nanosecondsSinceEpoch: scaled + nanoseconds)
    }

    /// `Z` → 0, `+01:30` → 5400; nil for anything else.
    private static func zoneOffset(_ rest: ArraySlice<UInt8>) -> Int? {
        let zone = Array(rest)
        if zone == [UInt8(ascii: "Z")] || zone == [UInt8(ascii: "z")] { return 0 }
        guard zone.count == 6, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
            zone[3] == UInt8(ascii: ":"),
            [1, 2, 4, 5].allSatisfy({ isDigit(zone[$0]) })
        else { return nil }
        let value = { (i: Int) in Int(zone[i] - UInt8(ascii: "0")) }
        let hours = value(1) * 10 + value(2)
        let minutes = value(4) * 10 + value(5)
        guard hours < 24, minutes < 60 else { return nil }
        return (zone[0] == UInt8(ascii: "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, exact for any year)

    static func days(fromCivilYear year: Int, month: Int, day: Int) -> Int {
        // Count from March so the leap day falls at the end of the shifted year.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
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

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return a % b < 0 ? quotient - 1 : quotient
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
