import BoxCore

extension KubeNodes {
    /// Launches the planned pods on one agent's offers: one task group per pod, every group in one ACCEPT. A pod
    /// whose containers cannot be configured (missing config map, no command) is not launched: it waits with the
    /// reason and is tried again after its back-off.
    func launch(_ keys: [String], on agentID: AgentID, offers offerIDs: [OfferID], now: Instant) async {
        var groups: [[TaskInfo]] = []
        for key in keys {
            guard let run = runs[key], !run.deleting else { continue }
            let specs = run.pod[path: ["spec", "containers"]]?.arrayValue ?? []
            let data = await referencedData(specs, namespace: run.namespace)
            guard var current = runs[key], current.uid == run.uid, !current.deleting else { continue }
            switch tasks(for: &current, specs: specs, data: data, agentID: agentID) {
            case .success(let tasks):
                current.launchError = nil
                for task in tasks { agents[agentID]?.used += task.resources.scalars }
                groups.append(tasks)
            case .failure(let error):
                current.launchError = error
                current.launchAfter = now + current.backoff
                awaitingLaunch.insert(key)
                events.append((current.pod, "Failed", "Error: \(error.message)", "Warning", "kubelet"))
            }
            runs[key] = current
            dirtyPods.insert(key)
        }
        let used = groups.joined().reduce(Resources.zero) { $0 + $1.resources }
        agents[agentID]?.available -= used
        if groups.isEmpty {
            send([.decline(offerIDs: offerIDs, filters: Filters(refuseSeconds: 0))])
        } else {
            send([
                .accept(
                    offerIDs: offerIDs, operations: groups.map { .launchGroup($0) },
                    filters: Filters(refuseSeconds: 0))
            ])
        }
    }

    /// The data of the config maps and secrets the containers refer to (secrets decoded); missing ones are absent.
    private func referencedData(_ specs: [JSONValue], namespace: String) async -> (
        configMaps: [String: [String: String]], secrets: [String: [String: String]]
    ) {
        let (configMapNames, secretNames) = PodTasks.references(specs)
        var configMaps: [String: [String: String]] = [:]
        var secrets: [String: [String: String]] = [:]
        for name in configMapNames.sorted() {
            if let object = try? await api.get(.configMap, namespace: namespace, name: name) {
                configMaps[name] = object["data"]?.stringMap ?? [:]
            }
        }
        for name in secretNames.sorted() {
            if let object = try? await api.get(.secret, namespace: namespace, name: name) {
                secrets[name] = PodTasks.secretData(object)
            }
        }
        return (configMaps, secrets)
    }

    /// The pod's task group (containers that are not done), with task ids recorded; or why it cannot start.
    private func tasks(
        for run: inout PodRun, specs: [JSONValue],
        data: (configMaps: [String: [String: String]], secrets: [String: [String: String]]), agentID: AgentID
    ) -> Result<[TaskInfo], PodLaunchError> {
        var tasks: [TaskInfo] = []
        let launch = run.launches + 1
        let duration = run.pod.annotations[PodTasks.durationAnnotation]
        for (position, spec) in specs.enumerated() where position < run.containers.count {
            let container = run.containers[position]
            if container.done { continue }
            let program: (command: String?, image: ContainerInfo?)
            switch PodTasks.program(spec) {
            case .success(let value): program = value
            case .failure(let error): return .failure(error)
            }
            let ports = container.hostPorts.map { (name: $0.name, host: $0.host) }
            var environment: [String: String]
            switch PodTasks.environment(spec, configMaps: data.configMaps, secrets: data.secrets, ports: ports) {
            case .success(let value): environment = value
            case .failure(let error): return .failure(error)
            }
            // As the kubelet sets it: a pod's hostname is its name.
            if environment["HOSTNAME"] == nil { environment["HOSTNAME"] = run.name }
            var line = program.command ?? ""
            if let directory = spec["workingDir"]?.stringValue, !directory.isEmpty, !line.isEmpty {
                line = "cd \(PodTasks.shellQuoted(directory)) && \(line)"
            }
            var resources =
                position < run.requirements.containers.count
                ? run.requirements.containers[position].resources : PodRequirements.defaultRequest
            if resources.scalars.isEmpty { resources = PodRequirements.defaultRequest }
            resources.ports = PortRanges(ports: container.hostPorts.map(\.host))
            var labels: Labels = [
                "clusterbox.io/pod": run.key, "clusterbox.io/container": container.name,
                "clusterbox.io/pod-uid": run.uid,
            ]
            if let duration { labels[PodTasks.durationAnnotation] = duration }
            let taskID = PodTasks.taskID(
                namespace: run.namespace, pod: run.name, container: container.name, uid: run.uid, launch: launch)
            tasks.append(
                TaskInfo(
                    taskID: taskID, name: "\(run.name).\(container.name)", agentID: agentID, resources: resources,
                    command: CommandInfo(value: line, environment: environment), labels: labels,
                    container: program.image))
        }
        guard !tasks.isEmpty else {
            return .failure(PodLaunchError(reason: "CreateContainerConfigError", message: "the pod has no containers"))
        }
        run.launches = launch
        for task in tasks {
            guard let position = run.containers.firstIndex(where: { $0.name == task.labels["clusterbox.io/container"] })
            else { continue }
            if run.containers[position].taskID != nil { run.containers[position].restartCount += 1 }
            run.containers[position].previousTaskID = run.containers[position].taskID
            run.containers[position].taskID = task.taskID
            run.containers[position].environment = task.command?.environment ?? [:]
            run.containers[position].probes = nil
            run.containers[position].taskState = .staging
            run.containers[position].phase = .waiting(reason: "ContainerCreating", message: nil)
            taskIndex[task.taskID] = (run.key, position)
        }
        return .success(tasks)
    }
}
