import BoxCore
import BoxStore
import Synchronization
import Testing

@testable import BoxKube

/// The workload controllers (ReplicaSet, ReplicationController, Deployment, garbage collector, namespace,
/// ServiceAccount) running in a real controller manager over an in-memory store.
/// One test at a time: each runs a controller manager and a fake kubelet, and together they kept Swift concurrency busy
/// for seconds, starving the suite's timing tests.
@Suite(.serialized) struct WorkloadControllerTests {
    let harness = ControllerHarness()

    static func template(_ app: String, image: String = "nginx:1") -> JSONValue {
        [
            "metadata": ["labels": ["app": .string(app)]],
            "spec": ["containers": [["name": "main", "image": .string(image)]]],
        ]
    }

    static func replicaSet(_ name: String, replicas: Int) -> JSONValue {
        [
            "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": template(name),
            ],
        ]
    }

    static func deployment(_ name: String, replicas: Int, strategy: JSONValue, image: String) -> JSONValue {
        [
            "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": template(name, image: image), "strategy": strategy,
            ],
        ]
    }

    // MARK: - ReplicaSet

    @Test func replicaSetCreatesReplacesAdoptsAndScalesDown() async throws {
        try await harness.run([ReplicaSetController()]) { api in
            let rs = try await api.create(.replicaSet, namespace: "default", Self.replicaSet("web", replicas: 3))
            try await eventually("3 ready pods") {
                let status = try await api.get(.replicaSet, namespace: "default", name: "web")["status"]
                return status?["readyReplicas"]?.intValue == 3 && status?["availableReplicas"]?.intValue == 3
                    && status?["replicas"]?.intValue == 3 && status?["observedGeneration"]?.intValue == 1
                    && status?["fullyLabeledReplicas"]?.intValue == 3
            }
            let pods = try await api.pods()
            #expect(pods.count == 3)
            for pod in pods {
                #expect(pod.name.hasPrefix("web-") && pod.name.count == 9)
                #expect(pod.controllerReference?.uid == rs.uid)
                #expect(pod.controllerReference?.blockOwnerDeletion == true)
                #expect(pod.controllerReference?.kind == "ReplicaSet")
                #expect(pod[path: ["spec", "containers"]]?.arrayValue?.count == 1)
            }
            let events = try await api.list(.event, namespace: "default").items
            #expect(events.filter { $0["reason"]?.stringValue == "SuccessfulCreate" }.count == 3)
            #expect(events.contains { $0["message"]?.stringValue == "Created pod: \(pods[0].name)" })
            #expect(events.allSatisfy { $0[path: ["source", "component"]]?.stringValue == "replicaset-controller" })

            // A deleted pod is replaced.
            try await api.delete(.pod, namespace: "default", name: pods[0].name)
            try await eventually("a replacement pod") {
                let names = try await api.pods().map(\.name)
                return names.count == 3 && !names.contains(pods[0].name)
            }

            // An orphan that matches is adopted, and the surplus goes.
            var orphan: JSONValue = ["metadata": ["name": "stray", "labels": ["app": "web"]], "spec": [:]]
            orphan = try await api.create(.pod, namespace: "default", orphan)
            try await eventually("3 pods after adoption") {
                let pods = try await api.pods()
                return pods.count == 3 && pods.allSatisfy { $0.controllerReference?.uid == rs.uid }
            }

            // A pod whose labels stop matching is released and replaced.
            let kept = try await api.pods()[0]
            var relabelled = kept
            relabelled.labels = ["app": "other"]
            // No precondition: the controller may write the pod meanwhile (a stale version was a 409 once).
            relabelled.set(["metadata", "resourceVersion"], nil)
            try await api.update(.pod, namespace: "default", name: kept.name, relabelled)
            try await eventually("released pod and a replacement") {
                let pods = try await api.pods()
                let released = pods.first { $0.name == kept.name }
                return pods.count == 4 && released != nil && released?.ownerReferences.isEmpty == true
            }

            // Scale down.
            var scaled = try await api.get(.replicaSet, namespace: "default", name: "web")
            scaled.set(["spec", "replicas"], 1)
            try await api.update(.replicaSet, namespace: "default", name: "web", scaled)
            try await eventually("1 pod") {
                let owned = try await api.pods().filter { $0.controllerReference?.uid == rs.uid }
                let status = try await api.get(.replicaSet, namespace: "default", name: "web")["status"]
                return owned.count == 1 && status?["replicas"]?.intValue == 1
                    && status?["observedGeneration"]?.intValue == 2
            }
            let deletions = try await api.list(.event, namespace: "default").items.filter {
                $0["reason"]?.stringValue == "SuccessfulDelete"
            }
            #expect(deletions.count >= 2)
        }
    }

    @Test func replicationControllerUsesItsMapSelector() async throws {
        try await harness.run([ReplicaSetController(type: .replicationController)]) { api in
            let rc: JSONValue = [
                "metadata": ["name": "legacy"],
                "spec": ["replicas": 2, "selector": ["app": "legacy"], "template": Self.template("legacy")],
            ]
            let created = try await api.create(.replicationController, namespace: "default", rc)
            try await eventually("2 ready pods") {
                let status = try await api.get(.replicationController, namespace: "default", name: "legacy")["status"]
                return status?["readyReplicas"]?.intValue == 2
            }
            let pods = try await api.pods()
            #expect(pods.count == 2)
            #expect(pods.allSatisfy { $0.controllerReference?.uid == created.uid })
            #expect(pods.allSatisfy { $0.controllerReference?.kind == "ReplicationController" })
            let events = try await api.list(.event, namespace: "default").items
            #expect(events.contains { $0[path: ["source", "component"]]?.stringValue == "replication-controller" })
        }
    }

    /// A large ReplicaSet fills quickly (the 1,000-pod figure is measured by Benchmarks/kube.sh on a release build).
    @Test func manyPodsQuickly() async throws {
        try await harness.run([ReplicaSetController()], readyDelay: .zero) { api in
            let start = ContinuousClock.now
            try await api.create(.replicaSet, namespace: "default", Self.replicaSet("big", replicas: 300))
            try await eventually("300 ready pods", timeout: .seconds(90)) {
                let status = try await api.get(.replicaSet, namespace: "default", name: "big")["status"]
                return status?["readyReplicas"]?.intValue == 300
            }
            let elapsed = ContinuousClock.now - start
            print("300 pods ready in \(elapsed)")
            #expect(try await api.pods().count == 300)
        }
    }

    @Test func aReplicaSetWithoutSelectorIsLeftAlone() async throws {
        try await harness.run([ReplicaSetController()]) { api in
            var rs = Self.replicaSet("bad", replicas: 2)
            rs.set(["spec", "selector"], nil)
            try await api.create(.replicaSet, namespace: "default", rs)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.pods().isEmpty)
        }
    }
}

