public import BoxCore

/// Notices nodes whose kubelet went quiet and moves their pods away, as the upstream node lifecycle controller with
/// taint-based eviction: a Node whose `Ready` condition has no `lastHeartbeatTime` newer than `gracePeriod` gets
/// every condition set to `Unknown` (reason NodeStatusUnknown, "Kubelet stopped posting node status."), a
/// NodeNotReady event, its pods' `Ready` condition False, and the taint `node.kubernetes.io/unreachable:NoExecute`
/// (`node.kubernetes.io/not-ready:NoExecute` for a node its kubelet reports not ready). Once the node has not been
/// ready for `evictionTimeout` more, its pods are deleted with grace 0 (the kubelet that would confirm a graceful
/// deletion is gone), so their controllers create replacements elsewhere. A node ready again loses the taints.
///
/// It only reads heartbeats; the kubelet part writes them. Not done: per-pod `tolerationSeconds` (every pod is
/// evicted after `evictionTimeout`), zone-based rate limiting of evictions.
public struct NodeLifecycleController: Controller {
    public let name = "node-controller"
    public var watches: [ResourceType] { [.node, .pod] }
    public let gracePeriod: Duration
    public let evictionTimeout: Duration

    static let unreachableTaint = "node.kubernetes.io/unreachable"
    static let notReadyTaint = "node.kubernetes.io/not-ready"

    public init(gracePeriod: Duration = .seconds(40), evictionTimeout: Duration = .seconds(30)) {
        self.gracePeriod = gracePeriod
        self.evictionTimeout = evictionTimeout
    }

    /// Pods are watched only to be in the cache for eviction; a pod change wakes nothing.
    public func keys(for object: JSONValue, of type: ResourceType, cache: ObjectCache) -> [ObjectName] {
        type == .node ? [ObjectName(of: object)] : []
    }

    public func reconcile(_ key: ObjectName, context: ControllerContext) async -> ReconcileResult {
        guard var node = context.cache.get(.node, key), node.deletionTimestamp == nil else { return .done }
        let now = context.now
        do throws(KubeError) {
            var health = NodeHealth(node: node, now: now, gracePeriod: gracePeriod)
            if health.isStale {
                node = try await context.updateStatus(.node, node, status: health.markedUnknown())
                health = NodeHealth(node: node, now: now, gracePeriod: gracePeriod)
                await context.event(
                    node, reason: "NodeNotReady", message: "Node \(node.name) status is now: NodeNotReady",
                    component: name)
                for pod in pods(on: node, context: context) { try await markNotReady(pod, context: context) }
            }
            let taints = health.taints(now: now)
            if taints != node[path: ["spec", "taints"]] {
                var next = node
                next.set(["spec", "taints"], taints)
                node = try await context.update(.node, next)
            }
            switch health.ready {
            case "True":
                return .requeue(after: max(health.heartbeat + gracePeriod - now, .milliseconds(1)) + .milliseconds(1))
            default:
                let evictAt = health.notReadySince + evictionTimeout
                guard evictAt <= now else { return .requeue(after: evictAt - now) }
                for pod in pods(on: node, context: context) {
                    do {
                        try await context.delete(.pod, pod, options: DeleteOptions(gracePeriodSeconds: 0))
                    } catch let error where error.code == 404 {}
                    await context.event(
                        pod, reason: "TaintManagerEviction",
                        message: "Marking for deletion Pod \(pod.namespace)/\(pod.name)",
                        component: "taint-eviction-controller")
                }
                // Pods bound later (a scheduler that missed the taint) go at the next look.
                return .requeue(after: gracePeriod)
            }
        } catch {
            return .requeue(after: .seconds(1))
        }
    }

    func pods(on node: JSONValue, context: ControllerContext) -> [JSONValue] {
        context.cache.list(.pod).filter { $0[path: ["spec", "nodeName"]]?.stringValue == node.name }
    }

