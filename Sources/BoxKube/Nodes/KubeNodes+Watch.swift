import BoxCore

extension KubeNodes {
    /// Lists and watches `type` (pods or nodes) in every namespace; after an ERROR event or a broken stream it
    /// lists again (WatchList: the initial state ends with a bookmark, after which pods no longer there are
    /// forgotten).
    func watchLoop(_ type: ResourceType) async {
        while !Task.isCancelled {
            do {
                let stream = try await api.watch(type, namespace: nil, options: ListOptions(sendInitialEvents: true))
                var listed: Set<String>? = []
                for try await event in stream {
                    switch event.kind {
                    case .error:
                        throw KubeError.expired("watch ended")
                    case .bookmark:
                        if let names = listed { relisted(type, names) }
                        listed = nil
                    case .added, .modified:
                        listed?.insert("\(event.object.namespace)/\(event.object.name)")
                        if type == .pod { podChanged(event.object) } else { nodeChanged(event.object) }
                    case .deleted:
                        if type == .pod {
                            podDeleted(event.object)
                        } else {
                            nodeSpecs.removeValue(forKey: event.object.name)
                        }
                    }
                }
            } catch {
                logger.debug("\(type) watch ended: \(error); listing again")
            }
            do { try await clock.sleep(for: .milliseconds(500)) } catch { return }
        }
    }

    /// After a relist: pending pods that are gone are forgotten, and the tasks of running pods that are gone (deleted
    /// while the watch was down, so no DELETED event came) are stopped.
    private func relisted(_ type: ResourceType, _ names: Set<String>) {
        guard type == .pod else { return }
        for key in pending.keys where !names.contains(key) { pending.removeValue(forKey: key) }
        for key in runs.keys where !names.contains(key) { podGone(key) }
    }

    func nodeChanged(_ node: JSONValue) {
        let taints = (node[path: ["spec", "taints"]]?.arrayValue ?? []).map(Taint.init)
        nodeSpecs[node.name] = NodeSpec(
            labels: node.labels, taints: taints,
            unschedulable: node[path: ["spec", "unschedulable"]]?.boolValue ?? false)
        offerGeneration += 1
        if !pending.isEmpty { requestSchedule() }
    }

    func podChanged(_ pod: JSONValue) {
        let key = "\(pod.namespace)/\(pod.name)"
        if var run = runs[key] {
            if run.uid == pod.uid {
                run.pod = pod
                runs[key] = run
                if pod.deletionTimestamp != nil && !run.deleting { startDeletion(key) }
                return
            }
            // A new pod of the same name: the old one is gone.
            podGone(key)
        }
        let nodeName = pod[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let phase = pod[path: ["status", "phase"]]?.stringValue ?? ""
        guard nodeName.isEmpty else {
            pending.removeValue(forKey: key)
            // Bound to one of our nodes but not run by us (a restart of the cluster): nothing runs it, so a
            // deletion completes at once.
            if pod.deletionTimestamp != nil, agentByName[nodeName] != nil, !["Succeeded", "Failed"].contains(phase) {
                removals.append((pod.namespace, pod.name, pod.uid))
                wakeWriter()
            }
            return
        }
        let scheduler = pod[path: ["spec", "schedulerName"]]?.stringValue ?? Self.schedulerName
        guard scheduler == Self.schedulerName else { return }
        if pod.deletionTimestamp != nil {
            pending.removeValue(forKey: key)
            removals.append((pod.namespace, pod.name, pod.uid))
            wakeWriter()
            return
        }
        guard !["Succeeded", "Failed"].contains(phase) else { return }
        if var entry = pending[key], entry.pod.uid == pod.uid {
            entry.pod = pod
            entry.requirements = PodRequirements(pod: pod)
            pending[key] = entry
        } else {
            nextSequence += 1
            pending[key] = PendingPod(pod: pod, sequence: nextSequence, requirements: PodRequirements(pod: pod))
        }
        requestSchedule()
    }

    func podDeleted(_ pod: JSONValue) {
        let key = "\(pod.namespace)/\(pod.name)"
        if pending[key]?.pod.uid == pod.uid { pending.removeValue(forKey: key) }
        if runs[key]?.uid == pod.uid { podGone(key) }
    }

    /// The pod object is gone: its tasks are killed and it is forgotten once they end.
    private func podGone(_ key: String) {
        guard var run = runs[key] else { return }
        run.deleting = true
        run.removed = true
        runs[key] = run
        startDeletion(key)
    }
}