// MARK: - Deployment

/// Counts pods from a watch while a rollout runs, and remembers the worst moments seen.
final class PodCensus: Sendable {
    struct Worst: Sendable {
        var maxTotal = 0
        var minReady = Int.max
        /// The most distinct `pod-template-hash` values alive at once.
        var maxTemplates = 0
    }

    private final class Shared: Sendable {
        let worst = Mutex(Worst())
    }

    private let shared = Shared()
    let task: Task<Void, Never>

    init(_ api: KubeAPI) async throws {
        let list = try await api.list(.pod, namespace: "default")
        let stream = try await api.watch(
            .pod, namespace: "default", options: ListOptions(resourceVersion: list.resourceVersion))
        let shared = self.shared
        task = Task {
            var pods: [String: JSONValue] = [:]
            for pod in list.items { pods[pod.name] = pod }
            func observe() {
                let ready = pods.values.filter { $0.isReadyPod && $0.deletionTimestamp == nil }.count
                let templates = Set(pods.values.compactMap { $0.labels["pod-template-hash"] }).count
                shared.worst.withLock {
                    $0.maxTotal = max($0.maxTotal, pods.count)
                    $0.minReady = min($0.minReady, ready)
                    $0.maxTemplates = max($0.maxTemplates, templates)
                }
            }
            observe()
            do {
                for try await event in stream {
                    switch event.kind {
                    case .added, .modified: pods[event.object.name] = event.object
                    case .deleted: pods[event.object.name] = nil
                    default: continue
                    }
                    observe()
                }
            } catch {}
        }
    }

    func stop() -> Worst {
        task.cancel()
        return shared.worst.withLock { $0 }
    }
}

extension WorkloadControllerTests {
    static let workload: [any Controller] = [ReplicaSetController(), DeploymentController()]

