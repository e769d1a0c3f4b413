import BoxCore
import BoxKube
import Foundation
import Testing

/// The scheduler and kubelet part on a master with simulated agents, through the API only.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NodesTests {
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
        try await cluster.wait("nodes") { try await cluster.api.list(.node, namespace: nil).items.count == 3 ? true : nil }
        try await cluster.api.create(
            .pod, namespace: "default", KubeNodesCluster.podJSON("huge", requests: ["cpu": "1000"]))
        let condition = try await cluster.wait("PodScheduled False") {
            let condition = KubeNodesCluster.condition(await cluster.pod("huge"), "PodScheduled")
            return condition?["status"]?.stringValue == "False" ? condition : nil
        }
        #expect(condition?["reason"]?.stringValue == "Unschedulable")
        #expect(condition?["message"]?.stringValue == "0/3 nodes are available: 3 Insufficient cpu.")
        let events = try await cluster.api.list(.event, namespace: "default").items
        #expect(events.contains { $0["reason"]?.stringValue == "FailedScheduling" && $0["type"]?.stringValue == "Warning" })
        #expect((await cluster.pod("huge"))?[path: ["spec", "nodeName"]] == nil)
    }

    @Test func nodeSelectorAndTaintsFilter() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 3)
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") { try await cluster.api.list(.node, namespace: nil).items.count == 3 ? true : nil }
        // sim-1 and sim-2 are tainted; only sim-3 is free, unless tolerated.
        for name in ["sim-1", "sim-2"] {
            var node = try await cluster.api.get(.node, namespace: "", name: name)
            node.set(["spec", "taints"], [["key": "dedicated", "value": "db", "effect": "NoSchedule"]])
            node.set(["metadata", "resourceVersion"], nil)
            try await cluster.api.update(.node, namespace: "", name: name, node)
        }
        try await Task.sleep(for: .milliseconds(200))
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
        #expect(
            picky?["message"]?.stringValue
                == "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector."
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
        let cluster = try await KubeNodesCluster.start(simulated: 1, process: 1)
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") { try await cluster.api.list(.node, namespace: nil).items.count == 2 ? true : nil }
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
        let terminated = failed?[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: ["state", "terminated"]]
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

    @Test func manyPodsRunQuickly() async throws {
        let cluster = try await KubeNodesCluster.start(simulated: 5, resources: Resources(cpus: 64, memoryMiB: 65536))
        defer { Task { await cluster.stop() } }
        try await cluster.wait("nodes") { try await cluster.api.list(.node, namespace: nil).items.count == 5 ? true : nil }
        let owner: JSONValue = [
            ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-uid-1", "controller": true]
        ]
        let count = 200
        let start = ContinuousClock.now
        for index in 0..<count {
            var pod = KubeNodesCluster.podJSON("web-\(index)", requests: ["cpu": "100m", "memory": "32Mi"])
            pod.set(["metadata", "ownerReferences"], owner)
            try await cluster.api.create(.pod, namespace: "default", pod)
        }
        let created = ContinuousClock.now - start
        try await cluster.wait("\(count) pods running", timeout: .seconds(30)) {
            let pods = try await cluster.api.list(.pod, namespace: "default").items
            return pods.filter { KubeNodesCluster.phase($0) == "Running" }.count == count ? true : nil
        }
        let elapsed = ContinuousClock.now - start
        print("NodesTests: \(count) pods created in \(created), all Running after \(elapsed)")
        // Spread: the replicas of one owner are balanced across the five nodes.
        let pods = try await cluster.api.list(.pod, namespace: "default").items
        var perNode: [String: Int] = [:]
        for pod in pods { perNode[pod[path: ["spec", "nodeName"]]?.stringValue ?? "", default: 0] += 1 }
        #expect(perNode.count == 5)
        #expect((perNode.values.max() ?? 0) - (perNode.values.min() ?? 0) <= 10)
        #expect(elapsed < .seconds(20))
    }
}
