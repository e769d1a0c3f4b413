public import BoxCore

/// Keeps `spec.replicas` active pods for every ReplicaSet (or, with `type: .replicationController`, every
/// ReplicationController and its map selector): adopts matching orphans, releases owned pods that stopped matching,
/// creates missing pods from the template (in slow-start batches) and deletes surplus ones in upstream's order, then
/// writes the status.
public struct ReplicaSetController: Controller {
    public let type: ResourceType
    /// At most this many creations or deletions per reconcile (upstream `burstReplicas`).
    let burst = 500

    public init(type: ResourceType = .replicaSet) { self.type = type }

    public var name: String { type == .replicaSet ? "replicaset" : "replicationcontroller" }
    /// The events' `source.component`.
    var component: String { type == .replicaSet ? "replicaset-controller" : "replication-controller" }
    public var watches: [ResourceType] { [type, .pod] }

    public func keys(for object: JSONValue, of changed: ResourceType, cache: ObjectCache) -> [ObjectName] {
        if changed == type { return [ObjectName(of: object)] }
        if let owner = object.controllerReference {
            guard owner.kind == type.kind else { return [] }
            return [ObjectName(namespace: object.namespace, name: owner.name)]
        }
        // An orphan wakes every owner it could be adopted by.
        return cache.list(type, namespace: object.namespace).filter { owner in
            selector(of: owner)?.matches(object.labels) ?? false
        }.map { ObjectName(of: $0) }
    }

    func selector(of owner: JSONValue) -> LabelSelector? {
        type == .replicationController
            ? WorkloadSelector.parseMap(
                owner[path: ["spec", "selector"]], template: owner[path: ["spec", "template"]])
            : WorkloadSelector.parse(owner[path: ["spec", "selector"]])
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard let owner = context.cache.get(type, key) else { return .done }
        guard let selector = selector(of: owner) else { return .done }
        var failed = false
        let pods = await claimPods(owner, selector: selector, context: context, failed: &failed)
        if owner.deletionTimestamp == nil {
            let active = pods.filter(\.isActivePod)
            let wanted = owner[path: ["spec", "replicas"]]?.intValue ?? 1
            if active.count < wanted {
                if !(await createPods(min(wanted - active.count, burst), for: owner, context: context)) {
                    failed = true
                }
            } else if active.count > wanted {
                let surplus = active.sorted(by: PodDeletionOrder.goesFirst).prefix(min(active.count - wanted, burst))
                if !(await deletePods(Array(surplus), of: owner, context: context)) { failed = true }
            }
        }
        let next = await writeStatus(owner, selector: selector, context: context)
        if failed { return .requeue(after: .milliseconds(500)) }
        return next
    }

    /// The pods this owner controls after adopting matching orphans and releasing owned pods that no longer match.
    func claimPods(_ owner: JSONValue, selector: LabelSelector, context: ControllerContext, failed: inout Bool)
        async -> [JSONValue]
    {
        var claimed: [JSONValue] = []
        // Its own pods and the uncontrolled ones: a pod another owner controls is never a candidate.
        let candidates =
            context.cache.owned(.pod, by: owner.uid, namespace: owner.namespace)
            + context.cache.uncontrolled(.pod, namespace: owner.namespace)
        for pod in candidates.sorted(by: { $0.name < $1.name }) {
            let matches = selector.matches(pod.labels)
            if let reference = pod.controllerReference {
                guard reference.uid == owner.uid else { continue }
                if matches || owner.deletionTimestamp != nil {
                    claimed.append(pod)
                    continue
                }
                var released = pod
                released.ownerReferences.removeAll { $0.uid == owner.uid }
                do { try await context.update(.pod, released) } catch { failed = true }
            } else if matches && pod.deletionTimestamp == nil && owner.deletionTimestamp == nil {
                var adopted = pod
                adopted.ownerReferences.append(OwnerReference(controllerOf: owner, type: type))
                do { claimed.append(try await context.update(.pod, adopted)) } catch { failed = true }
            }
        }
        return claimed
    }

    /// A new pod from the owner's template, named `<owner>-<random>`.
    func newPod(for owner: JSONValue) -> JSONValue {
        let template = owner[path: ["spec", "template"]] ?? .object([:])
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
        pod.set(["metadata"], template["metadata"] ?? .object([:]))
        pod.set(["metadata", "name"], nil)
        pod.set(["metadata", "generateName"], .string(owner.name + "-"))
        pod.set(["metadata", "namespace"], .string(owner.namespace))
        pod.ownerReferences = [OwnerReference(controllerOf: owner, type: type)]
        pod.set(["spec"], template["spec"] ?? .object([:]))
        return pod
    }

    /// Creates `count` pods in batches of 1, 2, 4… (upstream `slowStartBatch`): a failing batch stops the rest, so
    /// a broken template costs one error instead of `count`. Returns whether all were created.
    func createPods(_ count: Int, for owner: JSONValue, context: ControllerContext) async -> Bool {
        var remaining = count
        var batch = 1
        while remaining > 0 {
            let size = min(batch, remaining)
            let created = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<size {
                    group.addTask {
                        do throws(KubeError) {
                            let pod = try await context.create(
                                .pod, namespace: owner.namespace, newPod(for: owner))
                            await context.event(
                                owner, reason: "SuccessfulCreate", message: "Created pod: \(pod.name)",
                                component: component)
                            return true
                        } catch {
                            await context.event(
                                owner, reason: "FailedCreate", message: "Error creating: \(error.message)",
                                warning: true, component: component)
                            return false
                        }
                    }
                }
                var all = true
                for await ok in group where !ok { all = false }
                return all
            }
            if !created { return false }
            remaining -= size
            batch *= 2
        }
        return true
    }

    func deletePods(_ pods: [JSONValue], of owner: JSONValue, context: ControllerContext) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            for pod in pods {
                group.addTask {
                    do throws(KubeError) {
                        try await context.delete(.pod, pod)
                        await context.event(
                            owner, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)",
                            component: component)
                        return true
                    } catch { return error.code == 404 }
                }
            }
            var all = true
            for await ok in group where !ok { all = false }
            return all
        }
    }
}
