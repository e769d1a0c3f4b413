import BoxCore
import Foundation

extension MetricsText {
    /// Per-task series from the statistics read for this scrape: CPU seconds, memory now and its limit, throttled
    /// CFS periods. A task without a figure (a process task has no throttling) has no sample in that series.
    static func tasks(_ usage: ClusterUsage) -> String {
        var lines: [String] = []
        func series(_ name: String, _ type: String, _ help: String, _ value: (ResourceStatistics) -> Double?) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for entry in usage.entries {
                guard let number = value(entry.usage.statistics) else { continue }
                let labels =
                    "task=\"\(escape(entry.usage.taskID.value))\",framework=\"\(escape(entry.usage.frameworkID.value))\","
                    + "agent=\"\(escape(entry.agentID.value))\""
                lines.append("\(name){\(labels)} \(text(number))")
            }
        }
        series("clusterbox_task_cpu_seconds_total", "counter", "CPU time a running task used (user and system).") {
            $0.cpuSeconds
        }
        series("clusterbox_task_memory_bytes", "gauge", "Memory charged to a running task now.") {
            $0.mem_total_bytes.map { Double($0) }
        }
        series("clusterbox_task_memory_limit_bytes", "gauge", "A running task's memory limit (its mem resource).") {
            $0.mem_limit_bytes.map { Double($0) }
        }
        series(
            "clusterbox_task_cpu_throttled_periods_total", "counter",
            "CFS periods in which a running task used up its CPU quota."
        ) { $0.cpus_nr_throttled.map { Double($0) } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value in the text format: backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Whole numbers without a fraction, others as Swift prints a Double (shortest exact form).
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
