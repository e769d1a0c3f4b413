import Foundation

/// Lesson 4: Kubernetes is application-oriented: a bare Pod (nothing recreates it), a ReplicationController that
/// replaces a deleted pod, a Deployment that owns a ReplicaSet that owns pods, labels and selectors tying them
/// together, and a rolling update. Talks to the API directly (HTTPS, the cluster's CA and token), no kubectl.
struct KubernetesLesson: Lesson {
    let number = 4
    let title = "Kubernetes: pods, controllers, labels, a rolling update"
    let summary = "a bare pod, a ReplicationController healing, a Deployment → ReplicaSet → pods, a rolling update"

    static let pods = "/api/v1/namespaces/default/pods"
    static let controllers = "/api/v1/namespaces/default/replicationcontrollers"
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let replicaSets = "/apis/apps/v1/namespaces/default/replicasets"

    func run(_ session: TourSession) throws {
        let kube = try session.kubeClient()
        try barePod(session, kube)
        try replicationController(session, kube)
        try deployment(session, kube)
    }

    private func barePod(_ session: TourSession, _ kube: KubeClient) throws {
        try session.step("A bare pod")
        session.say(
            """
            A pod is the unit Kubernetes runs: containers that share a fate. The scheduler (a framework on the
            master here) binds it to a node (an agent) from the offers it gets. POST \(Self.pods) tour-pod
            """)
        let start = Date()
        var pod = Workloads.podTemplate(labels: ["app": "tour-pod"])
        pod["apiVersion"] = "v1"
        pod["kind"] = "Pod"
        pod["metadata"] = ["name": "tour-pod", "labels": ["app": "tour-pod"]]
        try Workloads.createObject(session, Self.pods, pod)
        let ready = try Workloads.waitReadyPods(kube, selector: "app=tour-pod", count: 1)
        let node = ready.flatMap { ($0.first?["spec"] as? [String: Any])?["nodeName"] as? String }
        session.check(
            "tour-pod is Running and Ready on a node", ready != nil && node != nil,
            measured: ready != nil ? "ready on \(node ?? "?") after \(elapsed(since: start))" : "not ready in 90 s")
        session.say("Now delete it. Nothing owns a bare pod, so nothing brings it back.")
        try Workloads.deleteObject(kube, "\(Self.pods)/tour-pod", foreground: false)
        usleep(1_500_000)
        let left = try Workloads.items(kube, "\(Self.pods)?labelSelector=app%3Dtour-pod")
        session.check(
            "1.5 s after the deletion no pod labelled app=tour-pod exists", left.isEmpty,
            measured: "\(left.count) pods")
    }

    private func replicationController(_ session: TourSession, _ kube: KubeClient) throws {
        try session.step("A ReplicationController heals")
        session.say(
            """
            A controller keeps the world as declared. A ReplicationController says: "2 pods matching app=tour-rc
            exist". Its control loop counts the pods its selector matches and creates or deletes the difference.
            """)
        let start = Date()
        try Workloads.createObject(
            session, Self.controllers,
            [
                "apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "tour-rc"],
                "spec": [
                    "replicas": 2, "selector": ["app": "tour-rc"],
                    "template": Workloads.podTemplate(labels: ["app": "tour-rc"]),
                ],
            ])
        guard let before = try Workloads.waitReadyPods(kube, selector: "app=tour-rc", count: 2) else {
            session.check("the ReplicationController's 2 pods become ready", false, measured: "not in 90 s")
            return
        }
        session.say(
            "2 pods ready after \(elapsed(since: start)): " + before.map(Workloads.name).joined(separator: ", "))
        let victim = Workloads.name(before[0])
        session.say("delete \(victim)…")
        let killStart = Date()
        _ = try kube.request("DELETE", "\(Self.pods)/\(victim)")
        let after = try poll(timeoutSeconds: 90, intervalSeconds: 0.1) { () -> [[String: Any]]? in
            guard let pods = try Workloads.waitReadyPods(kube, selector: "app=tour-rc", count: 2, timeoutSeconds: 0)
            else { return nil }
            return pods.contains { Workloads.name($0) == victim } ? nil : pods
        }
        let fresh = after?.map(Workloads.name).filter { name in !before.contains { Workloads.name($0) == name } } ?? []
        session.check(
            "the controller replaced the deleted pod: 2 ready pods again, one of them new", fresh.count == 1,
            measured: after != nil
                ? "\(fresh.first ?? "?") ready \(elapsed(since: killStart)) after the delete" : "not in 90 s")
    }

