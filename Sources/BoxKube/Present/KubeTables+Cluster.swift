import BoxCore

/// Nodes, Namespaces, Events, ConfigMaps, Secrets and ServiceAccounts.
extension KubeTables {
    static let nodePrinter = Printer(
        columns: [
            .name,
            TableColumn(name: "Status", type: "string", description: "The status of the node"),
            TableColumn(name: "Roles", type: "string", description: "The roles of the node"),
            .age,
            TableColumn(name: "Version", type: "string", description: "Kubelet Version reported by the node."),
            TableColumn(
                name: "Internal-IP", type: "string", description: "List of addresses reachable to the node.",
                priority: 1),
            TableColumn(
                name: "External-IP", type: "string", description: "List of addresses reachable to the node.",
                priority: 1),
            TableColumn(
                name: "OS-Image", type: "string",
                description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                priority: 1),
            TableColumn(
                name: "Kernel-Version", type: "string",
                description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                priority: 1),
            TableColumn(
                name: "Container-Runtime", type: "string",
                description:
                    "ContainerRuntime Version reported by the node through runtime remote API (e.g. "
                    + "containerd://1.4.2).",
                priority: 1),
        ]
    ) { node, now in
        func info(_ key: String) -> JSONValue {
            let value = string(node, ["status", "nodeInfo", key])
            return .string(value.isEmpty ? "<unknown>" : value)
        }
        return [
            .string(node.name), .string(nodeStatus(node)), .string(nodeRoles(node)), age(node, now: now),
            .string(string(node, ["status", "nodeInfo", "kubeletVersion"])),
            .string(nodeAddress(node, type: "InternalIP")), .string(nodeAddress(node, type: "ExternalIP")),
            info("osImage"), info("kernelVersion"), info("containerRuntimeVersion"),
        ]
    }

    /// `Ready`, `NotReady`, `Unknown` (no Ready condition), with `,SchedulingDisabled` when cordoned.
    static func nodeStatus(_ node: JSONValue) -> String {
        let conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
        // The last Ready condition wins, as upstream's map of conditions by type keeps the last.
        var status: [String] = []
        if let ready = conditions.last(where: { $0["type"]?.stringValue == "Ready" }) {
            status.append(ready["status"]?.stringValue == "True" ? "Ready" : "NotReady")
        } else {
            status.append("Unknown")
        }
        if node[path: ["spec", "unschedulable"]]?.boolValue == true { status.append("SchedulingDisabled") }
        return status.joined(separator: ",")
    }

