public import BoxCore

/// Marathon's timestamps: UTC with milliseconds and a literal `Z` (`2026-01-02T03:04:05.678Z`), which is also
/// how app versions are written. The Python client rejects any other form.
public enum MarathonTime {
    public static func format(_ instant: Instant) -> String {
        let civil = CivilTime(instant)
        let date = "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))"
        let time = "\(pad(civil.hour, 2)):\(pad(civil.minute, 2)):\(pad(civil.second, 2))"
        return "\(date)T\(time).\(pad(civil.nanosecond / 1_000_000, 3))Z"
    }

    /// Reads `YYYY-MM-DDThh:mm:ss[.f…]Z`, the form `format` writes (0 to 9 fraction digits).
    public static func parse(_ text: String) -> Instant? {
        let chars = Array(text.utf8)
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        guard chars.count >= 20, chars.count <= 30, chars.last == UInt8(ascii: "Z"),
            separators.allSatisfy({ chars[$0.0] == $0.1.asciiValue })
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, chars[range].allSatisfy({ (48...57).contains($0) }) else { return nil }
            return chars[range].reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        var nanosecond = 0
        if chars.count > 20 {
            guard chars[19] == UInt8(ascii: "."), let fraction = number(20..<(chars.count - 1)) else { return nil }
            nanosecond = fraction * (0..<(30 - chars.count)).reduce(1) { value, _ in value * 10 }
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        return CivilTime(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanosecond: nanosecond
        ).instant
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
