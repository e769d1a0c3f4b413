import BoxCore
import Foundation
import Testing

@testable import BoxKube

/// The scheduler and kubelet part on a master with simulated agents, through the API only.
@Suite(.serialized, .timeLimit(.minutes(5))) struct NodesTests {
    @Test func nodesAppearWithCapacityAndPodsRun() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 3)
        defer { Task { await cluster.stop() } }
        let nodes = try await cluster.wait("three nodes") {
            let list = try await cluster.api.list(.node, namespace: nil)
            return list.items.count == 3 ? list.items : nil
        }
        let node = try #require(nodes?.first { $0.name == "sim-1" })
        #expect(node[path: ["status", "capacity", "cpu"]]?.stringValue == "4")
        #expect(node[path: ["status", "capacity", "memory"]]?.stringValue == "8388608Ki")
        #expect(node[path: ["status", "capacity", "pods"]]?.stringValue == "110")
        #expect(node.labels["clusterbox.io/agent-kind"] == "simulated")
        #expect(node.labels["kubernetes.io/hostname"] == "sim-1")
        let ready = node[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        #expect(ready?["status"]?.stringValue == "True")
        #expect(ready?["reason"]?.stringValue == "KubeletReady")
        #expect(node[path: ["status", "nodeInfo", "kubeletVersion"]]?.stringValue == "v1.37.0-clusterbox")

        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "web-1", requests: ["cpu": "500m", "memory": "64Mi"],
                ports: [["containerPort": 8080, "name": "http"]]))
        let pod = try await cluster.wait("web-1 running") {
            let pod = await cluster.pod("web-1")
            return KubeNodesCluster.phase(pod) == "Running" ? pod : nil
        }
        let running = try #require(pod)
        let nodeName = try #require(running[path: ["spec", "nodeName"]]?.stringValue)
        #expect(nodeName.hasPrefix("sim-"))
        #expect(KubeNodesCluster.condition(running, "Ready")?["status"]?.stringValue == "True")
        #expect(KubeNodesCluster.condition(running, "PodScheduled")?["status"]?.stringValue == "True")
        let status = try #require(running[path: ["status", "containerStatuses"]]?.arrayValue?.first)
        #expect(status["name"]?.stringValue == "main")
        #expect(status["ready"]?.boolValue == true)
        #expect(status[path: ["state", "running", "startedAt"]]?.stringValue != nil)
        #expect(status["containerID"]?.stringValue?.hasPrefix("clusterbox://default.web-1.main.") == true)
        #expect(running[path: ["status", "hostIP"]]?.stringValue == "127.0.0.1")
        #expect(running[path: ["status", "qosClass"]]?.stringValue == "Burstable")
        let ports = try #require(running.annotations["clusterbox.io/host-ports"])
        let mapping = try JSONParser.parse(Array(ports.utf8))
        let host = try #require(mapping["8080"]?.intValue)
        #expect((31000...32000).contains(host))
        let events = try await cluster.api.list(.event, namespace: "default").items
        #expect(
            events.contains {
                $0["reason"]?.stringValue == "Scheduled"
                    && $0["message"]?.stringValue == "Successfully assigned default/web-1 to \(nodeName)"
            })
    }

    @Test func unschedulablePodsSayWhy() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 3)
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") {
            try await cluster.api.list(.node, namespace: nil).items.count == 3 ? true : nil
        }
        try await cluster.api.create(
            .pod, namespace: "default", KubeNodesCluster.podJSON("huge", requests: ["cpu": "1000"]))
        let condition = try await cluster.wait("PodScheduled False") {
            let condition = KubeNodesCluster.condition(await cluster.pod("huge"), "PodScheduled")
            return condition?["status"]?.stringValue == "False" ? condition : nil
        }
        #expect(condition?["reason"]?.stringValue == "Unschedulable")
        #expect(condition?["message"]?.stringValue == "0/3 nodes are available: 3 Insufficient cpu.")
        // The event is written just after the condition.
        let event = try await cluster.wait("FailedScheduling event") {
            try await cluster.api.list(.event, namespace: "default").items.first {
                $0["reason"]?.stringValue == "FailedScheduling" && $0["type"]?.stringValue == "Warning"
            }
        }
        #expect(event != nil)
        #expect((await cluster.pod("huge"))?[path: ["spec", "nodeName"]] == nil)
    }

    @Test func nodeSelectorAndTaintsFilter() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 3)
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") {
            try await cluster.api.list(.node, namespace: nil).items.count == 3 ? true : nil
        }
        // sim-1 and sim-2 are tainted; only sim-3 is free, unless tolerated.
        for name in ["sim-1", "sim-2"] {
            var node = try await cluster.api.get(.node, namespace: "", name: name)
            node.set(["spec", "taints"], [["key": "dedicated", "value": "db", "effect": "NoSchedule"]])
            node.set(["metadata", "resourceVersion"], nil)
            try await cluster.api.update(.node, namespace: "", name: name, node)
        }
        // The scheduler must have seen both taints before the pods come (a fixed 200 ms was too short in a CI run).
        try await cluster.wait("the scheduler sees the taints") {
            let specs = await cluster.nodes.nodeSpecs
            return ["sim-1", "sim-2"].allSatisfy { specs[$0]?.taints.isEmpty == false } ? true : nil
        }
        try await cluster.api.create(.pod, namespace: "default", KubeNodesCluster.podJSON("plain"))
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "picky", extra: ["nodeSelector": ["kubernetes.io/hostname": "sim-2"]]))
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "tolerant",
                extra: [
                    "nodeSelector": ["kubernetes.io/hostname": "sim-1"],
                    "tolerations": [["key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"]],
                ]))
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "affine",
                extra: [
                    "affinity": [
                        "nodeAffinity": [
                            "requiredDuringSchedulingIgnoredDuringExecution": [
                                "nodeSelectorTerms": [
                                    [
                                        "matchExpressions": [
                                            ["key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["sim-3"]]
                                        ]
                                    ]
                                ]
                            ]
                        ]
                    ]
                ]))
        try await cluster.wait("plain and tolerant running") {
            let plain = await cluster.pod("plain")
            let tolerant = await cluster.pod("tolerant")
            return KubeNodesCluster.phase(plain) == "Running" && KubeNodesCluster.phase(tolerant) == "Running"
                ? true : nil
        }
        #expect((await cluster.pod("plain"))?[path: ["spec", "nodeName"]]?.stringValue == "sim-3")
        #expect((await cluster.pod("tolerant"))?[path: ["spec", "nodeName"]]?.stringValue == "sim-1")
        let picky = try await cluster.wait("picky unschedulable") {
            let condition = KubeNodesCluster.condition(await cluster.pod("picky"), "PodScheduled")
            return condition?["status"]?.stringValue == "False" ? condition : nil
        }
        // As upstream, each node counts once, for the first filter it fails (taints before the selector).
        #expect(
            picky?["message"]?.stringValue
                == "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {dedicated: db}."
        )
        let affine = try await cluster.wait("affine unschedulable") {
            let condition = KubeNodesCluster.condition(await cluster.pod("affine"), "PodScheduled")
            return condition?["status"]?.stringValue == "False" ? condition : nil
        }
        #expect(
            affine?["message"]?.stringValue
                == "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {dedicated: db}."
        )
    }

    @Test func podsThatEndReportTheirExit() async throws {
        // A process agent: the cluster is stopped (its sandbox removed) before the test returns, pass or fail.
        let cluster = try await KubeNodesCluster.start(simulated: 1, process: 1)
        do {
            try await Self.podsThatEndReportTheirExit(cluster)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    static func podsThatEndReportTheirExit(_ cluster: KubeNodesCluster) async throws {
        try await cluster.wait("nodes") {
            try await cluster.api.list(.node, namespace: nil).items.count == 2 ? true : nil
        }
        let onProcessAgent: JSONValue = ["kubernetes.io/hostname": "agent-1"]
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "fails", image: "host", command: ["sh", "-c", "echo bye; exit 3"], restartPolicy: "Never",
                extra: ["nodeSelector": onProcessAgent]))
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON(
                "done", restartPolicy: "Never", extra: ["nodeSelector": ["kubernetes.io/hostname": "sim-1"]],
                annotations: ["clusterbox.io/duration": "0.3"]))
        try await cluster.api.create(
            .pod, namespace: "default", KubeNodesCluster.podJSON("nocommand", image: "host"))
        let failed = try await cluster.wait("fails Failed") {
            let pod = await cluster.pod("fails")
            return KubeNodesCluster.phase(pod) == "Failed" ? pod : nil
        }
        let terminated = failed?[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: [
            "state", "terminated",
        ]]
        #expect(terminated?["exitCode"]?.intValue == 3)
        #expect(terminated?["reason"]?.stringValue == "Error")
        if let files = await cluster.nodes.logFiles(namespace: "default", pod: "fails", container: nil, previous: false)
        {
            #expect(files.count == 2)
        }
        let done = try await cluster.wait("done Succeeded") {
            let pod = await cluster.pod("done")
            return KubeNodesCluster.phase(pod) == "Succeeded" ? pod : nil
        }
        let completed = done?[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: ["state", "terminated"]]
        #expect(completed?["exitCode"]?.intValue == 0)
        #expect(completed?["reason"]?.stringValue == "Completed")
        // A host pod without a command cannot start: it waits with a clear reason.
        let waiting = try await cluster.wait("nocommand waiting") {
            let status = (await cluster.pod("nocommand"))?[path: ["status", "containerStatuses"]]?.arrayValue?.first
            return status?[path: ["state", "waiting", "reason"]]?.stringValue == "CreateContainerConfigError"
                ? status : nil
        }
        #expect(waiting?[path: ["state", "waiting", "message"]]?.stringValue?.contains("no command") == true)
    }

    @Test func containersThatEndBackOffBeforeRestarting() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.api.create(
            .pod, namespace: "default",
            KubeNodesCluster.podJSON("flappy", annotations: ["clusterbox.io/duration": "0.2"]))
        let status = try await cluster.wait("flappy backing off") {
            let status = (await cluster.pod("flappy"))?[path: ["status", "containerStatuses"]]?.arrayValue?.first
            return status?[path: ["state", "waiting", "reason"]]?.stringValue == "CrashLoopBackOff" ? status : nil
        }
        #expect(status?[path: ["lastState", "terminated", "reason"]]?.stringValue == "Completed")
        #expect(status?[path: ["lastState", "terminated", "exitCode"]]?.intValue == 0)
        #expect(status?["ready"]?.boolValue == false)
        let pod = await cluster.pod("flappy")
        #expect(KubeNodesCluster.phase(pod) == "Running")
        #expect(KubeNodesCluster.condition(pod, "Ready")?["status"]?.stringValue == "False")
    }

    @Test func gracefulDeleteRemovesThePodAfterItsTasks() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 2)
        defer { Task { await cluster.stop() } }
        try await cluster.api.create(.pod, namespace: "default", KubeNodesCluster.podJSON("doomed"))
        try await cluster.wait("doomed running") {
            KubeNodesCluster.phase(await cluster.pod("doomed")) == "Running" ? true : nil
        }
        let outcome = try await cluster.api.delete(.pod, namespace: "default", name: "doomed")
        guard case .pending = outcome else {
            Issue.record("a bound pod should be deleted gracefully")
            return
        }
        try await cluster.wait("doomed removed") { await cluster.pod("doomed") == nil ? true : nil }
        #expect(await cluster.nodes.counts().running == 0)
        // An unscheduled pod being deleted goes at once.
        try await cluster.api.create(
            .pod, namespace: "default", KubeNodesCluster.podJSON("never", requests: ["cpu": "1000"]))
        try await cluster.wait("never unschedulable") {
            KubeNodesCluster.condition(await cluster.pod("never"), "PodScheduled")?["status"]?.stringValue == "False"
                ? true : nil
        }
        try await cluster.api.delete(.pod, namespace: "default", name: "never")
        try await cluster.wait("never removed") { await cluster.pod("never") == nil ? true : nil }
    }

    @Test func manyPodsRunOnEveryNode() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 5, resources: Resources(cpus: 64, memoryMiB: 65536))
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") {
            try await cluster.api.list(.node, namespace: nil).items.count == 5 ? true : nil
        }
        let owner: JSONValue = [
            ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-uid-1", "controller": true]
        ]
        // NODES_TEST_PODS=1000 measures the 1,000-pod target.
        let count = Int(ProcessInfo.processInfo.environment["NODES_TEST_PODS"] ?? "") ?? 100
        let start = ContinuousClock.now
        for index in 0..<count {
            var pod = KubeNodesCluster.podJSON("web-\(index)", requests: ["cpu": "100m", "memory": "32Mi"])
            pod.set(["metadata", "ownerReferences"], owner)
            try await cluster.api.create(.pod, namespace: "default", pod)
        }
        let created = ContinuousClock.now - start
        // Polled rarely: listing every pod competes with the scheduler for the CPU.
        try await cluster.wait("\(count) pods running", timeout: .seconds(90), every: .milliseconds(250)) {
            let pods = try await cluster.api.list(.pod, namespace: "default").items
            return pods.filter { KubeNodesCluster.phase($0) == "Running" }.count == count ? true : nil
        }
        let elapsed = ContinuousClock.now - start
        print("NodesTests: \(count) pods created in \(created), all Running after \(elapsed)")
        // Spread: the replicas of one owner go to every node. Spreading is among the nodes whose offers are held
        // in a cycle, so the balance is rough (printed, not asserted).
        let pods = try await cluster.api.list(.pod, namespace: "default").items
        var perNode: [String: Int] = [:]
        for pod in pods { perNode[pod[path: ["spec", "nodeName"]]?.stringValue ?? "", default: 0] += 1 }
        print("NodesTests: pods per node \(perNode.sorted { $0.key < $1.key })")
        #expect(perNode.count == 5)
        // The time is printed, not asserted: on a loaded CI machine 100 pods took 25 s, on a quiet one a few. Their
        // speed is Benchmarks/kube.sh's to measure (1,000 pods on 200 agents, on a machine doing nothing else).
    }
}

