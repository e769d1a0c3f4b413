import BoxCore

/// Defaults of the workload kinds: Deployment, ReplicaSet, ReplicationController, Job, CronJob.
extension DefaultAdmission {
    static func defaultDeployment(_ object: inout JSONValue) {
        object.setDefault(["spec", "replicas"], 1)
        object.setDefault(["spec", "strategy", "type"], "RollingUpdate")
        if object[path: ["spec", "strategy", "type"]]?.stringValue == "RollingUpdate" {
            object.setDefault(["spec", "strategy", "rollingUpdate", "maxSurge"], "25%")
            object.setDefault(["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%")
        }
        object.setDefault(["spec", "revisionHistoryLimit"], 10)
        object.setDefault(["spec", "progressDeadlineSeconds"], 600)
        object.update(["spec", "template", "spec"]) { defaultPodSpec(&$0) }
    }

    static func defaultReplicaSet(_ object: inout JSONValue) {
        object.setDefault(["spec", "replicas"], 1)
        object.update(["spec", "template", "spec"]) { defaultPodSpec(&$0) }
    }

    /// Like a ReplicaSet, and the selector and the object's labels default to the template's labels.
    static func defaultReplicationController(_ object: inout JSONValue) {
        object.setDefault(["spec", "replicas"], 1)
        let templateLabels = object[path: ["spec", "template", "metadata", "labels"]] ?? .null
        if templateLabels.objectValue?.isEmpty == false {
            if object[path: ["spec", "selector"]]?.objectValue?.isEmpty ?? true {
                object.set(["spec", "selector"], templateLabels)
            }
            if object.labels.isEmpty { object.set(["metadata", "labels"], templateLabels) }
        }
        object.update(["spec", "template", "spec"]) { defaultPodSpec(&$0) }
    }

    /// The labels a Job stamps on its pods and selects them by (unless `manualSelector`).
    static func jobLabels(uid: String, name: String) -> [String: String] {
        [
            "batch.kubernetes.io/controller-uid": uid, "controller-uid": uid, "batch.kubernetes.io/job-name": name,
            "job-name": name,
        ]
    }

    /// Counts and policies, and on create the generated selector; on update the stored selector is kept when the
    /// client left it out.
    static func defaultJob(_ object: inout JSONValue, old: JSONValue?) {
        if object.isMissing(["spec", "completions"]) && object.isMissing(["spec", "parallelism"]) {
            object.set(["spec", "completions"], 1)
        }
        object.setDefault(["spec", "parallelism"], 1)
        object.setDefault(["spec", "backoffLimit"], 6)
        object.setDefault(["spec", "completionMode"], "NonIndexed")
        object.setDefault(["spec", "suspend"], false)
        object.setDefault(["spec", "podReplacementPolicy"], "TerminatingOrFailed")
        object.update(["spec", "template", "spec"]) { defaultPodSpec(&$0, restartPolicy: false) }
        if let old {
            object.setDefault(["spec", "selector"], old[path: ["spec", "selector"]] ?? .null)
            return
        }
        guard object[path: ["spec", "manualSelector"]]?.boolValue != true else { return }
        let labels = jobLabels(uid: object.uid, name: object.name)
        object.set(
            ["spec", "selector"],
            ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(object.uid)]])
        var templateLabels = object[path: ["spec", "template", "metadata", "labels"]]?.stringMap ?? [:]
        templateLabels.merge(labels) { _, generated in generated }
        object.set(["spec", "template", "metadata", "labels"], JSONValue(stringMap: templateLabels))
    }

    static func defaultCronJob(_ object: inout JSONValue) {
        object.setDefault(["spec", "concurrencyPolicy"], "Allow")
        object.setDefault(["spec", "suspend"], false)
        object.setDefault(["spec", "successfulJobsHistoryLimit"], 3)
        object.setDefault(["spec", "failedJobsHistoryLimit"], 1)
        object.update(["spec", "jobTemplate", "spec", "template", "spec"]) { defaultPodSpec(&$0, restartPolicy: false) }
    }

    /// `spec.finalizers` and, on create, `status.phase`; the `kubernetes.io/metadata.name` label always.
    static func defaultNamespace(_ object: inout JSONValue, creating: Bool) {
        object.setDefault(["spec", "finalizers"], ["kubernetes"])
        if creating { object.setDefault(["status", "phase"], "Active") }
        var labels = object.labels
        labels["kubernetes.io/metadata.name"] = object.name
        object.labels = labels
    }
}