    func setImage(_ api: KubeAPI, _ name: String, _ image: String) async throws {
        var deployment = try await api.get(.deployment, namespace: "default", name: name)
        deployment.set(["spec", "template"], Self.template(name, image: image))
        try await api.update(.deployment, namespace: "default", name: name, deployment)
    }

    /// Waits until the Deployment is rolled out as `kubectl rollout status` judges it, and returns it.
    @discardableResult
    func rolledOut(_ api: KubeAPI, _ name: String, replicas: Int) async throws -> JSONValue {
        try await eventually("\(name) rolled out") {
            let d = try await api.get(.deployment, namespace: "default", name: name)
            let status = d["status"]
            let progressing = status?["conditions"]?.arrayValue?.first {
                $0["type"]?.stringValue == "Progressing"
            }
            return status?["observedGeneration"]?.intValue == d.generation
                && status?["updatedReplicas"]?.intValue == replicas && status?["replicas"]?.intValue == replicas
                && status?["availableReplicas"]?.intValue == replicas
                && progressing?["reason"]?.stringValue == "NewReplicaSetAvailable"
        }
        return try await api.get(.deployment, namespace: "default", name: name)
    }

    func replicaSets(_ api: KubeAPI) async throws -> [JSONValue] {
        try await api.list(.replicaSet, namespace: "default").items
    }

