public import BoxCore

/// The pure arithmetic of a Deployment rollout (upstream `deployment/util` and `rolling.go`), kept apart from the
/// API so tests drive it with numbers.
public enum RolloutMath {
    /// An `intstr` of a rolling update: `3` or `"25%"`, resolved against `total`; a percentage rounds up when
    /// `roundUp` (maxSurge) and down otherwise (maxUnavailable). Nil when malformed.
    public static func resolve(_ value: JSONValue?, default fallback: String, total: Int, roundUp: Bool) -> Int? {
        let value = value ?? .string(fallback)
        if let int = value.intValue { return int >= 0 ? int : nil }
        guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int(text.dropLast()), percent >= 0
        else { return nil }
        let scaled = percent * total
        return roundUp ? (scaled + 99) / 100 : scaled / 100
    }

    /// maxSurge and maxUnavailable of a RollingUpdate strategy; both 0 makes unavailable 1 (upstream
    /// `ResolveFenceposts`), so a rollout can always move.
    public static func fenceposts(_ rollingUpdate: JSONValue?, replicas: Int) -> (surge: Int, unavailable: Int) {
        let surge = resolve(rollingUpdate?["maxSurge"], default: "25%", total: replicas, roundUp: true) ?? 0
        var unavailable =
            resolve(rollingUpdate?["maxUnavailable"], default: "25%", total: replicas, roundUp: false) ?? 0
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, min(unavailable, replicas))
    }

    /// One ReplicaSet as the rollout sees it.
    public struct Set: Equatable, Sendable {
        /// `spec.replicas`.
        public var replicas: Int
        /// Pods it has now, including terminating ones (surge counts what exists).
        public var pods: Int
        /// Pods available now.
        public var available: Int

        public init(replicas: Int, pods: Int, available: Int) {
            self.replicas = replicas
            self.pods = pods
            self.available = available
        }

        /// Pods counted against maxSurge: what the spec asks or what exists, whichever is more.
        var footprint: Int { max(replicas, pods) }
        /// Available pods that survive a scale-down to `replicas` (surplus not-ready pods go first).
        var keptAvailable: Int { min(available, replicas) }
    }

    /// The new ReplicaSet's replicas after one rolling step up (upstream `NewRSNewReplicas`): up to the desired
    /// count, without pods (existing or asked for) exceeding `replicas + surge`.
    public static func scaleUpNew(_ new: Set, old: [Set], replicas: Int, surge: Int) -> Int {
        if new.replicas >= replicas { return replicas }
        let current = ([new] + old).reduce(0) { $0 + $1.footprint }
        let room = replicas + surge - current
        if room <= 0 { return new.replicas }
        return new.replicas + min(room, replicas - new.replicas)
    }

    /// The old ReplicaSets' replicas after one rolling step down (upstream `reconcileOldReplicaSets`), `old` oldest
    /// first: first unhealthy replicas go, then available ones as long as `replicas - unavailable` stay available.
    public static func scaleDownOld(_ old: [Set], new: Set, replicas: Int, unavailable: Int) -> [Int] {
        var result = old.map(\.replicas)
        let oldTotal = result.reduce(0, +)
        if oldTotal == 0 { return result }
        let all = oldTotal + new.replicas
        let minAvailable = replicas - unavailable
        let newUnavailable = new.replicas - new.keptAvailable
        var budget = all - minAvailable - newUnavailable
        if budget <= 0 { return result }
        // Unhealthy replicas first: they cost no availability.
        for index in old.indices where budget > 0 {
            let unhealthy = result[index] - old[index].keptAvailable
            let cut = min(budget, max(unhealthy, 0))
            result[index] -= cut
            budget -= cut
        }
        // Then available ones, down to minAvailable.
        let available = old.indices.reduce(new.keptAvailable) { $0 + min(old[$1].available, result[$1]) }
        var allowed = min(available - minAvailable, budget)
        for index in old.indices where allowed > 0 {
            let cut = min(allowed, result[index])
            result[index] -= cut
            allowed -= cut
        }
        return result
    }

    /// Spreads a change of the total to `target` over `replicas` in proportion (paused or mid-rollout scaling);
    /// the rounding leftover goes to the first (newest) set.
    public static func proportional(_ replicas: [Int], target: Int) -> [Int] {
        let total = replicas.reduce(0, +)
        guard !replicas.isEmpty else { return [] }
        guard total > 0 else { return [target] + Array(repeating: 0, count: replicas.count - 1) }
        var result = replicas.map { $0 * target / total }
        result[0] += target - result.reduce(0, +)
        return result
    }
}

/// The name suffix of a Deployment's ReplicaSets (`pod-template-hash`).
public enum PodTemplateHash {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// FNV-32a of the template's canonical JSON text (plus the collision count, when set), written in decimal and
    /// each digit mapped through upstream's `SafeEncodeString` alphabet.
    public static func of(_ template: JSONValue, collisionCount: Int? = nil) -> String {
        var hash: UInt32 = 0x811c_9dc5
        var text = template.text
        if let collisionCount { text += String(collisionCount) }
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return String(String(hash).utf8.map { alphabet[Int($0) % alphabet.count] })
    }
}
