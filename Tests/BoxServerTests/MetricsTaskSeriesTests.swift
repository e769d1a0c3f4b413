import BoxCore
import Testing

@testable import BoxServer

/// The per-task series of `/metrics`, from statistics made by hand.
struct MetricsTaskSeriesTests {
    @Test func everyMeasuredFigureIsASampleWithTaskFrameworkAndAgentLabels() {
        var contained = ResourceStatistics(timestamp: 1)
        contained.cpus_user_time_secs = 1.25
        contained.cpus_system_time_secs = 0.25
        contained.mem_total_bytes = 4_194_304
        contained.mem_limit_bytes = 67_108_864
        contained.cpus_nr_throttled = 12
        var process = ResourceStatistics(timestamp: 1)
        process.cpus_user_time_secs = 2
        process.cpus_system_time_secs = 0
        let usage = ClusterUsage([
            .init(
                agentID: "a2",
                usage: TaskUsage(taskID: "web.\"1\"", frameworkID: "f1", source: "proc", statistics: process)),
            .init(
                agentID: "a1",
                usage: TaskUsage(taskID: "t1", frameworkID: "f1", source: "cgroup", statistics: contained)),
        ])
        let text = MetricsText.tasks(usage)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# TYPE clusterbox_task_cpu_seconds_total counter"))
        #expect(lines.contains("# HELP clusterbox_task_memory_bytes Memory charged to a running task now."))
        #expect(lines.contains("clusterbox_task_cpu_seconds_total{task=\"t1\",framework=\"f1\",agent=\"a1\"} 1.5"))
        #expect(
            lines.contains("clusterbox_task_cpu_seconds_total{task=\"web.\\\"1\\\"\",framework=\"f1\",agent=\"a2\"} 2"))
        #expect(lines.contains("clusterbox_task_memory_bytes{task=\"t1\",framework=\"f1\",agent=\"a1\"} 4194304"))
        #expect(
            lines.contains("clusterbox_task_memory_limit_bytes{task=\"t1\",framework=\"f1\",agent=\"a1\"} 67108864"))
        #expect(
            lines.contains("clusterbox_task_cpu_throttled_periods_total{task=\"t1\",framework=\"f1\",agent=\"a1\"} 12"))
        // The process task has no memory figure or throttling here: no sample rather than a made-up 0.
        #expect(lines.filter { $0.contains("agent=\"a2\"") }.count == 1)
        #expect(usage.statistics(agent: "a1", task: "t1") == contained)
        #expect(usage.statistics(agent: "a2", task: "t1") == nil)
    }
}