/// The pure parts: quantities, filtering and scoring, task building, pod status.
@Suite struct NodeFitTests {
    func node(_ name: String, cpus: Int = 4000, mem: Int = 8192, labels: [String: String] = [:], taints: [Taint] = [])
        -> NodeCandidate
    {
        NodeCandidate(
            name: name, agentID: AgentID(name), labels: labels.merging(["kubernetes.io/hostname": name]) { a, _ in a },
            taints: taints, unschedulable: false,
            free: Resources(milliCPUs: cpus, memoryMiB: mem, ports: PortRanges([31000...31002])),
            capacity: Resources(milliCPUs: 4000, memoryMiB: 8192), ownerCounts: [:], offered: true)
    }

    func pod(_ spec: JSONValue, owner: String? = nil) -> PodRequirements {
        var pod: JSONValue = ["metadata": ["name": "p", "namespace": "default"], "spec": spec]
        if let owner {
            pod.set(
                ["metadata", "ownerReferences"],
                [
                    [
                        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": .string(owner),
                        "controller": true,
                    ]
                ])
        }
        return PodRequirements(pod: pod)
    }

    @Test func quantities() {
        #expect(NodeQuantity.milliCPUs("250m") == 250)
        #expect(NodeQuantity.milliCPUs("2") == 2000)
        #expect(NodeQuantity.milliCPUs("0.5") == 500)
        #expect(NodeQuantity.memoryMiB("64Mi") == 64)
        #expect(NodeQuantity.memoryMiB("1Gi") == 1024)
        #expect(NodeQuantity.memoryMiB("1G") == 954)
        #expect(NodeQuantity.memoryMiB("1000") == 1)
        #expect(NodeQuantity.memoryMiB("1e9") == 954)
        #expect(NodeQuantity.milliCPUs("") == nil)
        #expect(NodeQuantity.milliCPUs("lots") == nil)
        #expect(NodeQuantity.milliCPUs("-1") == nil)
        #expect(NodeQuantity.memoryMiB("12Qi") == nil)
    }

