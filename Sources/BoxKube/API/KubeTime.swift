public import BoxCore

/// Kubernetes times: RFC 3339 in UTC, to the second (`metav1.Time`) or the microsecond (`metav1.MicroTime`).
public enum KubeTime {
    /// `2026-11-27T04:02:18Z`.
    public static func format(_ instant: Instant) -> String {
        var civil = CivilTime(instant)
        civil.nanosecond = 0
        return civil.description
    }

    /// `2026-11-27T04:02:18.123456Z`.
    public static func formatMicro(_ instant: Instant) -> String {
        var civil = CivilTime(instant)
        civil.nanosecond = civil.nanosecond / 1000 * 1000
        let text = civil.description
        return text.contains(".") ? text : String(text.dropLast()) + ".000000Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (the Python client writes `+00:00`).
    public static func parse(_ text: String) -> Instant? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84 || bytes[10] == 116,
            bytes[13] == 58, bytes[16] == 58, let year = number(0..<4), let month = number(5..<7),
            let day = number(8..<10), let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var nanosecond = 0
        if bytes[index] == 46 {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { nanosecond = nanosecond * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 where digits < 9 { nanosecond *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        switch bytes[index] {
        case 90, 122: index += 1
        case 43, 45:
            guard let hours = number(index + 1..<index + 3), index + 3 < bytes.count, bytes[index + 3] == 58,
                let minutes = number(index + 4..<index + 6)
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == 45 ? -1 : 1)
            index += 6
        default: return nil
        }
        guard index == bytes.count,
            let instant = CivilTime(
                year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                nanosecond: nanosecond
            ).instant
        else { return nil }
        return instant + .seconds(-offsetSeconds)
    }
}
