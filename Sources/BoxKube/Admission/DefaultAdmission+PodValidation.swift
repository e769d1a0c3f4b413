import BoxCore

/// Pod spec validation (Pods and the templates of workloads).
extension DefaultAdmission {
    static let allPolicies = ["Always", "OnFailure", "Never"]

    /// The field errors of the pod spec at `field`; `restartPolicies` are the ones the owner allows (`[]` skips
    /// the check, for Jobs, which check it themselves).
    static func podSpecCauses(_ spec: JSONValue?, field: FieldPath, restartPolicies: [String]) -> [KubeError.Cause] {
        let spec = spec ?? .null
        var causes: [KubeError.Cause] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty { causes.append(.required(field.child("containers").text)) }
        var names: Set<String> = []
        for list in ["initContainers", "containers"] {
            for (index, container) in (spec[list]?.arrayValue ?? []).enumerated() {
                causes += containerCauses(container, field: field.child(list).index(index), names: &names)
            }
        }
        if !restartPolicies.isEmpty, let policy = spec["restartPolicy"],
            !restartPolicies.contains(policy.stringValue ?? "")
        {
            causes.append(.notSupported(field.child("restartPolicy").text, policy, supported: restartPolicies))
        }
        if let policy = spec["dnsPolicy"],
            !["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"].contains(policy.stringValue ?? "")
        {
            causes.append(
                .notSupported(
                    field.child("dnsPolicy").text, policy,
                    supported: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]))
        }
        var volumeNames: Set<String> = []
        for (index, volume) in (spec["volumes"]?.arrayValue ?? []).enumerated() {
            let path = field.child("volumes").index(index).child("name")
            guard let name = volume["name"]?.stringValue, !name.isEmpty else {
                causes.append(.required(path.text))
                continue
            }
            if let problem = NameValidation.labelProblem(name) {
                causes.append(.invalid(path.text, .string(name), problem))
            }
            if !volumeNames.insert(name).inserted { causes.append(.duplicate(path.text, .string(name))) }
        }
        if let grace = spec["terminationGracePeriodSeconds"]?.intValue, grace < 0 {
            causes.append(
                .invalid(
                    field.child("terminationGracePeriodSeconds").text, .int(grace), "must be greater than or equal to 0"
                ))
        }
        causes += MetadataValidation.labelCauses(spec["nodeSelector"], field: field.child("nodeSelector"))
        return causes
    }

    /// One container: name (a unique DNS label), image, ports, resources.
    static func containerCauses(_ container: JSONValue, field: FieldPath, names: inout Set<String>)
        -> [KubeError.Cause]
    {
        var causes: [KubeError.Cause] = []
        if let name = container["name"]?.stringValue, !name.isEmpty {
            if let problem = NameValidation.labelProblem(name) {
                causes.append(.invalid(field.child("name").text, .string(name), problem))
            }
            if !names.insert(name).inserted { causes.append(.duplicate(field.child("name").text, .string(name))) }
        } else {
            causes.append(.required(field.child("name").text))
        }
        // `image: host` is valid: the container runs on the host's root filesystem.
        if (container["image"]?.stringValue ?? "").isEmpty { causes.append(.required(field.child("image").text)) }
        for (index, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
            let path = field.child("ports").index(index)
            if let number = port["containerPort"] {
                if !(1...65535).contains(number.intValue ?? 0) {
                    causes.append(
                        .invalid(path.child("containerPort").text, number, "must be between 1 and 65535, inclusive"))
                }
            } else {
                causes.append(.required(path.child("containerPort").text))
            }
            if let host = port["hostPort"], !(0...65535).contains(host.intValue ?? -1) {
                causes.append(.invalid(path.child("hostPort").text, host, "must be between 1 and 65535, inclusive"))
            }
            if let proto = port["protocol"], !protocols.contains(proto.stringValue ?? "") {
                causes.append(.notSupported(path.child("protocol").text, proto, supported: protocols))
            }
        }
        causes += resourceCauses(container["resources"], field: field.child("resources"))
        return causes
    }

    /// Quantities that parse and are not negative, and requests no larger than limits.
    static func resourceCauses(_ resources: JSONValue?, field: FieldPath) -> [KubeError.Cause] {
        var causes: [KubeError.Cause] = []
        var parsed: [String: [String: Double]] = [:]
        for kind in ["limits", "requests"] {
            for (name, value) in (resources?[kind]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                let path = field.child(kind).key(name).text
                guard let amount = quantity(value) else {
                    causes.append(
                        .invalid(
                            path, value,
                            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                        ))
                    continue
                }
                if amount < 0 {
                    causes.append(.invalid(path, value, "must be greater than or equal to 0"))
                    continue
                }
                parsed[kind, default: [:]][name] = amount
            }
        }
        for (name, request) in (parsed["requests"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let limit = parsed["limits"]?[name], request > limit else { continue }
            let value = resources?["requests"]?[name] ?? .null
            let limitText = resources?["limits"]?[name].map { $0.stringValue ?? $0.text } ?? ""
            causes.append(
                .invalid(
                    field.child("requests").key(name).text, value,
                    "must be less than or equal to \(name) limit of \(limitText)"))
        }
        return causes
    }
}
