import BoxCore

/// Fields an update may not change, with upstream's causes.
extension DefaultAdmission {
    static func immutabilityCauses(_ object: JSONValue, old: JSONValue, type: ResourceType) -> [KubeError.Cause] {
        var causes: [KubeError.Cause] = []
        func keep(_ path: [String]) {
            let before = old[path: path] ?? .null
            let after = object[path: path] ?? .null
            if before != after { causes.append(.invalid(path.joined(separator: "."), after, "field is immutable")) }
        }
        switch type {
        case .service:
            if old[path: ["spec", "type"]] != "ExternalName" && object[path: ["spec", "type"]] != "ExternalName" {
                keep(["spec", "clusterIP"])
            }
        case .deployment, .replicaSet:
            keep(["spec", "selector"])
        case .job:
            keep(["spec", "selector"])
            keep(["spec", "completionMode"])
            if old[path: ["spec", "suspend"]]?.boolValue != true { keep(["spec", "template"]) }
            if old[path: ["spec", "completionMode"]] != "Indexed" { keep(["spec", "completions"]) }
        case .pod:
            if podSpecForComparison(object, old: old) != podSpecForComparison(old, old: old) {
                causes.append(
                    .forbidden(
                        "spec",
                        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
                    ))
            }
        default: break
        }
        return causes
    }

    /// A pod's spec without the fields an update may change (images, deadline, tolerations, and the node while
    /// it is not bound yet).
    static func podSpecForComparison(_ pod: JSONValue, old: JSONValue) -> JSONValue {
        var spec = pod["spec"] ?? .null
        for list in ["containers", "initContainers"] { spec.updateEach([list]) { $0.set(["image"], nil) } }
        spec.set(["activeDeadlineSeconds"], nil)
        spec.set(["tolerations"], nil)
        spec.set(["terminationGracePeriodSeconds"], nil)
        if old.isMissing(["spec", "nodeName"]) { spec.set(["nodeName"], nil) }
        return spec
    }
}
