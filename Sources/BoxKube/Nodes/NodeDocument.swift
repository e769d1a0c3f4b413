import BoxCore

#if canImport(Glibc)
    import Glibc
#endif

/// The Node object the kubelet part writes for an agent: labels, addresses, capacity, conditions, node info.
enum NodeDocument {
    static let kubeletVersion = "v1.37.0-clusterbox"

    /// `2`, `1500m`.
    static func cpuText(_ milliCPUs: Int) -> String {
        milliCPUs % 1000 == 0 ? String(milliCPUs / 1000) : "\(milliCPUs)m"
    }

    /// `4194304Ki`, as kubelets report memory.
    static func memoryText(_ mebibytes: Int) -> String { "\(mebibytes * 1024)Ki" }

    static var architecture: String {
        #if arch(arm64)
            "arm64"
        #else
            "amd64"
        #endif
    }

    /// The host's kernel release (`uname -r`), read once.
    static let kernelVersion: String = {
        #if canImport(Glibc)
            var names = utsname()
            guard uname(&names) == 0 else { return "unknown" }
            return withUnsafeBytes(of: &names.release) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
        #else
            return "unknown"
        #endif
    }()

    /// The labels the kubelet sets: hostname, os, arch, and the agent's kind (`process`, `simulated`).
    static func labels(name: String, attributes: Labels) -> [String: String] {
        [
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": architecture,
            "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": architecture,
            "clusterbox.io/agent-kind": attributes["kind"] ?? "process",
        ]
    }

    /// The agent's address: its `address` attribute, else loopback (simulated agents).
    static func address(_ attributes: Labels) -> String { attributes["address"] ?? "127.0.0.1" }

    /// `status` of the node: Ready True since `readySince`, heartbeat `heartbeat`.
    static func status(
        name: String, attributes: Labels, capacity: Resources, heartbeat: Instant, readySince: Instant
    ) -> JSONValue {
        var resources: [String: JSONValue] = [
            "cpu": .string(cpuText(capacity.milliCPUs)), "memory": .string(memoryText(capacity.memoryMiB)),
            "pods": "110",
        ]
        if capacity.diskMiB > 0 { resources["ephemeral-storage"] = .string(memoryText(capacity.diskMiB)) }
        let beat = JSONValue.string(KubeTime.format(heartbeat))
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            [
                "type": .string(type), "status": .string(status), "reason": .string(reason),
                "message": .string(message), "lastHeartbeatTime": beat,
                "lastTransitionTime": .string(KubeTime.format(readySince)),
            ]
        }
        let kind = attributes["kind"] ?? "process"
        return [
            "capacity": .object(resources), "allocatable": .object(resources),
            "conditions": [
                condition(
                    "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                ["type": "InternalIP", "address": .string(address(attributes))],
                ["type": "Hostname", "address": .string(name)],
            ],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
            "nodeInfo": [
                "machineID": .string(name), "systemUUID": .string(name), "bootID": "",
                "kernelVersion": .string(kernelVersion), "osImage": .string("clusterbox \(kind) agent"),
                "containerRuntimeVersion": "clusterbox://1.0", "kubeletVersion": .string(kubeletVersion),
                "kubeProxyVersion": .string(kubeletVersion), "operatingSystem": "linux",
                "architecture": .string(architecture),
            ],
        ]
    }

    /// A new Node object for an agent.
    static func node(name: String, attributes: Labels, status: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name), "labels": JSONValue(stringMap: labels(name: name, attributes: attributes)),
            ],
            "spec": [:], "status": status,
        ]
    }

    /// The stored node with the kubelet's labels and status written over it; the user's labels, taints and
    /// `unschedulable` stay.
    static func refreshed(_ current: JSONValue, name: String, attributes: Labels, status: JSONValue) -> JSONValue {
        var next = current
        next.labels = current.labels.merging(labels(name: name, attributes: attributes)) { _, own in own }
        next.set(["status"], status)
        return next
    }
}
