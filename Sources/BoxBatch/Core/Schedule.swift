public import BoxCore

/// When a job runs: an ISO 8601 repeating interval or a cron expression, both in UTC.
///
/// Pure: `next(after:)` is a function of the schedule and the instant alone, so the scheduler can ask it again after a
/// restart, or under a virtual clock, and get the same answer.
public enum Schedule: Hashable, Sendable, Codable, CustomStringConvertible {
    case repeating(RepeatingInterval)
    case cron(CronExpression)

    /// Parses "R/2026-01-01T00:00:00Z/PT1M", "R5/2026-01-01T00:00:00Z/P1D", "R//PT10S" (empty start = `now`),
    /// or a cron expression ("*/5 * * * *", "0 3 * * MON-FRI", "@daily", "@hourly" ...). Anything starting
    /// with "R" is ISO 8601, else cron. Surrounding whitespace is ignored.
    public static func parse(_ text: String, now: Instant) throws(ScheduleError) -> Schedule {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("R") {
            return .repeating(try RepeatingInterval.parse(trimmed, now: now))
        }
        do throws(CronError) {
            return .cron(try CronExpression.parse(trimmed))
        } catch {
            throw ScheduleError(message: error.message)
        }
    }

    /// The first time strictly after `instant` at which the job is due, or nil when the schedule has no more runs.
    public func next(after instant: Instant) -> Instant? {
        switch self {
        case .repeating(let interval): interval.next(after: instant)
        case .cron(let expression): expression.next(after: instant)
        }
    }

    /// Canonical text form (round-trips through parse; for an ISO interval the start is always written out).
    public var description: String {
        switch self {
        case .repeating(let interval): interval.description
        case .cron(let expression): expression.description
        }
    }

    // MARK: - Codable

    // A schedule travels as its text, the form users write and read in job definitions.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(ScheduleError) {
            // The written form always carries its start, so `now` is never consulted here.
            self = try Schedule.parse(text, now: .epoch)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why a schedule's text was rejected; the message quotes the text and names the part at fault.
public struct ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    public var description: String { message }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
