import BoxCore

/// Pods: Ready `r/t`, the Status reason upstream derives from phase and container states, Restarts with the time
/// of the last one.
extension KubeTables {
    static let podPrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "Ready", type: "string",
                description: "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn(
                name: "Status", type: "string", description: "The aggregate status of the containers in this pod."),
            TableColumn(
                name: "Restarts", type: "string",
                description:
                    "The number of times the containers in this pod have been restarted and when the last container "
                    + "in this pod has restarted."),
            .age,
            TableColumn(
                name: "IP", type: "string",
                description:
                    "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
                    + "allocated.",
                priority: 1),
            TableColumn(
                name: "Node", type: "string",
                description:
                    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for "
                    + "preemption by the scheduler.",
                priority: 1),
            TableColumn(
                name: "Nominated Node", type: "string",
                description:
                    "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be "
                    + "scheduled right away as preemption victims receive their graceful termination periods.",
                priority: 1),
            TableColumn(
                name: "Readiness Gates", type: "string",
                description:
                    "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all "
                    + "its containers are ready AND all conditions specified in the readiness gates have status "
                    + "equal to \"True\"",
                priority: 1),
        ],
        cells: { podCells($0, now: $1) },
        conditions: { pod in
            switch pod[path: ["status", "phase"]]?.stringValue {
            case "Succeeded":
                [
                    [
                        "type": "Completed", "status": "True", "reason": "Succeeded",
                        "message": "The pod has completed successfully.",
                    ]
                ]
            case "Failed": [["type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."]]
            default: []
            }
        })

    /// The pod's summary, upstream's `printPod`.
    struct PodSummary: Equatable {
        var ready = 0
        var total = 0
        var reason = ""
        var restarts = 0
        /// When the last restarted container last terminated.
        var lastRestart: Instant?
    }

    static func podCells(_ pod: JSONValue, now: Instant) -> [JSONValue] {
        let summary = podSummary(pod)
        var restarts = String(summary.restarts)
        if summary.restarts != 0, let last = summary.lastRestart {
            restarts += " (\(humanDuration(now - last)) ago)"
        }
        func orNone(_ text: String) -> JSONValue { .string(text.isEmpty ? "<none>" : text) }
        let podIP =
            pod[path: ["status", "podIPs"]]?.arrayValue?.first?["ip"]?.stringValue
            ?? pod[path: ["status", "podIP"]]?.stringValue ?? ""
        return [
            .string(pod.name), .string("\(summary.ready)/\(summary.total)"), .string(summary.reason),
            .string(restarts), age(pod, now: now), orNone(podIP), orNone(string(pod, ["spec", "nodeName"])),
            orNone(string(pod, ["status", "nominatedNodeName"])), .string(readinessGates(pod)),
        ]
    }

    static func podSummary(_ pod: JSONValue) -> PodSummary {
        var summary = PodSummary()
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        func conditionTrue(_ type: String) -> Bool {
            conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        let phase = string(pod, ["status", "phase"])
        let statusReason = string(pod, ["status", "reason"])
        summary.reason = statusReason.isEmpty ? phase : statusReason
        if conditions.contains(where: {
            $0["type"]?.stringValue == "PodScheduled" && $0["reason"]?.stringValue == "SchedulingGated"
        }) {
            summary.reason = "SchedulingGated"
        }

        let initSpecs = pod[path: ["spec", "initContainers"]]?.arrayValue ?? []
        summary.total = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).count
        var restartable: Set<String> = []
        for spec in initSpecs where spec["restartPolicy"]?.stringValue == "Always" {
            restartable.insert(spec["name"]?.stringValue ?? "")
            summary.total += 1
        }

        var sidecarRestarts = 0
        var sidecarLastRestart: Instant?
        var initializing = false
        for (index, status) in (pod[path: ["status", "initContainerStatuses"]]?.arrayValue ?? []).enumerated() {
            let isSidecar = restartable.contains(status["name"]?.stringValue ?? "")
            let count = status["restartCount"]?.intValue ?? 0
            let finished = lastTerminated(status)
            summary.restarts += count
            summary.lastRestart = later(summary.lastRestart, finished)
            if isSidecar {
                sidecarRestarts += count
                sidecarLastRestart = later(sidecarLastRestart, finished)
            }
            let terminated = status[path: ["state", "terminated"]]
            let waitingReason = status[path: ["state", "waiting", "reason"]]?.stringValue ?? ""
            if let terminated, terminated["exitCode"]?.intValue ?? 0 == 0 { continue }
            if isSidecar, status["started"]?.boolValue == true {
                if status["ready"]?.boolValue == true { summary.ready += 1 }
                continue
            }
            if let terminated {
                let reason = terminated["reason"]?.stringValue ?? ""
                if !reason.isEmpty {
                    summary.reason = "Init:" + reason
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    summary.reason = "Init:Signal:\(signal)"
                } else {
                    summary.reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if !waitingReason.isEmpty, waitingReason != "PodInitializing" {
                summary.reason = "Init:" + waitingReason
            } else {
                summary.reason = "Init:\(index)/\(initSpecs.count)"
            }
            initializing = true
            break
        }

        if !initializing || conditionTrue("Initialized") {
            summary.restarts = sidecarRestarts
            summary.lastRestart = sidecarLastRestart
            var hasRunning = false
            // Upstream walks the statuses from the last, so the first container's state wins the reason.
            for status in (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reversed() {
                summary.restarts += status["restartCount"]?.intValue ?? 0
                summary.lastRestart = later(summary.lastRestart, lastTerminated(status))
                let waitingReason = status[path: ["state", "waiting", "reason"]]?.stringValue ?? ""
                let terminated = status[path: ["state", "terminated"]]
                let terminatedReason = terminated?["reason"]?.stringValue ?? ""
                if !waitingReason.isEmpty {
                    summary.reason = waitingReason
                } else if terminated != nil, !terminatedReason.isEmpty {
                    summary.reason = terminatedReason
                } else if let terminated {
                    if let signal = terminated["signal"]?.intValue, signal != 0 {
                        summary.reason = "Signal:\(signal)"
                    } else {
                        summary.reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if status["ready"]?.boolValue == true, status[path: ["state", "running"]] != nil {
                    hasRunning = true
                    summary.ready += 1
                }
            }
            if summary.reason == "Completed" && hasRunning {
                summary.reason = conditionTrue("Ready") ? "Running" : "NotReady"
            }
        }

        if pod.deletionTimestamp != nil {
            if statusReason == "NodeLost" {
                summary.reason = "Unknown"
            } else if phase != "Succeeded" && phase != "Failed" {
                summary.reason = "Terminating"
            }
        }
        return summary
    }

    /// `lastState.terminated.finishedAt` of a container status.
    private static func lastTerminated(_ status: JSONValue) -> Instant? {
        (status[path: ["lastState", "terminated", "finishedAt"]]?.stringValue).flatMap(KubeTime.parse)
    }

    private static func later(_ first: Instant?, _ second: Instant?) -> Instant? {
        guard let first else { return second }
        guard let second else { return first }
        return max(first, second)
    }

    /// `true/total` of the readiness gates' conditions, `<none>` without gates.
    private static func readinessGates(_ pod: JSONValue) -> String {
        let gates = pod[path: ["spec", "readinessGates"]]?.arrayValue ?? []
        if gates.isEmpty { return "<none>" }
        let conditions = pod[path: ["status", "conditions"]]?.arrayValue ?? []
        let satisfied = gates.filter { gate in
            let type = gate["conditionType"]?.stringValue
            return conditions.first { $0["type"]?.stringValue == type }?["status"]?.stringValue == "True"
        }
        return "\(satisfied.count)/\(gates.count)"
    }
}