    /// Roles from `node-role.kubernetes.io/ROLE` labels and `kubernetes.io/role`, sorted; `<none>` without.
    static func nodeRoles(_ node: JSONValue) -> String {
        var roles: Set<String> = []
        let prefix = "node-role.kubernetes.io/"
        for (key, value) in node.labels {
            if key.hasPrefix(prefix) {
                let role = String(key.dropFirst(prefix.count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", !value.isEmpty {
                roles.insert(value)
            }
        }
        return roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
    }

    /// The first address of a type, `<none>` without.
    static func nodeAddress(_ node: JSONValue, type: String) -> String {
        let addresses = node[path: ["status", "addresses"]]?.arrayValue ?? []
        return addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
    }

    static let namespacePrinter = Printer(
        columns: [.name, TableColumn(name: "Status", type: "string", description: "The status of the namespace"), .age]
    ) { namespace, now in
        [.string(namespace.name), .string(string(namespace, ["status", "phase"])), age(namespace, now: now)]
    }

    static let eventPrinter = Printer(
        columns: [
            TableColumn(
                name: "Last Seen", type: "string",
                description: "The time at which the most recent occurrence of this event was recorded."),
            TableColumn(
                name: "Type", type: "string",
                description: "Type of this event (Normal, Warning), new types could be added in the future"),
            TableColumn(
                name: "Reason", type: "string",
                description:
                    "This should be a short, machine understandable string that gives the reason for the transition "
                    + "into the object's current status."),
            TableColumn(name: "Object", type: "string", description: "The object that this event is about."),
            TableColumn(
                name: "Subobject", type: "string",
                description:
                    "If referring to a piece of an object instead of an entire object, this string should contain a "
                    + "valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
                priority: 1),
            TableColumn(
                name: "Source", type: "string",
                description: "The component reporting this event. Should be a short machine understandable string.",
                priority: 1),
            TableColumn(
                name: "Message", type: "string",
                description: "A human-readable description of the status of this operation."),
            TableColumn(
                name: "First Seen", type: "string",
                description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
                priority: 1),
            TableColumn(
                name: "Count", type: "string", description: "The number of times this event has occurred.",
                priority: 1),
            TableColumn(
                name: "Name", type: "string", description: TableColumn.name.description, priority: 1, format: "name"),
        ]
    ) { event, now in
        var first = since(event["firstTimestamp"], now: now)
        if event["firstTimestamp"]?.stringValue == nil { first = since(event["eventTime"], now: now) }
        var last = event["lastTimestamp"]?.stringValue == nil ? first : since(event["lastTimestamp"], now: now)
        var count = event["count"]?.intValue ?? 0
        if let series = event["series"], series.objectValue != nil {
            last = since(series["lastObservedTime"], now: now)
            count = series["count"]?.intValue ?? 0
        } else if count == 0 {
            count = 1  // Singleton events of the new API carry no count.
        }
        let kind = string(event, ["involvedObject", "kind"]).lowercased()
        let name = string(event, ["involvedObject", "name"])
        let component = firstNonEmpty(string(event, ["source", "component"]), string(event, ["reportingComponent"]))
        let instance = firstNonEmpty(string(event, ["source", "host"]), string(event, ["reportingInstance"]))
        return [
            .string(last), .string(string(event, ["type"])), .string(string(event, ["reason"])),
            .string(name.isEmpty ? kind : "\(kind)/\(name)"), .string(string(event, ["involvedObject", "fieldPath"])),
            .string(instance.isEmpty ? component : "\(component), \(instance)"),
            .string(trimmed(string(event, ["message"]))), .string(first), .int(count), .string(event.name),
        ]
    }

    private static func firstNonEmpty(_ first: String, _ second: String) -> String { first.isEmpty ? second : first }

    /// `strings.TrimSpace` for the ASCII white space messages end with.
    private static func trimmed(_ text: String) -> String {
        let space: Set<Character> = [" ", "\n", "\t", "\r", "\u{0B}", "\u{0C}"]
        var text = Substring(text)
        while let last = text.last, space.contains(last) { text = text.dropLast() }
        while let first = text.first, space.contains(first) { text = text.dropFirst() }
        return String(text)
    }

    static let configMapPrinter = Printer(
        columns: [
            .name,
            TableColumn(name: "Data", type: "integer", description: "Data contains the configuration data."),
            .age,
        ]
    ) { configMap, now in
        let count = (configMap["data"]?.objectValue?.count ?? 0) + (configMap["binaryData"]?.objectValue?.count ?? 0)
        return [.string(configMap.name), .int(count), age(configMap, now: now)]
    }

    static let secretPrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "Type", type: "string", description: "Used to facilitate programmatic handling of secret data."),
            TableColumn(name: "Data", type: "integer", description: "Data contains the secret data."),
            .age,
        ]
    ) { secret, now in
        [
            .string(secret.name), .string(string(secret, ["type"])),
            .int(secret["data"]?.objectValue?.count ?? 0), age(secret, now: now),
        ]
    }

    static let serviceAccountPrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "Secrets", type: "integer",
                description:
                    "Secrets is a list of the secrets in the same namespace that pods running using this "
                    + "ServiceAccount are allowed to use."),
            .age,
        ]
    ) { account, now in
        [.string(account.name), .int(account["secrets"]?.arrayValue?.count ?? 0), age(account, now: now)]
    }
}
