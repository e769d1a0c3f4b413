public import BoxCore

/// A CronJob's `schedule`: five fields (`minute hour day-of-month month day-of-week`, each `*`, `N`, `A-B`, a
/// `/step` after either, lists of these, month and weekday names, 7 for Sunday) or a macro (`@hourly`, `@daily`,
/// `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`), evaluated in UTC. Day matching is cron's: when both
/// day fields are restricted a day matches if either does.
///
/// BoxBatch has an equivalent `CronExpression`; BoxKube does not depend on BoxBatch, so this small one stands in
/// until that parser moves to BoxCore.
public struct CronSchedule: Hashable, Sendable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let daysOfMonthRestricted: Bool
    let daysOfWeekRestricted: Bool

    /// The parse error's text, as the CronJob's event and validation show it.
    public struct Invalid: Error, Hashable, Sendable {
        public var message: String
    }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = [
        "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10,
        "NOV": 11, "DEC": 12,
    ]
    private static let dayNames = ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]

    public init(parsing text: String) throws(Invalid) {
        var fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if fields.count == 1, fields[0].hasPrefix("@") {
            guard let expansion = Self.macros[fields[0].lowercased()] else {
                throw Invalid(message: "unrecognized descriptor: \(fields[0])")
            }
            fields = expansion.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 else {
            throw Invalid(message: "expected exactly 5 fields, found \(fields.count): \(text)")
        }
        minutes = try Self.field(fields[0], 0...59, names: [:])
        hours = try Self.field(fields[1], 0...23, names: [:])
        daysOfMonth = try Self.field(fields[2], 1...31, names: [:])
        months = try Self.field(fields[3], 1...12, names: Self.monthNames)
        var days = try Self.field(fields[4], 0...7, names: Self.dayNames)
        if days.remove(7) != nil { days.insert(0) }
        daysOfWeek = days
        daysOfMonthRestricted = !fields[2].hasPrefix("*") && !fields[2].hasPrefix("?")
        daysOfWeekRestricted = !fields[4].hasPrefix("*") && !fields[4].hasPrefix("?")
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, names: [String: Int]) throws(Invalid)
        -> Set<Int>
    {
        func value(_ part: Substring) throws(Invalid) -> Int {
            if let number = Int(part), range.contains(number) { return number }
            if let named = names[part.uppercased()] { return named }
            throw Invalid(
                message: "invalid value \(part) in '\(text)' (expected \(range.lowerBound)-\(range.upperBound))")
        }
        var values: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, let base = pieces.first, !base.isEmpty else {
                throw Invalid(message: "invalid field '\(text)'")
            }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw Invalid(message: "invalid step in '\(text)'")
                }
                step = parsed
            }
            var lower = range.lowerBound
            var upper = range.upperBound
            if base != "*" && base != "?" {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2 else { throw Invalid(message: "invalid range in '\(text)'") }
                lower = try value(bounds[0])
                upper = bounds.count == 2 ? try value(bounds[1]) : (pieces.count == 2 ? range.upperBound : lower)
                guard lower <= upper else { throw Invalid(message: "range \(base) is backwards in '\(text)'") }
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// The first whole minute strictly after `instant` that matches, or nil when none comes within about five
    /// years (`0 0 30 2 *`). Skips whole days and hours that cannot match.
    public func next(after instant: Instant) -> Instant? {
        let minute: Int64 = 60_000_000_000
        let (quotient, remainder) = instant.nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: minute)
        var minutes = (remainder < 0 ? quotient - 1 : quotient) + 1
        let limit = minutes + 5 * 366 * 24 * 60
        while minutes < limit {
            let time = CivilTime(Instant(nanosecondsSinceEpoch: minutes * minute))
            let startOfDay = minutes - Int64(time.hour * 60 + time.minute)
            if !months.contains(time.month) || !matchesDay(time) {
                minutes = startOfDay + 24 * 60
            } else if !hours.contains(time.hour) {
                minutes = minutes - Int64(time.minute) + 60
            } else if !self.minutes.contains(time.minute) {
                minutes += 1
            } else {
                return Instant(nanosecondsSinceEpoch: minutes * minute)
            }
        }
        return nil
    }

    private func matchesDay(_ time: CivilTime) -> Bool {
        let dayOfMonth = daysOfMonth.contains(time.day)
        let dayOfWeek = daysOfWeek.contains(time.weekday)
        if daysOfMonthRestricted && daysOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }
}
