import BoxCore

/// Pod and pod template defaults, as upstream's `SetDefaults_PodSpec`, `SetDefaults_Container` and friends.
extension DefaultAdmission {
    /// A Pod: the spec defaults, requests copied from limits, and on create `status.phase` Pending with the QoS
    /// class.
    static func defaultPod(_ pod: inout JSONValue, creating: Bool) {
        pod.update(["spec"]) { spec in
            defaultPodSpec(&spec)
            for list in ["containers", "initContainers"] {
                spec.updateEach([list]) { container in
                    let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
                    for (resource, value) in limits {
                        container.setDefault(["resources", "requests", resource], value)
                    }
                }
            }
            spec.setDefault(["priority"], 0)
            spec.setDefault(
                ["tolerations"],
                .array(
                    ["not-ready", "unreachable"].map {
                        [
                            "key": .string("node.kubernetes.io/\($0)"), "operator": "Exists", "effect": "NoExecute",
                            "tolerationSeconds": 300,
                        ]
                    }))
        }
        if creating {
            pod.setDefault(["status", "phase"], "Pending")
            pod.setDefault(["status", "qosClass"], .string(qosClass(pod["spec"] ?? .null)))
        }
    }

    /// The defaults of a pod spec (Pods and the templates of workloads); `restartPolicy` stays unset for Jobs,
    /// which must name one.
    static func defaultPodSpec(_ spec: inout JSONValue, restartPolicy: Bool = true) {
        if restartPolicy { spec.setDefault(["restartPolicy"], "Always") }
        spec.setDefault(["terminationGracePeriodSeconds"], 30)
        spec.setDefault(["dnsPolicy"], "ClusterFirst")
        spec.setDefault(["schedulerName"], "default-scheduler")
        spec.setDefault(["serviceAccountName"], "default")
        spec.setDefault(["securityContext"], .object([:]))
        spec.setDefault(["enableServiceLinks"], true)
        for list in ["containers", "initContainers"] { spec.updateEach([list], defaultContainer) }
        spec.updateEach(["volumes"]) { volume in
            for source in ["configMap", "secret", "downwardAPI", "projected"] where !volume.isMissing([source]) {
                volume.setDefault([source, "defaultMode"], 420)
            }
        }
    }

    static func defaultContainer(_ container: inout JSONValue) {
        container.setDefault(["terminationMessagePath"], "/dev/termination-log")
        container.setDefault(["terminationMessagePolicy"], "File")
        container.setDefault(["imagePullPolicy"], .string(pullPolicy(container["image"]?.stringValue ?? "")))
        container.setDefault(["resources"], .object([:]))
        container.updateEach(["ports"]) { $0.setDefault(["protocol"], "TCP") }
        container.updateEach(["env"]) { $0.update(["valueFrom", "fieldRef"]) { $0.setDefault(["apiVersion"], "v1") } }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            container.update([probe]) { probe in
                probe.setDefault(["timeoutSeconds"], 1)
                probe.setDefault(["periodSeconds"], 10)
                probe.setDefault(["successThreshold"], 1)
                probe.setDefault(["failureThreshold"], 3)
                probe.update(["httpGet"]) { get in
                    get.setDefault(["path"], "/")
                    get.setDefault(["scheme"], "HTTP")
                }
            }
        }
    }

    /// `Always` for `:latest` or an image without tag or digest, else `IfNotPresent`.
    static func pullPolicy(_ image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last ?? ""
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    /// Guaranteed when every container limits cpu and memory with requests equal to limits, BestEffort when none
    /// requests or limits anything, Burstable otherwise.
    static func qosClass(_ spec: JSONValue) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container[path: ["resources", "requests"]]?.objectValue ?? [:]
            let limits = container[path: ["resources", "limits"]]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[resource], quantity(request) != quantity(limit) { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// A quantity given as a string or a number.
    static func quantity(_ value: JSONValue) -> Double? {
        switch value {
        case .string(let text): Quantity.parse(text)
        case .int, .double: value.number
        default: nil
        }
    }
}