    /// Sets the pod's `Ready` (and `ContainersReady`) condition False, so Services stop sending it traffic.
    private func markNotReady(_ pod: JSONValue, context: ControllerContext) async throws(KubeError) {
        var status = pod["status"] ?? .object([:])
        var conditions = status["conditions"]?.arrayValue ?? []
        var changed = false
        for index in conditions.indices
        where ["Ready", "ContainersReady"].contains(conditions[index]["type"]?.stringValue ?? "")
            && conditions[index]["status"]?.stringValue != "False"
        {
            conditions[index].set(["status"], "False")
            conditions[index].set(["reason"], "NodeNotReady")
            conditions[index].set(["lastTransitionTime"], .string(KubeTime.format(context.now)))
            changed = true
        }
        guard changed else { return }
        status.set(["conditions"], .array(conditions))
        do { try await context.updateStatus(.pod, pod, status: status) } catch let error where error.code == 404 {}
    }
}

/// A Node's `Ready` condition read against the clock: pure, so the decisions are testable without IO.
struct NodeHealth {
    var node: JSONValue
    var now: Instant
    var gracePeriod: Duration

    var conditions: [JSONValue] { node[path: ["status", "conditions"]]?.arrayValue ?? [] }
    var readyCondition: JSONValue? { conditions.first { $0["type"]?.stringValue == "Ready" } }
    /// True, False or Unknown; Unknown for a node that never posted its status.
    var ready: String { readyCondition?["status"]?.stringValue ?? "Unknown" }

    var created: Instant {
        node[path: ["metadata", "creationTimestamp"]]?.stringValue.flatMap(KubeTime.parse) ?? now
    }
    /// The last heartbeat, or the node's creation when it never sent one.
    var heartbeat: Instant {
        readyCondition?["lastHeartbeatTime"]?.stringValue.flatMap(KubeTime.parse) ?? created
    }
    /// Since when the node has not been ready.
    var notReadySince: Instant {
        readyCondition?["lastTransitionTime"]?.stringValue.flatMap(KubeTime.parse) ?? heartbeat
    }

    /// Whether the kubelet has been silent longer than the grace period and the node is not yet marked Unknown.
    var isStale: Bool { (readyCondition == nil || ready != "Unknown") && heartbeat + gracePeriod <= now }

    /// The status with every condition Unknown (a `Ready` one added when the kubelet never posted any).
    func markedUnknown() -> JSONValue {
        var status = node["status"] ?? .object([:])
        let stamp = JSONValue.string(KubeTime.format(now))
        var conditions = self.conditions
        if readyCondition == nil {
            conditions.append([
                "type": "Ready", "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                "message": "Kubelet never posted node status.", "lastHeartbeatTime": .string(KubeTime.format(created)),
                "lastTransitionTime": stamp,
            ])
        }
        for index in conditions.indices where conditions[index]["status"]?.stringValue != "Unknown" {
            conditions[index].set(["status"], "Unknown")
            conditions[index].set(["reason"], "NodeStatusUnknown")
            conditions[index].set(["message"], "Kubelet stopped posting node status.")
            conditions[index].set(["lastTransitionTime"], stamp)
        }
        status.set(["conditions"], .array(conditions))
        return status
    }

    /// `spec.taints` with the NoExecute taint matching the Ready condition (none when ready), others kept.
    func taints(now: Instant) -> JSONValue? {
        let held = node[path: ["spec", "taints"]]?.arrayValue ?? []
        let wanted: String? =
            switch ready {
            case "True": nil
            case "False": NodeLifecycleController.notReadyTaint
            default: NodeLifecycleController.unreachableTaint
            }
        let ours = [NodeLifecycleController.unreachableTaint, NodeLifecycleController.notReadyTaint]
        var taints = held.filter { taint in
            guard let key = taint["key"]?.stringValue, ours.contains(key) else { return true }
            return key == wanted && taint["effect"]?.stringValue == "NoExecute"
        }
        if let wanted, !taints.contains(where: { $0["key"]?.stringValue == wanted }) {
            taints.append(["key": .string(wanted), "effect": "NoExecute", "timeAdded": .string(KubeTime.format(now))])
        }
        if taints.isEmpty { return nil }
        return .array(taints)
    }
}
