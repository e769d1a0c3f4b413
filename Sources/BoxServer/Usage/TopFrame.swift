public import BoxCore
import Foundation

/// What `clusterbox top` shows: the latest sample, with each task's CPU% worked out from the sample before. Pure:
/// the CLI fetches the samples and decides when to redraw.
public struct TopFrame: Codable, Sendable {
    public struct TaskRow: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var framework: String
        public var agent: String
        public var state: String
        /// Percent of one CPU over the last interval (100 = one CPU busy); nil until a task was seen twice.
        public var cpu_percent: Double?
        public var cpus_limit: Double
        public var mem_bytes: UInt64?
        public var mem_limit_bytes: UInt64
        public var cpu_seconds: Double?
        public var throttled_periods: Int?
    }

    public var agents: [TopSample.Agent]
    public var frameworks: [TopSample.Framework]
    /// By CPU% (highest first; unknown last), then by id.
    public var tasks: [TaskRow]

    public init(previous: TopSample?, current: TopSample) {
        agents = current.agents
        frameworks = current.frameworks
        var before: [String: ResourceStatistics] = [:]
        for task in previous?.tasks ?? [] { before[task.agent_id + "/" + task.id] = task.statistics }
        tasks = current.tasks.map { task in
            let statistics = task.statistics
            return TaskRow(
                id: task.id, name: task.name, framework: task.framework, agent: task.agent, state: task.state,
                cpu_percent: statistics.flatMap {
                    Self.cpuPercent(from: before[task.agent_id + "/" + task.id], to: $0)
                },
                cpus_limit: statistics?.cpus_limit ?? task.cpus,
                mem_bytes: statistics?.mem_total_bytes ?? statistics?.mem_rss_bytes,
                mem_limit_bytes: statistics?.mem_limit_bytes ?? UInt64(task.mem_mib) << 20,
                cpu_seconds: statistics?.cpuSeconds, throttled_periods: statistics?.cpus_nr_throttled)
        }
        tasks.sort { a, b in
            switch (a.cpu_percent, b.cpu_percent) {
            case (let x?, let y?) where x != y: x > y
            case (.some, nil): true
            case (nil, .some): false
            default: a.id < b.id
            }
        }
    }

    /// CPU time used between two readings over the time between them, in percent of one CPU. Nil when either
    /// figure is missing, time did not move forward, or the counter went back (a task restarted under the same
    /// id).
    public static func cpuPercent(from earlier: ResourceStatistics?, to later: ResourceStatistics) -> Double? {
        guard let earlier, let start = earlier.cpuSeconds, let end = later.cpuSeconds else { return nil }
        let elapsed = later.timestamp - earlier.timestamp
        guard elapsed > 0, end >= start else { return nil }
        return (end - start) / elapsed * 100
    }

    // MARK: - Text

    /// The frame as text: agents, frameworks, then tasks. `colour` adds ANSI bold headings (for a terminal).
    public func render(colour: Bool) -> String {
        var lines: [String] = []
        func heading(_ columns: [String], _ rows: [[String]]) {
            var table = TextTable.lines(columns, rows)
            if colour, !table.isEmpty { table[0] = "\u{1B}[1m" + table[0] + "\u{1B}[0m" }
            lines += table
            lines.append("")
        }
        heading(
            ["AGENT", "KIND", "STATE", "CPUS USED", "MEM USED"],
            agents.map {
                [
                    $0.hostname, $0.kind, $0.active ? "active" : "unreachable",
                    "\(Self.number($0.used_cpus))/\(Self.number($0.cpus))",
                    "\(Self.bytes(UInt64($0.used_mem_mib) << 20))/\(Self.bytes(UInt64($0.mem_mib) << 20))",
                ]
            })
        heading(
            ["FRAMEWORK", "ROLE", "TASKS", "DOMINANT SHARE"],
            frameworks.map {
                [
                    $0.name, $0.role, "\($0.tasks)",
                    String(format: "%.1f%%", $0.dominant_share * 100) + " " + $0.dominant_resource,
                ]
            })
        if tasks.isEmpty {
            lines.append("No running tasks.")
        } else {
            heading(
                ["TASK", "STATE", "AGENT", "CPU%", "CPUS", "MEM", "MEM LIMIT", "THROTTLED", "FRAMEWORK"],
                tasks.map {
                    [
                        $0.id, $0.state.replacingOccurrences(of: "TASK_", with: ""), $0.agent,
                        $0.cpu_percent.map { String(format: "%.1f", $0) } ?? "-", Self.number($0.cpus_limit),
                        $0.mem_bytes.map(Self.bytes) ?? "-", Self.bytes($0.mem_limit_bytes),
                        $0.throttled_periods.map(String.init) ?? "-", $0.framework,
                    ]
                })
            lines.removeLast()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Binary units, one decimal below 10: "512 B", "8.0 MiB", "1.5 GiB".
    public static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        return amount < 10
            ? String(format: "%.1f", amount) + " " + units[unit] : "\(Int(amount.rounded())) \(units[unit])"
    }

    /// 4, 0.25, 0.1: as many decimals as the value needs, at most two.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}

/// Left-aligned text columns, three spaces apart; the last column is not padded.
public enum TextTable {
    public static func lines(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }
    }
}
