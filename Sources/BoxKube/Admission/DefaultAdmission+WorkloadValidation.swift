import BoxCore

/// Validation of the workload kinds: selectors, replica counts, templates.
extension DefaultAdmission {
    /// Deployment and ReplicaSet: a non-empty selector that matches the template's labels, replicas ≥ 0, and a
    /// template whose pods restart `Always`.
    static func replicatedCauses(_ object: JSONValue, type: ResourceType) -> [KubeError.Cause] {
        let spec = object["spec"] ?? .null
        var causes = countCauses(spec, fields: ["replicas", "minReadySeconds", "revisionHistoryLimit"])
        causes += selectorCauses(spec, requireMatch: true)
        causes += podSpecCauses(
            spec[path: ["template", "spec"]], field: FieldPath("spec.template.spec"), restartPolicies: ["Always"])
        if type == .deployment {
            if let strategy = spec[path: ["strategy", "type"]],
                !["Recreate", "RollingUpdate"].contains(strategy.stringValue ?? "")
            {
                causes.append(.notSupported("spec.strategy.type", strategy, supported: ["Recreate", "RollingUpdate"]))
            }
            if spec[path: ["strategy", "type"]] == "Recreate", !spec.isMissing(["strategy", "rollingUpdate"]) {
                causes.append(
                    .forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
                )
            }
            if let deadline = spec["progressDeadlineSeconds"]?.intValue,
                deadline <= spec["minReadySeconds"]?.intValue ?? 0
            {
                causes.append(
                    .invalid(
                        "spec.progressDeadlineSeconds", .int(deadline), "must be greater than minReadySeconds"))
            }
        }
        return causes
    }

    static func replicationControllerCauses(_ object: JSONValue) -> [KubeError.Cause] {
        let spec = object["spec"] ?? .null
        var causes = countCauses(spec, fields: ["replicas", "minReadySeconds"])
        let selector = spec["selector"]?.stringMap ?? [:]
        if selector.isEmpty { causes.append(.required("spec.selector")) }
        causes += MetadataValidation.labelCauses(spec["selector"], field: FieldPath("spec.selector"))
        if spec.isMissing(["template"]) {
            causes.append(.required("spec.template"))
        } else {
            let labels = spec[path: ["template", "metadata", "labels"]]?.stringMap ?? [:]
            if !selector.isEmpty && !LabelSelector(matchLabels: selector).matches(labels) {
                causes.append(
                    .invalid(
                        "spec.template.metadata.labels", JSONValue(stringMap: labels),
                        "`selector` does not match template `labels`"))
            }
            causes += podSpecCauses(
                spec[path: ["template", "spec"]], field: FieldPath("spec.template.spec"), restartPolicies: ["Always"])
        }
        return causes
    }

    /// Job: counts ≥ 0, a restartPolicy of OnFailure or Never, and (with `manualSelector`) a matching selector.
    static func jobCauses(_ object: JSONValue) -> [KubeError.Cause] {
        let spec = object["spec"] ?? .null
        var causes = jobSpecCauses(spec, field: FieldPath("spec"))
        if spec["manualSelector"]?.boolValue == true { causes += selectorCauses(spec, requireMatch: true) }
        return causes
    }

    static func jobSpecCauses(_ spec: JSONValue, field: FieldPath) -> [KubeError.Cause] {
        var causes = countCauses(
            spec,
            fields: ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"],
            field: field)
        if let mode = spec["completionMode"], !["Indexed", "NonIndexed"].contains(mode.stringValue ?? "") {
            causes.append(
                .notSupported(field.child("completionMode").text, mode, supported: ["NonIndexed", "Indexed"]))
        }
        if spec["completionMode"] == "Indexed" && spec.isMissing(["completions"]) {
            causes.append(.required(field.child("completions").text, "when completion mode is Indexed"))
        }
        let template = field.child("template").child("spec")
        causes += podSpecCauses(spec[path: ["template", "spec"]], field: template, restartPolicies: [])
        let policyField = template.child("restartPolicy").text
        switch spec[path: ["template", "spec", "restartPolicy"]] ?? .null {
        case .null: causes.append(.required(policyField, "valid values: \"OnFailure\", \"Never\""))
        case "OnFailure", "Never": break
        case let other: causes.append(.notSupported(policyField, other, supported: ["OnFailure", "Never"]))
        }
        return causes
    }

