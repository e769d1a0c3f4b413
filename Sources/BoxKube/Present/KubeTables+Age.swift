import BoxCore

/// Ages and durations as `kubectl get` prints them.
extension KubeTables {
    /// Upstream's `duration.HumanDuration` (k8s.io/apimachinery/pkg/util/duration): seconds below two minutes,
    /// minutes and seconds below ten minutes, hours and minutes below eight hours, days and hours below eight days,
    /// years and days below eight years. Clock skew of up to a second reads as `0s`; more is `<invalid>`.
    public static func humanDuration(_ duration: Duration) -> String {
        let nanoseconds = duration.nanoseconds
        // Go's `int(d.Seconds())` truncates towards zero.
        let seconds = Int(nanoseconds / 1_000_000_000)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// Upstream's `translateTimestampSince`: the human duration from a timestamp to `now`, `<unknown>` when the
    /// timestamp is missing or unreadable.
    static func since(_ timestamp: JSONValue?, now: Instant) -> String {
        guard let text = timestamp?.stringValue, let instant = KubeTime.parse(text) else { return "<unknown>" }
        return humanDuration(now - instant)
    }

    /// The Age cell: time since `metadata.creationTimestamp`.
    static func age(_ object: JSONValue, now: Instant) -> JSONValue {
        .string(since(object[path: ["metadata", "creationTimestamp"]], now: now))
    }
}