    @Test func rollingUpdateRespectsSurgeAndUnavailabilityAndUndoReusesTheFirstReplicaSet() async throws {
        try await harness.run(Self.workload, readyDelay: .milliseconds(30)) { api in
            let strategy: JSONValue = [
                "type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": "25%"],
            ]
            let created = try await api.create(
                .deployment, namespace: "default",
                Self.deployment("web", replicas: 4, strategy: strategy, image: "nginx:1"))
            var d = try await rolledOut(api, "web", replicas: 4)
            #expect(d.annotations["deployment.kubernetes.io/revision"] == "1")
            let first = try #require(try await replicaSets(api).first)
            let hash = try #require(first.labels["pod-template-hash"])
            #expect(first.name == "web-\(hash)")
            #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
            #expect(first.annotations["deployment.kubernetes.io/revision"] == "1")
            #expect(first.annotations["deployment.kubernetes.io/desired-replicas"] == "4")
            #expect(first.annotations["deployment.kubernetes.io/max-replicas"] == "5")
            #expect(first[path: ["spec", "selector", "matchLabels", "pod-template-hash"]]?.stringValue == hash)
            #expect(first[path: ["spec", "template", "metadata", "labels", "pod-template-hash"]]?.stringValue == hash)
            #expect(first.controllerReference?.uid == created.uid)
            let conditions = d[path: ["status", "conditions"]]?.arrayValue ?? []
            let available = conditions.first { $0["type"]?.stringValue == "Available" }
            #expect(available?["reason"]?.stringValue == "MinimumReplicasAvailable")
            #expect(available?["message"]?.stringValue == "Deployment has minimum availability.")
            let progressing = conditions.first { $0["type"]?.stringValue == "Progressing" }
            #expect(progressing?["message"]?.stringValue == "ReplicaSet \"\(first.name)\" has successfully progressed.")
            #expect(d[path: ["status", "unavailableReplicas"]]?.intValue == 0)

            // Template A → B: never more than 4 + 1 pods, never fewer than 4 - 1 ready.
            let census = try await PodCensus(api)
            try await setImage(api, "web", "nginx:2")
            d = try await rolledOut(api, "web", replicas: 4)
            try await eventually("old pods gone") { try await api.pods().count == 4 }
            let worst = census.stop()
            #expect(worst.maxTotal <= 5)
            #expect(worst.minReady >= 3)
            #expect(worst.maxTemplates == 2)
            #expect(d.annotations["deployment.kubernetes.io/revision"] == "2")
            let sets = try await replicaSets(api)
            #expect(sets.count == 2)
            let second = try #require(sets.first { $0.uid != first.uid })
            #expect(second.annotations["deployment.kubernetes.io/revision"] == "2")
            #expect(
                try await api.get(.replicaSet, namespace: "default", name: first.name)[path: ["spec", "replicas"]]
                    == 0)
            let events = try await api.list(.event, namespace: "default").items.filter {
                $0["reason"]?.stringValue == "ScalingReplicaSet"
            }
            #expect(events.contains { $0["message"]?.stringValue == "Scaled up replica set \(first.name) from 0 to 4" })
            #expect(
                events.contains { $0["message"]?.stringValue == "Scaled up replica set \(second.name) from 0 to 1" })
            #expect(events.allSatisfy { $0[path: ["source", "component"]]?.stringValue == "deployment-controller" })

            // Undo: back to A reuses the first ReplicaSet, which gets revision 3.
            try await setImage(api, "web", "nginx:1")
            d = try await rolledOut(api, "web", replicas: 4)
            #expect(d.annotations["deployment.kubernetes.io/revision"] == "3")
            let after = try await replicaSets(api)
            #expect(after.count == 2)
            let reused = try await api.get(.replicaSet, namespace: "default", name: first.name)
            #expect(reused.uid == first.uid)
            #expect(reused.annotations["deployment.kubernetes.io/revision"] == "3")
            #expect(reused[path: ["spec", "replicas"]]?.intValue == 4)
        }
    }

    @Test func recreateStopsOldPodsBeforeStartingNewOnes() async throws {
        try await harness.run(Self.workload) { api in
            try await api.create(
                .deployment, namespace: "default",
                Self.deployment("db", replicas: 2, strategy: ["type": "Recreate"], image: "pg:1"))
            try await rolledOut(api, "db", replicas: 2)
            let census = try await PodCensus(api)
            try await setImage(api, "db", "pg:2")
            let d = try await rolledOut(api, "db", replicas: 2)
            let worst = census.stop()
            #expect(worst.maxTemplates == 1)
            #expect(worst.maxTotal <= 2)
            #expect(d.annotations["deployment.kubernetes.io/revision"] == "2")
            #expect(
                try await api.pods().allSatisfy { $0[path: ["spec", "containers"]]?.text.contains("pg:2") == true })
        }
    }

    @Test func restartAndHistoryLimitAndPausedScaling() async throws {
        try await harness.run(Self.workload) { api in
            var spec = Self.deployment("api", replicas: 2, strategy: ["type": "RollingUpdate"], image: "app:1")
            spec.set(["spec", "revisionHistoryLimit"], 1)
            try await api.create(.deployment, namespace: "default", spec)
            try await rolledOut(api, "api", replicas: 2)
            for round in 1...2 {
                var d = try await api.get(.deployment, namespace: "default", name: "api")
                d.set(
                    ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"],
                    .string("2026-11-27T00:00:0\(round)Z"))
                try await api.update(.deployment, namespace: "default", name: "api", d)
                try await rolledOut(api, "api", replicas: 2)
            }
            // Three revisions, one old kept.
            try await eventually("history trimmed to 1") { try await replicaSets(api).count == 2 }
            let revisions = try await replicaSets(api).map { $0.annotations["deployment.kubernetes.io/revision"] }
            #expect(Set(revisions.compactMap { $0 }) == ["2", "3"])

            // Paused: a template change does nothing, scaling still applies.
            var d = try await api.get(.deployment, namespace: "default", name: "api")
            d.set(["spec", "paused"], true)
            d.set(["spec", "replicas"], 3)
            d.set(["spec", "template"], Self.template("api", image: "app:2"))
            try await api.update(.deployment, namespace: "default", name: "api", d)
            try await eventually("scaled while paused") {
                let d = try await api.get(.deployment, namespace: "default", name: "api")
                let progressing = d[path: ["status", "conditions"]]?.arrayValue?.first {
                    $0["type"]?.stringValue == "Progressing"
                }
                return d[path: ["status", "replicas"]]?.intValue == 3
                    && progressing?["reason"]?.stringValue == "DeploymentPaused"
            }
            #expect(try await replicaSets(api).count == 2)
        }
    }

    @Test func progressDeadlineExceeded() async throws {
        // No kubelet: pods never become ready.
        try await harness.run(Self.workload, kubelet: false) { api in
            var spec = Self.deployment("slow", replicas: 1, strategy: ["type": "RollingUpdate"], image: "x:1")
            spec.set(["spec", "progressDeadlineSeconds"], 1)
            try await api.create(.deployment, namespace: "default", spec)
            try await eventually("deadline exceeded", timeout: .seconds(60)) {
                let d = try await api.get(.deployment, namespace: "default", name: "slow")
                let progressing = d[path: ["status", "conditions"]]?.arrayValue?.first {
                    $0["type"]?.stringValue == "Progressing"
                }
                return progressing?["reason"]?.stringValue == "ProgressDeadlineExceeded"
                    && progressing?["status"]?.stringValue == "False"
            }
            let d = try await api.get(.deployment, namespace: "default", name: "slow")
            let available = d[path: ["status", "conditions"]]?.arrayValue?.first {
                $0["type"]?.stringValue == "Available"
            }
            #expect(available?["reason"]?.stringValue == "MinimumReplicasUnavailable")
            #expect(d[path: ["status", "unavailableReplicas"]]?.intValue == 1)
        }
    }
}

