extension CronExpression {
    /// Parses five fields (`*`, `5`, `1-5`, `*/15`, `1-30/2`, `5/10`, lists `1,3-5`, names JAN-DEC and SUN-SAT in
    /// any case, 0 or 7 for Sunday) or a macro (@yearly @annually @monthly @weekly @daily @midnight @hourly).
    /// `?` in a day field means the same as `*` (Kubernetes and Quartz write it).
    public static func parse(_ text: String) throws(CronError) -> CronExpression {
        func fail(_ why: String) -> CronError { CronError(message: "cron '\(text)': \(why)") }

        var fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        var description = fields.joined(separator: " ")
        if fields.count == 1, fields[0].hasPrefix("@") {
            description = fields[0].lowercased()
            guard let expansion = macros[description] else {
                throw fail(
                    "unknown macro \(fields[0]) (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight "
                        + "or @hourly)")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 else {
            throw fail("expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        do throws(CronError) {
            for day in [2, 4] where fields[day] == "?" { fields[day] = "*" }
            var daysOfWeek = try Field.dayOfWeek.parse(fields[4])
            // 7 is Sunday too; fold it onto 0 so matching needs only one weekday numbering.
            if has(daysOfWeek, 7) { daysOfWeek = daysOfWeek & ~(1 << 7) | 1 }
            return CronExpression(
                description: description, minutes: try Field.minute.parse(fields[0]),
                hours: try Field.hour.parse(fields[1]), daysOfMonth: try Field.dayOfMonth.parse(fields[2]),
                months: try Field.month.parse(fields[3]), daysOfWeek: daysOfWeek,
                daysOfMonthRestricted: !fields[2].hasPrefix("*"), daysOfWeekRestricted: !fields[4].hasPrefix("*"))
        } catch {
            throw fail(error.message)
        }
    }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    enum Field {
        case minute, hour, dayOfMonth, month, dayOfWeek

        var name: String {
            switch self {
            case .minute: "minute"
            case .hour: "hour"
            case .dayOfMonth: "day-of-month"
            case .month: "month"
            case .dayOfWeek: "day-of-week"
            }
        }

        var range: ClosedRange<Int> {
            switch self {
            case .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        /// Where `*` and `a/n` stop: Sunday counts once, as 0.
        private var last: Int { self == .dayOfWeek ? 6 : range.upperBound }

        /// Names in value order, starting at the field's lowest value.
        private var names: [String] {
            switch self {
            case .month: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
            case .dayOfWeek: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
            default: []
            }
        }

        /// The field's values as a bit set; messages name the field but not the expression (the caller adds it).
        func parse(_ text: String) throws(CronError) -> UInt64 {
            var mask: UInt64 = 0
            for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard !item.isEmpty else { throw fail("\(name) '\(text)' has an empty list item") }
                let pieces = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard pieces.count <= 2 else { throw fail("\(name) '\(item)' has more than one '/'") }
                var step = 1
                if pieces.count == 2 {
                    guard isNumber(pieces[1]), let value = Int(pieces[1]) else {
                        throw fail("\(name) step '\(pieces[1])' is not a number")
                    }
                    guard value >= 1 else { throw fail("\(name) step \(value) must be at least 1") }
                    step = value
                }
                let (low, high) = try bounds(of: pieces[0], stepped: pieces.count == 2)
                for value in stride(from: low, through: high, by: step) { mask |= 1 << UInt64(value) }
            }
            return mask
        }

        /// `*` is the whole field (Sunday only once), `a-b` a range, and a lone `a` with a step runs to the end.
        private func bounds(of base: String, stepped: Bool) throws(CronError) -> (Int, Int) {
            if base == "*" { return (range.lowerBound, last) }
            let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2 else { throw fail("\(name) range '\(base)' has more than one '-'") }
            let low = try value(ends[0])
            guard ends.count == 2 else { return (low, stepped ? last : low) }
            var high = try value(ends[1])
            // FRI-SUN reads naturally; Sunday closes a weekday range as 7.
            if self == .dayOfWeek, high == 0, low > 0 { high = 7 }
            guard low <= high else { throw fail("\(name) range '\(base)' runs backwards") }
            return (low, high)
        }

        private func value(_ text: String) throws(CronError) -> Int {
            if isNumber(text) {
                guard let value = Int(text), range.contains(value) else {
                    throw fail("\(name) \(text) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return value
            }
            if let index = names.firstIndex(of: text.uppercased()) { return range.lowerBound + index }
            switch self {
            case .month: throw fail("month '\(text)' is not a number or a month name (JAN-DEC)")
            case .dayOfWeek: throw fail("day-of-week '\(text)' is not a number or a weekday name (SUN-SAT)")
            default: throw fail("\(name) '\(text)' is not a number")
            }
        }

        private func isNumber(_ text: String) -> Bool {
            !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
        }

        private func fail(_ why: String) -> CronError { CronError(message: why) }
    }
}

/// Why a cron expression does not parse: `cron '0 0 * *': expected 5 fields (…), got 4`.
public struct CronError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
