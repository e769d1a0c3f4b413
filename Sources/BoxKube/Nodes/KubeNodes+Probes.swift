import BoxCore

/// A probe run handed to the timer loop: what to check, and where to report the result.
struct ProbeJob: Sendable {
    var key: String
    var uid: String
    var position: Int
    var taskID: TaskID
    var kind: PodProbe.Kind
    var check: ProbeCheck
    var timeout: Duration
}

extension KubeNodes {
    /// The probes of a container whose task just started running, or nil when it declares none or runs on a
    /// simulated agent (its task is no process: probes are skipped and count as passing).
    func probes(for run: PodRun, position: Int, taskID: TaskID, startedAt: Instant) -> ContainerProbes? {
        guard agents[run.agentID]?.attributes["kind"] != "simulated" else { return nil }
        let specs = run.pod[path: ["spec", "containers"]]?.arrayValue ?? []
        guard position < specs.count else { return nil }
        let declared = PodProbe.Kind.allCases.compactMap { PodProbe.parse(specs[position], kind: $0) }
        guard !declared.isEmpty else { return nil }
        return ContainerProbes(taskID: taskID, probes: declared, startedAt: startedAt)
    }

    /// The probes due now in every running container, marked in flight.
    func dueProbes(now: Instant) -> [ProbeJob] {
        var jobs: [ProbeJob] = []
        for (key, run) in runs where !run.deleting && run.finalPhase == nil {
            for (position, container) in run.containers.enumerated() {
                guard var probes = container.probes, container.isLive, probes.taskID == container.taskID,
                    case .running = container.phase
                else { continue }
                let due = probes.due(now: now)
                guard !due.isEmpty else { continue }
                runs[key]?.containers[position].probes = probes
                for probe in due {
                    jobs.append(
                        ProbeJob(
                            key: key, uid: run.uid, position: position, taskID: probes.taskID, kind: probe.kind,
                            check: check(probe, run: run, position: position), timeout: probe.timeout))
                }
            }
        }
        return jobs
    }

    /// Records a probe's result: the pod's status follows readiness; a failure is an `Unhealthy` event; a
    /// liveness (or startup) verdict of failure kills the container, which then restarts as its policy says.
    func probeFinished(_ job: ProbeJob, _ result: Result<Void, ProbeFailure>) {
        let now = clock.now
        guard var run = runs[job.key], run.uid == job.uid, job.position < run.containers.count,
            var probes = run.containers[job.position].probes, probes.taskID == job.taskID,
            run.containers[job.position].isLive, !run.deleting
        else { return }
        let container = run.containers[job.position].name
        if case .failure(let failure) = result {
            events.append(
                (run.pod, "Unhealthy", "\(job.kind.title) probe failed: \(failure.message)", "Warning", "kubelet"))
        }
        let action = probes.record(job.kind, success: (try? result.get()) != nil, now: now)
        run.containers[job.position].probes = probes
        runs[job.key] = run
        switch action {
        case .none:
            break
        case .statusChanged:
            dirtyPods.insert(job.key)
        case .kill:
            let what = job.kind == .liveness ? "liveness" : "startup"
            events.append(
                (
                    run.pod, "Killing", "Container \(container) failed \(what) probe, will be restarted", "Normal",
                    "kubelet"
                ))
            send([.kill(taskID: job.taskID, agentID: run.agentID)])
            dirtyPods.insert(job.key)
        }
        wakeWriter()
    }

    /// The probe's handler made concrete: ports mapped to host ports, the host defaulting to the pod's IP (the
    /// agent's address), exec commands quoted into a shell line run with the container's environment.
    private func check(_ probe: PodProbe, run: PodRun, position: Int) -> ProbeCheck {
        let container = run.containers[position]
        let podPorts = run.containers.flatMap(\.hostPorts)
        switch probe.action {
        case .http(let host, let port, let path, let scheme, let headers):
            guard scheme == "HTTP" else { return .fail("\(scheme) probes are not supported by clusterbox") }
            switch PodProbe.hostPort(port, container: container.hostPorts, pod: podPorts) {
            case .success(let hostPort):
                return .http(host: host ?? run.hostIP, port: hostPort, path: path, headers: headers)
            case .failure(let failure): return .fail(failure.message)
            }
        case .tcp(let host, let port):
            switch PodProbe.hostPort(port, container: container.hostPorts, pod: podPorts) {
            case .success(let hostPort): return .tcp(host: host ?? run.hostIP, port: hostPort)
            case .failure(let failure): return .fail(failure.message)
            }
        case .exec(let command):
            let specs = run.pod[path: ["spec", "containers"]]?.arrayValue ?? []
            let directory = position < specs.count ? specs[position]["workingDir"]?.stringValue : nil
            return .exec(
                line: command.map(PodTasks.shellQuoted).joined(separator: " "), environment: container.environment,
                directory: directory.flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        case .invalid(let message):
            return .fail(message)
        }
    }
}