    @Test func requestsFallBackToLimitsThenTheDefault() {
        let requirements = pod([
            "containers": [
                ["name": "a", "resources": ["requests": ["cpu": "200m"], "limits": ["memory": "128Mi"]]],
                ["name": "b"],
            ]
        ])
        #expect(requirements.containers[0].resources == Resources(milliCPUs: 200, memoryMiB: 128))
        #expect(requirements.containers[1].resources == PodRequirements.defaultRequest)
        #expect(requirements.resources == Resources(milliCPUs: 300, memoryMiB: 160))
    }

    @Test func filtersAndMessages() {
        let nodes = [
            node("a", cpus: 100), node("b", labels: ["disk": "ssd"]),
            node("c", taints: [Taint(key: "gpu", value: "yes", effect: "NoSchedule")]),
        ]
        let big = pod(["containers": [["name": "x", "resources": ["requests": ["cpu": "8"]]]]])
        // Each node counts once, for its first failing filter: c's taint comes before resources.
        #expect(
            NodeFit.place(big, among: nodes)
                == .unschedulable(
                    "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 2 Insufficient cpu."))
        #expect(
            NodeFit.place(big, among: [nodes[0], nodes[1]])
                == .unschedulable("0/2 nodes are available: 2 Insufficient cpu."))
        let ssd = pod(["containers": [["name": "x"]], "nodeSelector": ["disk": "ssd"]])
        #expect(NodeFit.place(ssd, among: nodes) == .node(1))
        let gpu = pod([
            "containers": [["name": "x"]],
            "tolerations": [["key": "gpu", "operator": "Exists"]],
            "affinity": [
                "nodeAffinity": [
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        "nodeSelectorTerms": [["matchExpressions": [["key": "disk", "operator": "DoesNotExist"]]]]
                    ]
                ]
            ],
        ])
        // a is too small for the default request? No: 100m fits exactly; c wins on least-allocated by name order.
        if case .node(let index) = NodeFit.place(gpu, among: nodes) {
            #expect(nodes[index].name == "c")
        } else {
            Issue.record("the tolerating pod should fit c")
        }
        let untolerated = pod(["containers": [["name": "x"]], "nodeSelector": ["kubernetes.io/hostname": "c"]])
        #expect(
            NodeFit.place(untolerated, among: nodes)
                == .unschedulable(
                    "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: yes}, 2 node(s) didn't match Pod's node affinity/selector."
                ))
        let gt = NodeSelectorTerm.Expression(key: "n", op: "Gt", values: ["3"])
        #expect(gt.matches("4") && !gt.matches("3") && !gt.matches(nil) && !gt.matches("x"))
        let lt = NodeSelectorTerm.Expression(key: "n", op: "Lt", values: ["3"])
        #expect(lt.matches("2") && !lt.matches("3"))
        #expect(NodeSelectorTerm.Expression(key: "n", op: "NotIn", values: ["a"]).matches(nil))
        #expect(!NodeSelectorTerm.Expression(key: "n", op: "Bogus", values: []).matches("a"))
    }

    @Test func hostPortsComeFromTheOffer() {
        let wanted = pod([
            "containers": [["name": "x", "ports": [["containerPort": 80, "hostPort": 31001], ["containerPort": 81]]]]
        ])
        #expect(NodeFit.ports(for: wanted, from: PortRanges([31000...31002])) == [[31001, 31000]])
        #expect(NodeFit.ports(for: wanted, from: PortRanges([31000...31000])) == nil)
        let busy = node("a")
        var taken = busy
        taken.free.ports = PortRanges([32000...32005])
        #expect(NodeFit.failures(wanted, on: taken) == [.hostPorts])
    }

    @Test func replicasSpreadAcrossNodes() {
        var nodes = [node("a"), node("b")]
        nodes[0].ownerCounts["rs1"] = 2
        nodes[1].ownerCounts["rs1"] = 1
        let replica = pod(["containers": [["name": "x"]]], owner: "rs1")
        #expect(NodeFit.place(replica, among: nodes) == .node(1))
        nodes[1].offered = false
        #expect(NodeFit.place(replica, among: [nodes[1]]) == .wait)
    }

    @Test func commandsAndEnvironment() {
        let host: JSONValue = ["name": "c", "image": "host", "command": ["sh", "-c"], "args": ["echo 'hi' $X"]]
        guard case .success(let program) = PodTasks.program(host) else {
            Issue.record("host command")
            return
        }
        #expect(program.command == "sh -c 'echo '\\''hi'\\'' $X'")
        #expect(program.image == nil)
        guard case .success(let image) = PodTasks.program(["name": "c", "image": "busybox", "args": ["sleep", "1"]])
        else {
            Issue.record("image")
            return
        }
        #expect(image.command == nil)
        #expect(image.image == ContainerInfo(image: "busybox", entrypoint: nil, arguments: ["sleep", "1"]))
        guard case .failure(let error) = PodTasks.program(["name": "c", "image": "host"]) else {
            Issue.record("no command must fail")
            return
        }
        #expect(error.message.contains("no command"))

        let container: JSONValue = [
            "name": "c",
            "env": [
                ["name": "A", "value": "1"], ["name": "B", "value": "$(A)-x-$$"],
                ["name": "C", "valueFrom": ["configMapKeyRef": ["name": "cm", "key": "k"]]],
                ["name": "D", "valueFrom": ["secretKeyRef": ["name": "s", "key": "pw"]]],
            ],
            "envFrom": [["prefix": "CM_", "configMapRef": ["name": "cm"]]],
        ]
        let secret = PodTasks.secretData(["data": ["pw": "aHVudGVyMg=="]])
        #expect(secret["pw"] == "hunter2")
        let environment = PodTasks.environment(
            container, configMaps: ["cm": ["k": "v"]], secrets: ["s": secret], ports: [("http", 31000), (nil, 31001)])
        guard case .success(let env) = environment else {
            Issue.record("environment")
            return
        }
        #expect(env["A"] == "1" && env["B"] == "1-x-$" && env["C"] == "v" && env["D"] == "hunter2")
        #expect(env["CM_k"] == "v" && env["PORT"] == "31000" && env["PORT_HTTP"] == "31000" && env["PORT1"] == "31001")
        guard case .failure(let missing) = PodTasks.environment(container, configMaps: [:], secrets: [:], ports: [])
        else {
            Issue.record("a missing config map must fail")
            return
        }
        #expect(missing.reason == "CreateContainerConfigError")
        #expect(missing.message == "configmap \"cm\" not found")
        #expect(Base64.decode("!!") == nil)
    }

    @Test func qosClasses() {
        func qos(_ resources: JSONValue) -> String {
            PodStatus.qosClass(["spec": ["containers": [["name": "c", "resources": resources]]]])
        }
        #expect(qos([:]) == "BestEffort")
        #expect(qos(["requests": ["cpu": "1"]]) == "Burstable")
        #expect(qos(["limits": ["cpu": "1", "memory": "1Gi"]]) == "Guaranteed")
        #expect(qos(["limits": ["cpu": "1", "memory": "1Gi"], "requests": ["cpu": "500m"]]) == "Burstable")
    }
}
