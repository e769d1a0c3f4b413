import BoxCore
import BoxStore
import Synchronization

@testable import BoxKube

/// Checks the rollout invariants at every write, from one watch of every change in the store (in revision order,
/// so when a write arrives the checker holds the state just before it):
///
/// - **surge**: after every write of a ReplicaSet of a Deployment, `Σ spec.replicas ≤ replicas + maxSurge`;
/// - **unavailability by the controller's own decisions**: a write that lowers a ReplicaSet's `spec.replicas` from
///   `a` to `b` removes `max(0, available(rs) − b)` available pods (the ReplicaSet controller deletes not-available
///   pods first; `max(0, d − (a − available))` with `d = a − b` is the same number), and must leave
///   `Σ available − removed ≥ replicas − maxUnavailable` over the Deployment's ReplicaSets when it removes any.
///
/// Availability is counted from the pods (active, `Ready` for `minReadySeconds`), not from the ReplicaSets' status:
/// the controller decides from its cache of pods, and a status lags the pods it counts. The store is never behind
/// the controller's cache, so a pod that became available since only helps; but faults remove availability
/// behind the controller's back (the node controller marking pods not ready, evictions), and the controller may
/// not have seen that yet when it scales down. So availability lost *by a fault* in the last `faultWindow` before
/// the write is added back: a pod that stopped being ready without being deleted (only the kubelet part and the
/// node controller do that), or one deleted while its node was lost or not ready. Pods deleted on healthy nodes
/// (the ReplicaSet controller carrying out a scale-down) are never excused.
final class KubeSimulationChecker: Sendable {
    struct Summary: Sendable {
        var events = 0
        var podsCreated = 0
        var evictions = 0
        var scaleDowns = 0
        /// Scale-downs that needed availability lost to faults added back to pass.
        var excusedScaleDowns = 0
        /// The smallest `Σ available − removed − (replicas − maxUnavailable)` seen at a scale-down, without excuse.
        var tightestMargin: Int?
        var surgeChecks = 0
        var violations: [String] = []
        /// Set when the watch ended before `stop` (the checker then saw only part of the run).
        var watchError: String?
    }

    private struct LostAvailability {
        var deployment: String
        var at: ContinuousClock.Instant
    }

    private struct State {
        var deployments: [String: JSONValue] = [:]
        var replicaSets: [String: JSONValue] = [:]
        var pods: [String: JSONValue] = [:]
        /// Pod keys by their controller owner's uid.
        var podsByOwner: [String: Set<String>] = [:]
        var readyNodes: [String: Bool] = [:]
        /// Pods whose availability a fault took, by pod key.
        var lost: [String: LostAvailability] = [:]
        var summary = Summary()
    }

    /// How stale the controller's cache may be: availability lost to faults this recently is added back.
    static let faultWindow: Duration = .seconds(5)
    private let state = Mutex(State())
    /// Nodes whose agent the fault injector lost (ever).
    private let lostNodes = Mutex<Set<String>>([])
    private let clock = SystemClock()

    init() {}

    var summary: Summary { state.withLock { $0.summary } }

    func nodeLost(_ name: String) { lostNodes.withLock { _ = $0.insert(name) } }

    /// Consumes every change after `revision` until cancelled.
    func run(store: InMemoryStore, after revision: Int64) async {
        do {
            let stream = try await store.watch(kind: nil, namespace: nil, afterRevision: revision)
            for try await event in stream { apply(event) }
        } catch is CancellationError {
        } catch {
            if !Task.isCancelled { state.withLock { $0.summary.watchError = "\(error)" } }
        }
    }

    static let podKind = ResourceType.pod.storeKind
    static let replicaSetKind = ResourceType.replicaSet.storeKind
    static let deploymentKind = ResourceType.deployment.storeKind
    static let nodeKind = ResourceType.node.storeKind
    static let eventKind = ResourceType.event.storeKind