    static func cronJobCauses(_ object: JSONValue) -> [KubeError.Cause] {
        let spec = object["spec"] ?? .null
        var causes = countCauses(
            spec, fields: ["successfulJobsHistoryLimit", "failedJobsHistoryLimit", "startingDeadlineSeconds"])
        switch spec["schedule"]?.stringValue ?? "" {
        case "": causes.append(.required("spec.schedule"))
        case let schedule:
            // Upstream validates the schedule here too, so a bad one is a 422 rather than a CronJob that never runs.
            do throws(CronError) {
                _ = try CronExpression.parse(schedule)
            } catch {
                causes.append(.invalid("spec.schedule", .string(schedule), error.message))
            }
        }
        if let policy = spec["concurrencyPolicy"], !["Allow", "Forbid", "Replace"].contains(policy.stringValue ?? "") {
            causes.append(.notSupported("spec.concurrencyPolicy", policy, supported: ["Allow", "Forbid", "Replace"]))
        }
        causes += jobSpecCauses(
            spec[path: ["jobTemplate", "spec"]] ?? .null, field: FieldPath("spec.jobTemplate.spec"))
        return causes
    }

    /// `spec.selector`: required, non-empty, valid, and matching `spec.template.metadata.labels`.
    static func selectorCauses(_ spec: JSONValue, requireMatch: Bool) -> [KubeError.Cause] {
        guard let selectorJSON = spec["selector"], selectorJSON != .null else { return [.required("spec.selector")] }
        var causes = MetadataValidation.labelCauses(
            selectorJSON["matchLabels"], field: FieldPath("spec.selector.matchLabels"))
        var requirements: [LabelSelector.Requirement] = []
        for (key, value) in (selectorJSON["matchLabels"]?.stringMap ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(.init(key: key, op: .equals, values: [value]))
        }
        let operators: [String: LabelSelector.Operator] = [
            "In": .in, "NotIn": .notIn, "Exists": .exists, "DoesNotExist": .doesNotExist,
        ]
        for (index, expression) in (selectorJSON["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let path = FieldPath("spec.selector.matchExpressions").index(index)
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard let opText = expression["operator"], let op = operators[opText.stringValue ?? ""] else {
                causes.append(
                    .notSupported(
                        path.child("operator").text, expression["operator"] ?? .null,
                        supported: ["In", "NotIn", "Exists", "DoesNotExist"]))
                continue
            }
            if (op == .in || op == .notIn) && values.isEmpty {
                causes.append(
                    .required(path.child("values").text, "must be specified when `operator` is 'In' or 'NotIn'"))
            }
            if (op == .exists || op == .doesNotExist) && !values.isEmpty {
                causes.append(
                    .forbidden(
                        path.child("values").text, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
                )
            }
            requirements.append(.init(key: expression["key"]?.stringValue ?? "", op: op, values: values))
        }
        if requirements.isEmpty {
            causes.append(.invalid("spec.selector", selectorJSON, "empty selector is invalid for deployment"))
        } else if requireMatch {
            let labels = spec[path: ["template", "metadata", "labels"]]?.stringMap ?? [:]
            if !LabelSelector(requirements).matches(labels) {
                causes.append(
                    .invalid(
                        "spec.template.metadata.labels", JSONValue(stringMap: labels),
                        "`selector` does not match template `labels`"))
            }
        }
        return causes
    }

    /// Integer fields that must not be negative.
    static func countCauses(_ spec: JSONValue, fields: [String], field: FieldPath = FieldPath("spec"))
        -> [KubeError.Cause]
    {
        var causes: [KubeError.Cause] = []
        for name in fields {
            guard let value = spec[name], value != .null else { continue }
            if (value.intValue ?? -1) < 0 {
                causes.append(.invalid(field.child(name).text, value, "must be greater than or equal to 0"))
            }
        }
        return causes
    }
}