    private func deployment(_ session: TourSession, _ kube: KubeClient) throws {
        try session.step("A Deployment, its ReplicaSet, their labels")
        session.say(
            """
            A Deployment manages ReplicaSets, and a ReplicaSet manages pods: each object records its owner
            (metadata.ownerReferences) and finds its children by a label selector (app=tour-web).
            """)
        let start = Date()
        try Workloads.createObject(
            session, Self.deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "tour-web"],
                "spec": [
                    "replicas": 2, "selector": ["matchLabels": ["app": "tour-web"]],
                    "template": Workloads.podTemplate(labels: ["app": "tour-web"]),
                ],
            ])
        guard let pods = try Workloads.waitReadyPods(kube, selector: "app=tour-web", count: 2) else {
            session.check("the Deployment's 2 pods become ready", false, measured: "not in 90 s")
            return
        }
        session.say("2 pods ready after \(elapsed(since: start))")
        let sets = try Workloads.items(kube, "\(Self.replicaSets)?labelSelector=app%3Dtour-web")
        let setOwners = sets.map { Self.owner(of: $0) }
        let podOwners = Set(pods.map { Self.owner(of: $0) })
        for set in sets { session.say("  ReplicaSet \(Workloads.name(set)) ← owned by \(Self.owner(of: set))") }
        for pod in pods {
            let labels = ((pod["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:])
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            session.say("  Pod \(Workloads.name(pod)) ← owned by \(Self.owner(of: pod))  labels \(labels)")
        }
        session.check(
            "one ReplicaSet, owned by Deployment/tour-web, owns both pods",
            sets.count == 1 && setOwners == ["Deployment/tour-web"]
                && podOwners == ["ReplicaSet/\(sets.first.map(Workloads.name) ?? "")"],
            measured: "\(sets.count) ReplicaSet(s) owned by \(setOwners); pods owned by \(podOwners.sorted())")
        let hash = ((pods[0]["metadata"] as? [String: Any])?["labels"] as? [String: String])?["pod-template-hash"]
        let byHash = try Workloads.items(
            kube, "\(Self.pods)?labelSelector=app%3Dtour-web%2Cpod-template-hash%3D\(hash ?? "none")")
        session.check(
            "the selector app=tour-web,pod-template-hash=\(hash ?? "?") picks exactly those 2 pods", byHash.count == 2,
            measured: "\(byHash.count) pods")

        try rollingUpdate(session, kube)
    }

    private func rollingUpdate(_ session: TourSession, _ kube: KubeClient) throws {
        try session.step("A rolling update")
        session.say(
            """
            Changing the pod template (here VERSION=v2) makes the Deployment create a new ReplicaSet and move pods
            over one at a time: maxSurge 25% of 2 rounds up to 1 extra pod, maxUnavailable 25% rounds down to 0,
            so 2 pods stay ready throughout. PATCH \(Self.deployments)/tour-web (merge patch)
            """)
        let start = Date()
        let patch = ["spec": ["template": Workloads.podTemplate(labels: ["app": "tour-web"], version: "v2")]]
        let response = try kube.request(
            "PATCH", "\(Self.deployments)/tour-web", body: patch, contentType: "application/merge-patch+json")
        guard response.status == 200 else {
            throw CLIError("PATCH answered HTTP \(response.status): \(response.message)")
        }
        var fewestReady = Int.max
        let done = try poll(timeoutSeconds: 120, intervalSeconds: 0.1) { () -> [[String: Any]]? in
            let pods = try Workloads.items(kube, "\(Self.pods)?labelSelector=app%3Dtour-web")
            let ready = pods.filter(Workloads.podReady)
            fewestReady = min(fewestReady, ready.count)
            let deployment = try kube.get("\(Self.deployments)/tour-web").object
            let status = deployment["status"] as? [String: Any] ?? [:]
            let generation = (deployment["metadata"] as? [String: Any])?["generation"] as? Int ?? 0
            let settled =
                status["observedGeneration"] as? Int ?? -1 >= generation && status["updatedReplicas"] as? Int == 2
                && status["availableReplicas"] as? Int == 2 && status["replicas"] as? Int == 2 && pods.count == 2
                && ready.count == 2 && ready.allSatisfy { Self.version(of: $0) == "v2" }
            return settled ? ready : nil
        }
        session.check(
            "the Deployment rolled out: 2 ready pods, both of version v2", done != nil,
            measured: done != nil ? "rolled out in \(elapsed(since: start))" : "not in 120 s")
        let sets = try Workloads.items(kube, "\(Self.replicaSets)?labelSelector=app%3Dtour-web")
        let sizes = sets.map { set in
            "\(Workloads.name(set)): \((set["spec"] as? [String: Any])?["replicas"] as? Int ?? -1)"
        }
        session.check(
            "two ReplicaSets now: the new one has 2 replicas, the old one 0 (kept for rollback)",
            sets.count == 2 && Set(sets.map { (($0["spec"] as? [String: Any])?["replicas"] as? Int) ?? -1 }) == [0, 2],
            measured: sizes.joined(separator: ", "))
        session.check(
            "at least 2 pods were ready at every moment we looked", fewestReady >= 2,
            measured: "fewest ready pods seen: \(fewestReady == Int.max ? 0 : fewestReady)")
        session.say("Try it yourself: clusterbox kubectl -- rollout history deploy/<name>")
    }

    /// `Kind/name` of the object's controlling owner, or `none`.
    static func owner(of object: [String: Any]) -> String {
        let owners = (object["metadata"] as? [String: Any])?["ownerReferences"] as? [[String: Any]] ?? []
        guard let owner = owners.first else { return "none" }
        return "\(owner["kind"] as? String ?? "?")/\(owner["name"] as? String ?? "?")"
    }

    /// The `VERSION` environment variable of the pod's first container.
    static func version(of pod: [String: Any]) -> String? {
        let containers = (pod["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
        let env = containers.first?["env"] as? [[String: Any]] ?? []
        return env.first { $0["name"] as? String == "VERSION" }?["value"] as? String
    }
}