    func apply(_ event: WatchEvent) {
        let kind = event.object.key.kind
        guard [Self.podKind, Self.replicaSetKind, Self.deploymentKind, Self.nodeKind, Self.eventKind].contains(kind),
            let object = try? JSONParser.parse(event.object.value)
        else { return }
        let key = event.object.key.namespace + "/" + event.object.key.name
        let gone = event.type == .deleted
        let now = clock.now
        let lostNodes = self.lostNodes.withLock { $0 }
        state.withLock { state in
            state.summary.events += 1
            switch kind {
            case Self.podKind:
                Self.podChanged(key, gone ? nil : object, added: event.type == .added, now: now, lostNodes, &state)
            case Self.replicaSetKind:
                if !gone { Self.checkReplicaSetWrite(key, object, now: now, &state) }
                state.replicaSets[key] = gone ? nil : object
            case Self.deploymentKind:
                state.deployments[key] = gone ? nil : object
            case Self.nodeKind:
                let ready = (object[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
                    $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
                }
                state.readyNodes[event.object.key.name] = gone ? nil : ready
            default:
                if event.type == .added, object["reason"]?.stringValue == "TaintManagerEviction" {
                    state.summary.evictions += 1
                }
            }
        }
    }

    // MARK: - Pods

    private static func podChanged(
        _ key: String, _ pod: JSONValue?, added: Bool, now: Instant, _ lostNodes: Set<String>, _ state: inout State
    ) {
        if added { state.summary.podsCreated += 1 }
        let before = state.pods[key]
        state.pods[key] = pod
        if let owner = before?.controllerReference?.uid { state.podsByOwner[owner]?.remove(key) }
        if let owner = pod?.controllerReference?.uid { state.podsByOwner[owner, default: []].insert(key) }
        guard let before, isAvailable(before, state, now: now), pod.map({ !isAvailable($0, state, now: now) }) ?? true
        else { return }
        let node = before[path: ["spec", "nodeName"]]?.stringValue ?? ""
        let deleted = pod == nil || pod?.deletionTimestamp != nil
        let nodeDown = lostNodes.contains(node) || state.readyNodes[node] == false
        guard !deleted || nodeDown, let deployment = deploymentKey(of: before, state) else { return }
        state.lost[key] = LostAvailability(deployment: deployment, at: .now)
    }

    /// Active, ready, and ready for the owner's `minReadySeconds`.
    private static func isAvailable(_ pod: JSONValue, _ state: State, now: Instant) -> Bool {
        guard pod.isActivePod else { return false }
        let minReady = owner(of: pod, state)?[path: ["spec", "minReadySeconds"]]?.intValue ?? 0
        return pod.isAvailablePod(minReadySeconds: minReady, now: now)
    }

    private static func owner(of pod: JSONValue, _ state: State) -> JSONValue? {
        guard let reference = pod.controllerReference, reference.kind == "ReplicaSet",
            let rs = state.replicaSets[pod.namespace + "/" + reference.name], rs.uid == reference.uid
        else { return nil }
        return rs
    }

    private static func deploymentKey(of pod: JSONValue, _ state: State) -> String? {
        guard let rs = owner(of: pod, state), let reference = rs.controllerReference, reference.kind == "Deployment"
        else { return nil }
        return rs.namespace + "/" + reference.name
    }

    // MARK: - ReplicaSet writes

    private static func checkReplicaSetWrite(_ key: String, _ rs: JSONValue, now: Instant, _ state: inout State) {
        guard let reference = rs.controllerReference, reference.kind == "Deployment" else { return }
        let deploymentKey = rs.namespace + "/" + reference.name
        guard let deployment = state.deployments[deploymentKey], deployment.uid == reference.uid,
            deployment.deletionTimestamp == nil
        else { return }
        let replicas = deployment[path: ["spec", "replicas"]]?.intValue ?? 1
        let (surge, unavailable) = RolloutMath.fenceposts(
            deployment[path: ["spec", "strategy", "rollingUpdate"]], replicas: replicas)
        let sets = state.replicaSets.filter { $0.key != key && $0.value.controllerReference?.uid == deployment.uid }
            .map(\.value)
        let name = deployment.name

        let total = sets.reduce(specReplicas(rs)) { $0 + specReplicas($1) }
        state.summary.surgeChecks += 1
        if total > replicas + surge {
            state.summary.violations.append(
                "\(name): ReplicaSet \(rs.name) written with Σ spec.replicas = \(total) > \(replicas) + maxSurge \(surge)"
            )
        }

        guard let previous = state.replicaSets[key], specReplicas(rs) < specReplicas(previous) else { return }
        let availableBySet = (sets + [previous]).map { availablePods(of: $0, state, now: now) }
        let available = availableBySet.reduce(0, +)
        let removed = max(0, (availableBySet.last ?? 0) - specReplicas(rs))
        let floor = replicas - unavailable
        let margin = available - removed - floor
        state.summary.scaleDowns += 1
        // A scale-down that removes only pods that are not available takes no availability away, whatever the
        // Deployment has left (upstream's controller cleans up unhealthy old replicas first, for that reason): faults
        // can keep availability under the floor for longer than the window while replacements start.
        guard removed > 0 else { return }
        state.summary.tightestMargin = min(state.summary.tightestMargin ?? margin, margin)
        guard margin < 0 else { return }
        let since = ContinuousClock.now - faultWindow
        state.lost = state.lost.filter { $0.value.at >= since }
        let excused = state.lost.values.filter { $0.deployment == deploymentKey && $0.at >= since }.count
        if margin + excused >= 0 {
            state.summary.excusedScaleDowns += 1
            return
        }
        state.summary.violations.append(
            "\(name): ReplicaSet \(rs.name) scaled \(specReplicas(previous)) → \(specReplicas(rs)) with \(available) "
                + "available (by set \(availableBySet)), removing \(removed): \(available - removed) < \(replicas) − "
                + "maxUnavailable \(unavailable) (availability lost to faults in the last window: \(excused))")
    }

    private static func specReplicas(_ rs: JSONValue) -> Int { rs[path: ["spec", "replicas"]]?.intValue ?? 0 }

    private static func availablePods(of rs: JSONValue, _ state: State, now: Instant) -> Int {
        let minReady = rs[path: ["spec", "minReadySeconds"]]?.intValue ?? 0
        return (state.podsByOwner[rs.uid] ?? []).compactMap { state.pods[$0] }.filter {
            $0.controllerReference?.uid == rs.uid && $0.isActivePod
                && $0.isAvailablePod(minReadySeconds: minReady, now: now)
        }.count
    }
}