// MARK: - Rollout arithmetic

@Suite struct RolloutMathTests {
    @Test func fencepostsRoundSurgeUpAndUnavailableDown() {
        #expect(RolloutMath.resolve("25%", default: "25%", total: 10, roundUp: true) == 3)
        #expect(RolloutMath.resolve("25%", default: "25%", total: 10, roundUp: false) == 2)
        #expect(RolloutMath.resolve(2, default: "25%", total: 10, roundUp: false) == 2)
        #expect(RolloutMath.resolve(nil, default: "25%", total: 4, roundUp: true) == 1)
        #expect(RolloutMath.resolve("abc", default: "25%", total: 4, roundUp: true) == nil)
        #expect(RolloutMath.resolve(-1, default: "25%", total: 4, roundUp: true) == nil)
        let zero = RolloutMath.fenceposts(["maxSurge": 0, "maxUnavailable": "0%"], replicas: 3)
        #expect(zero.surge == 0 && zero.unavailable == 1)
        let defaults = RolloutMath.fenceposts(nil, replicas: 1)
        #expect(defaults.surge == 1 && defaults.unavailable == 0)
    }

    @Test func stepsStayWithinTheFences() {
        typealias S = RolloutMath.Set
        // 4 replicas, surge 1, unavailable 1: the new set may grow to 1 while 4 old pods exist.
        #expect(
            RolloutMath.scaleUpNew(
                S(replicas: 0, pods: 0, available: 0), old: [S(replicas: 4, pods: 4, available: 4)], replicas: 4,
                surge: 1) == 1)
        // Old pods not yet gone count against the surge.
        #expect(
            RolloutMath.scaleUpNew(
                S(replicas: 1, pods: 1, available: 0), old: [S(replicas: 3, pods: 4, available: 4)], replicas: 4,
                surge: 1) == 1)
        #expect(
            RolloutMath.scaleUpNew(
                S(replicas: 1, pods: 1, available: 0), old: [S(replicas: 3, pods: 3, available: 3)], replicas: 4,
                surge: 1) == 2)
        // Old scale-down keeps 3 available: the new pod is not ready, so one old pod may go.
        #expect(
            RolloutMath.scaleDownOld(
                [S(replicas: 4, pods: 4, available: 4)], new: S(replicas: 1, pods: 1, available: 0), replicas: 4,
                unavailable: 1) == [3])
        // Two new pods unavailable: nothing more may go.
        #expect(
            RolloutMath.scaleDownOld(
                [S(replicas: 3, pods: 3, available: 3)], new: S(replicas: 2, pods: 2, available: 0), replicas: 4,
                unavailable: 1) == [3])
        // Unhealthy old replicas go first, oldest set first.
        #expect(
            RolloutMath.scaleDownOld(
                [S(replicas: 2, pods: 2, available: 0), S(replicas: 2, pods: 2, available: 2)],
                new: S(replicas: 1, pods: 1, available: 1), replicas: 4, unavailable: 1) == [0, 2])
        #expect(RolloutMath.proportional([3, 1], target: 8) == [6, 2])
        #expect(RolloutMath.proportional([2, 1], target: 4) == [3, 1])
        #expect(RolloutMath.proportional([0], target: 5) == [5])
    }

    @Test func podTemplateHashIsStableAndUsesTheSafeAlphabet() {
        let a: JSONValue = ["spec": ["containers": [["name": "c", "image": "a"]]]]
        let b: JSONValue = ["spec": ["containers": [["name": "c", "image": "b"]]]]
        #expect(PodTemplateHash.of(a) == PodTemplateHash.of(a))
        #expect(PodTemplateHash.of(a) != PodTemplateHash.of(b))
        #expect(PodTemplateHash.of(a) != PodTemplateHash.of(a, collisionCount: 1))
        #expect(PodTemplateHash.of(a).allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        // "0123456789" maps to "456789bcdf".
        #expect(!PodTemplateHash.of(a).isEmpty && PodTemplateHash.of(a).count <= 10)
    }
}

