import BoxCore

/// The pod `status` the kubelet part writes, worked out from what it knows of the pod's containers.
enum PodStatus {
    /// Pending until every container has started; Running while they run (or restart); Succeeded/Failed once the
    /// restart policy lets none run again.
    static func phase(_ run: PodRun) -> String {
        if let final = run.finalPhase { return final }
        let started = run.containers.allSatisfy { container in
            switch container.phase {
            case .running, .terminated: true
            case .waiting: container.restartCount > 0 || container.lastPhase != nil
            }
        }
        return started && run.launches > 0 ? "Running" : "Pending"
    }

    /// Running, and its probes (startup, then readiness) have passed.
    static func ready(_ container: ContainerRun) -> Bool {
        if case .running = container.phase { return container.isLive && (container.probes?.ready ?? true) }
        return false
    }

    /// Running, and its startup probe (if any) has succeeded.
    static func started(_ container: ContainerRun) -> Bool {
        if case .running = container.phase { return container.isLive && (container.probes?.started ?? true) }
        return false
    }

    static func status(_ run: PodRun, now: Instant) -> JSONValue {
        let phase = phase(run)
        let allReady = !run.containers.isEmpty && run.containers.allSatisfy(ready) && run.finalPhase == nil
        let startedTimes = run.containers.compactMap { container -> Instant? in
            if case .running(let at) = container.phase { return max(at, container.probes?.readyAt ?? at) }
            return nil
        }
        let readySince = allReady ? (startedTimes.max() ?? now) : (run.startTime ?? run.scheduledAt)
        func time(_ instant: Instant) -> JSONValue { .string(KubeTime.format(instant)) }
        func condition(_ type: String, _ status: Bool, at: Instant, reason: String? = nil) -> JSONValue {
            var value: JSONValue = [
                "type": .string(type), "status": status ? "True" : "False", "lastProbeTime": nil,
                "lastTransitionTime": time(at),
            ]
            if let reason, !status { value.set(["reason"], .string(reason)) }
            return value
        }
        let notReady = run.finalPhase == "Succeeded" ? "PodCompleted" : "ContainersNotReady"
        var conditions: [JSONValue] = [
            condition("PodReadyToStartContainers", run.launches > 0, at: run.startTime ?? run.scheduledAt),
            condition("Initialized", true, at: run.scheduledAt),
            condition("Ready", allReady, at: readySince, reason: notReady),
            condition("ContainersReady", allReady, at: readySince, reason: notReady),
            condition("PodScheduled", true, at: run.scheduledAt),
        ]
        if !allReady {
            let names = run.containers.filter { !ready($0) }.map(\.name).joined(separator: " ")
            for index in [2, 3] where run.finalPhase != "Succeeded" {
                conditions[index].set(["message"], .string("containers with unready status: [\(names)]"))
            }
        }
        var status: JSONValue = [
            "phase": .string(phase), "conditions": .array(conditions), "hostIP": .string(run.hostIP),
            "hostIPs": [["ip": .string(run.hostIP)]], "podIP": .string(run.hostIP),
            "podIPs": [["ip": .string(run.hostIP)]], "qosClass": .string(qosClass(run.pod)),
            "containerStatuses": .array(run.containers.map { containerStatus($0, run: run) }),
        ]
        if let start = run.startTime { status.set(["startTime"], time(start)) }
        if let final = run.finalPhase, final == "Failed", let error = run.launchError {
            status.set(["reason"], .string(error.reason))
            status.set(["message"], .string(error.message))
        }
        return status
    }

    static func containerStatus(_ container: ContainerRun, run: PodRun) -> JSONValue {
        var phase = container.phase
        if case .waiting = phase, let error = run.launchError, run.finalPhase == nil {
            phase = .waiting(reason: error.reason, message: error.message)
        }
        var value: JSONValue = [
            "name": .string(container.name), "image": .string(container.image),
            "imageID": .string("clusterbox://\(container.image.isEmpty ? "host" : container.image)"),
            "ready": .bool(ready(container)), "restartCount": .int(container.restartCount),
            "started": .bool(started(container)), "state": state(phase),
            "lastState": container.lastPhase.map(state) ?? [:],
        ]
        if let task = container.taskID { value.set(["containerID"], .string("clusterbox://\(task.value)")) }
        return value
    }

    static func state(_ phase: ContainerPhase) -> JSONValue {
        switch phase {
        case .waiting(let reason, let message):
            var waiting: JSONValue = ["reason": .string(reason)]
            if let message { waiting.set(["message"], .string(message)) }
            return ["waiting": waiting]
        case .running(let startedAt):
            return ["running": ["startedAt": .string(KubeTime.format(startedAt))]]
        case .terminated(let exitCode, let reason, let message, let startedAt, let finishedAt):
            var terminated: JSONValue = [
                "exitCode": .int(exitCode), "reason": .string(reason),
                "finishedAt": .string(KubeTime.format(finishedAt)),
                "startedAt": .string(KubeTime.format(startedAt ?? finishedAt)),
            ]
            if let message { terminated.set(["message"], .string(message)) }
            return ["terminated": terminated]
        }
    }

    /// Guaranteed: every container limits cpu and memory with requests equal to them; BestEffort: no container
    /// requests or limits anything; Burstable otherwise.
    static func qosClass(_ pod: JSONValue) -> String {
        let containers = pod[path: ["spec", "containers"]]?.arrayValue ?? []
        var any = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { any = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
