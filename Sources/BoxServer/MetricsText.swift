import BoxCore
import BoxMaster

/// `/metrics` in the Prometheus text format, read straight off the master core's counters and state, and the
/// flat `/metrics/snapshot` JSON Mesos tools read.
enum MetricsText {
    static func render(core: MasterCore, timings: MasterTimings, listeners: Int) -> String {
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in samples {
                let number = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
                lines.append("\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(number)")
            }
        }
        let agents = Array(core.agents.values)
        metric(
            "clusterbox_master_agents", "gauge", "Registered agents by state.",
            [
                ("state=\"active\"", Double(agents.filter(\.isActive).count)),
                ("state=\"unreachable\"", Double(agents.filter { !$0.isActive }.count)),
                ("state=\"removed\"", Double(core.removedAgents.count)),
            ])
        metric(
            "clusterbox_master_frameworks", "gauge", "Frameworks by state.",
            [
                ("state=\"connected\"", Double(core.frameworks.values.filter(\.connected).count)),
                ("state=\"disconnected\"", Double(core.frameworks.values.filter { !$0.connected }.count)),
                ("state=\"completed\"", Double(core.completedFrameworks.count)),
            ])
        let c = core.counters
        metric(
            "clusterbox_master_offers_total", "counter", "Offers by what became of them.",
            [
                ("result=\"made\"", Double(c.offersMade)), ("result=\"accepted\"", Double(c.offersAccepted)),
                ("result=\"declined\"", Double(c.offersDeclined)), ("result=\"rescinded\"", Double(c.offersRescinded)),
            ])
        metric(
            "clusterbox_master_offers_outstanding", "gauge", "Offers not yet answered.",
            [("", Double(core.offers.count))])
        var byState: [TaskState: Int] = [:]
        for task in core.tasks.values { byState[task.state, default: 0] += 1 }
        for framework in core.frameworks.values {
            for task in framework.completedTasks { byState[task.state, default: 0] += 1 }
        }
        metric(
            "clusterbox_master_tasks", "gauge", "Tasks by state (completed tasks as far as they are kept).",
            TaskState.allCases.map { ("state=\"\($0.rawValue)\"", Double(byState[$0, default: 0])) })
        metric("clusterbox_master_tasks_launched_total", "counter", "Tasks launched.", [("", Double(c.tasksLaunched))])
        metric(
            "clusterbox_master_tasks_invalid_total", "counter", "Tasks refused with TASK_ERROR.",
            [("", Double(c.tasksInvalid))])
        metric(
            "clusterbox_master_status_updates_resent_total", "counter",
            "Status updates resent for want of an acknowledgement.",
            [("", Double(c.statusUpdatesResent))])
        metric(
            "clusterbox_master_allocation_seconds", "summary", "Time of allocation passes.",
            [("quantile=\"1\"", timings.lastSeconds)])
        lines.append("clusterbox_master_allocation_seconds_sum \(timings.totalSeconds)")
        lines.append("clusterbox_master_allocation_seconds_count \(timings.count)")
        let total = core.clusterTotal
        let used = agents.filter(\.isActive).reduce(Resources.zero) { $0 + $1.used.scalars }
        let offered = agents.filter(\.isActive).reduce(Resources.zero) { $0 + $1.offered.scalars }
        var resourceSamples: [(String, Double)] = []
        for (kind, r) in [("total", total), ("used", used), ("offered", offered)] {
            resourceSamples += [
                ("resource=\"cpus\",kind=\"\(kind)\"", r.cpus),
                ("resource=\"mem\",kind=\"\(kind)\"", Double(r.memoryMiB)),
                ("resource=\"disk\",kind=\"\(kind)\"", Double(r.diskMiB)),
                ("resource=\"gpus\",kind=\"\(kind)\"", Double(r.gpus)),
            ]
        }
        metric(
            "clusterbox_master_resources", "gauge", "Cluster resources (cpus; mem and disk in MiB).", resourceSamples)
        metric("clusterbox_master_event_listeners", "gauge", "Clients of the event stream.", [("", Double(listeners))])
        return lines.joined(separator: "\n") + "\n"
    }

    static func snapshot(core: MasterCore) -> [String: Double] {
        let agents = Array(core.agents.values)
        let total = core.clusterTotal
        let used = agents.filter(\.isActive).reduce(Resources.zero) { $0 + $1.used.scalars }
        return [
            "master/elected": 1, "master/uptime_secs": 0,
            "master/slaves_active": Double(agents.filter(\.isActive).count),
            "master/slaves_unreachable": Double(agents.filter { !$0.isActive }.count),
            "master/frameworks_active": Double(core.frameworks.values.filter(\.connected).count),
            "master/tasks_running": Double(core.tasks.values.filter { $0.state == .running }.count),
            "master/tasks_staging": Double(core.tasks.values.filter { $0.state == .staging }.count),
            "master/outstanding_offers": Double(core.offers.count),
            "master/cpus_total": total.cpus, "master/cpus_used": used.cpus,
            "master/mem_total": Double(total.memoryMiB), "master/mem_used": Double(used.memoryMiB),
            "master/disk_total": Double(total.diskMiB), "master/disk_used": Double(used.diskMiB),
        ]
    }
}
