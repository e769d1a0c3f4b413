public import BoxCore

/// Marathon's timestamps: ISO 8601 in UTC with milliseconds and a literal `Z` (`2026-01-02T03:04:05.678Z`).
///
/// The Python client parses them with `strptime('%Y-%m-%dT%H:%M:%S.%fZ')` (or without the fraction), so an offset
/// such as `+00:00` or an epoch number makes it raise on every task, app and event. The calendar arithmetic is
/// BoxCore's `CivilTime`, so the core needs no Foundation and no time zone.
public enum Timestamp {
    /// Always three fraction digits; sub-millisecond precision is truncated towards the past.
    public static func format(_ instant: Instant) -> String {
        let civil = CivilTime(instant)
        return "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))T"
            + "\(pad(civil.hour, 2)):\(pad(civil.minute, 2)):\(pad(civil.second, 2)).\(pad(civil.nanosecond / 1_000_000, 3))Z"
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
            (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
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
        let days = Int64(CivilTime.days(fromCivilYear: year, month: month, day: day))
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

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
