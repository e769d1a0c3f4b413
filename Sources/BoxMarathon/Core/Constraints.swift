public import BoxCore

/// Placement by Marathon's constraint operators (reference §3.1): may one more task of the app go to this agent,
/// given where its other tasks already are? Values are compared as strings; the field `hostname` (or `@hostname`)
/// is the agent's hostname, any other field an agent attribute (`@region`, `@zone` read the attributes `region`
/// and `zone`, as clusterbox agents carry their domain as plain attributes).
extension Constraint {
    /// - Parameters:
    ///   - placed: the agents of the app's tasks that count (running or launching), one entry per task.
    ///   - instances: the app's target instance count. Marathon's rules do not need it (GROUP_BY balances on the
    ///     counts alone), so it is unused today; callers pass it so a spreading rule can use it without changing them.
    public func allows(
        agentHostname: String, attributes: Labels, placed: [(hostname: String, attributes: Labels)], instances: Int = 0
    ) -> Bool {
        // An agent without the attribute satisfies no rule about its value, only "does not match" (UNLIKE).
        guard let candidate = fieldValue(hostname: agentHostname, attributes: attributes) else { return op == .unlike }
        let values = placed.compactMap { fieldValue(hostname: $0.hostname, attributes: $0.attributes) }
        switch op {
        case .unique:
            return !values.contains(candidate)
        case .cluster:
            // Without a value, the first placed task decides where all the others go.
            guard let target = value ?? values.first else { return true }
            return candidate == target
        case .groupBy:
            return groupByAllows(candidate, values: values)
        case .maxPer:
            guard let limit = value.flatMap({ Int($0) }) else { return false }
            return values.count(where: { $0 == candidate }) < limit
        case .like:
            return matches(candidate)
        case .unlike:
            return !matches(candidate)
        case .is:
            return candidate == value
        }
    }

    /// Even spreading: a value may take another task only when it has no more tasks than the least used value
    /// seen. With an expected number of distinct values, while fewer than that have tasks the minimum is 0, so only
    /// values without tasks are accepted, as Marathon does (which also means a cluster with fewer distinct values
    /// than expected stops placing once each has a task).
    private func groupByAllows(_ candidate: String, values: [String]) -> Bool {
        var counts: [String: Int] = [:]
        for value in values { counts[value, default: 0] += 1 }
        let expected = value.flatMap { Int($0) } ?? 0
        let minimum = counts.count < expected ? 0 : (counts.values.min() ?? 0)
        return counts[candidate, default: 0] <= minimum
    }

    /// Full-string match; an invalid pattern (rejected at validation) matches nothing.
    private func matches(_ candidate: String) -> Bool {
        guard let value, let regex = try? Regex(value) else { return false }
        return (try? regex.wholeMatch(in: candidate)) != nil
    }

    func fieldValue(hostname: String, attributes: Labels) -> String? {
        if field == "hostname" || field == "@hostname" { return hostname }
        if let exact = attributes[field] { return exact }
        return field.hasPrefix("@") ? attributes[String(field.dropFirst())] : nil
    }
}

extension App {
    /// Whether one more task may go to this agent under all of the app's constraints.
    public func allows(hostname: String, attributes: Labels, placed: [(hostname: String, attributes: Labels)]) -> Bool {
        constraints.allSatisfy {
            $0.allows(agentHostname: hostname, attributes: attributes, placed: placed, instances: instances)
        }
    }
}