// MARK: - Garbage collector, namespaces, service accounts

extension WorkloadControllerTests {
    func ownedPod(_ name: String, owners: [JSONValue], type: ResourceType = .replicaSet) -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": .string(name)], "spec": [:]]
        pod.ownerReferences = owners.enumerated().map { index, owner in
            var reference = OwnerReference(controllerOf: owner, type: type)
            reference.controller = index == 0
            return reference
        }
        return pod
    }

    func exists(_ api: KubeAPI, _ type: ResourceType, _ name: String, namespace: String = "default") async throws
        -> Bool
    {
        do {
            _ = try await api.get(type, namespace: namespace, name: name)
            return true
        } catch let error where error.code == 404 { return false }
    }

    @Test func backgroundCollectionDeletesOrphansAndDropsDanglingReferences() async throws {
        try await harness.run([GarbageCollector()], kubelet: false) { api in
            let owner = try await api.create(.replicaSet, namespace: "default", Self.replicaSet("owner", replicas: 0))
            let other = try await api.create(.replicaSet, namespace: "default", Self.replicaSet("other", replicas: 0))
            try await api.create(.pod, namespace: "default", ownedPod("child", owners: [owner]))
            try await api.create(.pod, namespace: "default", ownedPod("shared", owners: [owner, other]))
            var ghost = owner
            ghost.set(["metadata", "uid"], "00000000-0000-4000-8000-000000000000")
            try await api.create(.pod, namespace: "default", ownedPod("haunted", owners: [ghost]))
            try await api.create(.pod, namespace: "default", ["metadata": ["name": "free"], "spec": [:]])
            // An owner reference to a missing uid (same name) goes at once; live owners keep theirs.
            try await eventually("haunted collected") { try await !exists(api, .pod, "haunted") }
            #expect(try await exists(api, .pod, "child"))

            try await api.delete(.replicaSet, namespace: "default", name: "owner")
            try await eventually("child collected") { try await !exists(api, .pod, "child") }
            try await eventually("dangling reference dropped") {
                let shared = try await api.get(.pod, namespace: "default", name: "shared")
                return shared.ownerReferences.map(\.uid) == [other.uid]
            }
            #expect(try await exists(api, .pod, "free"))
        }
    }

    @Test func foregroundDeletionRemovesDependentsFirst() async throws {
        try await harness.run([GarbageCollector()], kubelet: false) { api in
            let d = try await api.create(
                .deployment, namespace: "default",
                Self.deployment("fg", replicas: 1, strategy: ["type": "Recreate"], image: "x"))
            var rs = Self.replicaSet("fg-1", replicas: 1)
            rs.ownerReferences = [OwnerReference(controllerOf: d, type: .deployment)]
            let rsCreated = try await api.create(.replicaSet, namespace: "default", rs)
            try await api.create(.pod, namespace: "default", ownedPod("fg-1-a", owners: [rsCreated]))
            let outcome = try await api.delete(
                .deployment, namespace: "default", name: "fg", options: DeleteOptions(propagationPolicy: .foreground))
            guard case .pending(let marked) = outcome else {
                Issue.record("foreground deletion should be pending")
                return
            }
            #expect(marked.finalizers == ["foregroundDeletion"])
            try await eventually("all gone") {
                let deployment = try await exists(api, .deployment, "fg")
                let rs = try await exists(api, .replicaSet, "fg-1")
                let pod = try await exists(api, .pod, "fg-1-a")
                return !deployment && !rs && !pod
            }
        }
    }

    /// Any kind can own or be owned: a Service deleted in the foreground takes its EndpointSlice and a ConfigMap
    /// that names it as owner, then goes itself (it used to keep its finalizer forever: services were not watched).
    @Test func foregroundDeletionOfAServiceTakesItsDependents() async throws {
        try await harness.run([GarbageCollector()], kubelet: false) { api in
            let service = try await api.create(
                .service, namespace: "default",
                ["metadata": ["name": "svc"], "spec": ["ports": [["port": 80]], "selector": ["app": "svc"]]])
            var slice: JSONValue = [
                "metadata": ["name": "svc-abcde"], "addressType": "IPv4", "endpoints": [], "ports": [],
            ]
            slice.ownerReferences = [OwnerReference(controllerOf: service, type: .service)]
            try await api.create(.endpointSlice, namespace: "default", slice)
            var config: JSONValue = ["metadata": ["name": "svc-config"], "data": ["a": "b"]]
            config.ownerReferences = [OwnerReference(controllerOf: service, type: .service)]
            try await api.create(.configMap, namespace: "default", config)
            try await api.delete(
                .service, namespace: "default", name: "svc", options: DeleteOptions(propagationPolicy: .foreground))
            try await eventually("service and dependents gone") {
                let gone = [
                    try await exists(api, .service, "svc"), try await exists(api, .endpointSlice, "svc-abcde"),
                    try await exists(api, .configMap, "svc-config"),
                ]
                return gone == [false, false, false]
            }
        }
    }

    @Test func orphanDeletionKeepsDependentsWithoutTheReference() async throws {
        try await harness.run([GarbageCollector()], kubelet: false) { api in
            let owner = try await api.create(.replicaSet, namespace: "default", Self.replicaSet("lone", replicas: 0))
            try await api.create(.pod, namespace: "default", ownedPod("kept", owners: [owner]))
            try await api.delete(
                .replicaSet, namespace: "default", name: "lone", options: DeleteOptions(propagationPolicy: .orphan))
            try await eventually("owner gone") { try await !exists(api, .replicaSet, "lone") }
            let kept = try await api.get(.pod, namespace: "default", name: "kept")
            #expect(kept.ownerReferences.isEmpty)
        }
    }

    @Test func deletingADeploymentInBackgroundTakesItsReplicaSetsAndPods() async throws {
        try await harness.run(Self.workload + [GarbageCollector()]) { api in
            try await api.create(
                .deployment, namespace: "default",
                Self.deployment("gone", replicas: 2, strategy: ["type": "RollingUpdate"], image: "x"))
            try await rolledOut(api, "gone", replicas: 2)
            try await api.delete(.deployment, namespace: "default", name: "gone")
            try await eventually("replica sets and pods collected") {
                let sets = try await replicaSets(api)
                let pods = try await api.pods()
                return sets.isEmpty && pods.isEmpty
            }
        }
    }

    @Test func namespaceDeletionEmptiesAndRemovesIt() async throws {
        try await harness.run(Self.workload + [NamespaceController(), ServiceAccountController()]) { api in
            try await api.create(.namespace, namespace: "", ["metadata": ["name": "scratch"]])
            try await api.create(.configMap, namespace: "scratch", ["metadata": ["name": "cm"], "data": ["a": "b"]])
            try await api.create(.replicaSet, namespace: "scratch", Self.replicaSet("web", replicas: 2))
            try await eventually("pods in scratch") { try await api.pods("scratch").count == 2 }
            try await eventually("default service account") {
                try await exists(api, .serviceAccount, "default", namespace: "scratch")
            }
            try await api.delete(.namespace, namespace: "", name: "scratch")
            try await eventually("namespace removed") { try await !exists(api, .namespace, "scratch", namespace: "") }
            #expect(try await api.list(.configMap, namespace: "scratch").items.isEmpty)
            #expect(try await api.pods("scratch").isEmpty)
            #expect(try await exists(api, .namespace, "default", namespace: ""))
        }
    }

    @Test func everyActiveNamespaceGetsADefaultServiceAccount() async throws {
        try await harness.run([ServiceAccountController()], kubelet: false) { api in
            try await eventually("default/default") { try await exists(api, .serviceAccount, "default") }
            for namespace in ["kube-system", "kube-public", "kube-node-lease"] {
                try await eventually("\(namespace)/default") {
                    try await exists(api, .serviceAccount, "default", namespace: namespace)
                }
            }
            try await api.delete(.serviceAccount, namespace: "default", name: "default")
            try await eventually("recreated") { try await exists(api, .serviceAccount, "default") }
            try await api.create(.serviceAccount, namespace: "default", ["metadata": ["name": "robot"]])
            #expect(try await api.list(.serviceAccount, namespace: "default").items.count == 2)
        }
    }
}
