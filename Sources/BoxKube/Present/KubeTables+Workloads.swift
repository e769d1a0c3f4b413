import BoxCore

/// Deployments, ReplicaSets, ReplicationControllers, Jobs and CronJobs.
extension KubeTables {
    static let deploymentPrinter = Printer(
        columns: [
            .name,
            TableColumn(name: "Ready", type: "string", description: "Number of the pod with ready state"),
            TableColumn(
                name: "Up-to-date", type: "integer",
                description:
                    "Total number of non-terminating pods targeted by this deployment that have the desired "
                    + "template spec."),
            TableColumn(
                name: "Available", type: "integer",
                description:
                    "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted "
                    + "by this deployment."),
            .age, .containers, .images,
            TableColumn(
                name: "Selector", type: "string",
                description:
                    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones "
                    + "affected by this deployment. It must match the pod template's labels.",
                priority: 1),
        ]
    ) { object, now in
        let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
        let desired = object[path: ["spec", "replicas"]]?.intValue ?? 0
        return [
            .string(object.name), .string("\(ready)/\(desired)"), integer(object, ["status", "updatedReplicas"]),
            integer(object, ["status", "availableReplicas"]), age(object, now: now),
        ] + containerCells(object[path: ["spec", "template", "spec"]])
            + [.string(selectorText(object[path: ["spec", "selector"]]))]
    }

    /// Desired, Current, Ready: shared by ReplicaSets and ReplicationControllers.
    private static func replicaColumns(selector: String) -> [TableColumn] {
        [
            .name,
            TableColumn(
                name: "Desired", type: "integer",
                description:
                    "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero "
                    + "and unspecified. Defaults to 1."),
            TableColumn(
                name: "Current", type: "integer",
                description: "Replicas is the most recently observed number of non-terminating pods."),
            TableColumn(
                name: "Ready", type: "integer",
                description: "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
            .age, .containers, .images,
            TableColumn(name: "Selector", type: "string", description: selector, priority: 1),
        ]
    }

    private static func replicaCells(_ object: JSONValue, now: Instant, selector: String) -> [JSONValue] {
        [
            .string(object.name), .int(object[path: ["spec", "replicas"]]?.intValue ?? 0),
            integer(object, ["status", "replicas"]), integer(object, ["status", "readyReplicas"]),
            age(object, now: now),
        ] + containerCells(object[path: ["spec", "template", "spec"]]) + [.string(selector)]
    }

    static let replicaSetPrinter = Printer(
        columns: replicaColumns(
            selector:
                "Selector is a label query over pods that should match the replica count. Label keys and values "
                + "that must match in order to be controlled by this replica set.")
    ) { object, now in
        replicaCells(object, now: now, selector: formatSelector(object[path: ["spec", "selector"]]))
    }

    static let replicationControllerPrinter = Printer(
        columns: replicaColumns(
            selector:
                "Selector is a label query over pods that should match the Replicas count. If Selector is empty, "
                + "it is defaulted to the labels present on the Pod template.")
    ) { object, now in
        replicaCells(object, now: now, selector: formatLabels(object[path: ["spec", "selector"]]))
    }

    static let jobPrinter = Printer(
        columns: [
            .name,
            TableColumn(name: "Status", type: "string", description: "Status of the job."),
            TableColumn(
                name: "Completions", type: "string",
                description: "The number of pods which reached phase Succeeded."),
            TableColumn(name: "Duration", type: "string", description: "Time required to complete the job."),
            .age, .containers, .images,
            TableColumn(
                name: "Selector", type: "string",
                description: "A label query over pods that should match the pod count.",
                priority: 1),
        ]
    ) { object, now in
        [
            .string(object.name), .string(jobStatus(object)), .string(jobCompletions(object)),
            .string(jobDuration(object, now: now)), age(object, now: now),
        ] + containerCells(object[path: ["spec", "template", "spec"]])
            + [.string(formatSelector(object[path: ["spec", "selector"]]))]
    }

    /// `1/1`, `0/3`, or `2/1 of 4` for a parallel Job without a completion count.
    static func jobCompletions(_ job: JSONValue) -> String {
        let succeeded = job[path: ["status", "succeeded"]]?.intValue ?? 0
        if let completions = job[path: ["spec", "completions"]]?.intValue { return "\(succeeded)/\(completions)" }
        let parallelism = job[path: ["spec", "parallelism"]]?.intValue ?? 0
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    /// Running time so far, or start to completion once complete; empty before it starts.
    static func jobDuration(_ job: JSONValue, now: Instant) -> String {
        guard let startText = job[path: ["status", "startTime"]]?.stringValue,
            let start = KubeTime.parse(startText)
        else { return "" }
        guard let endText = job[path: ["status", "completionTime"]]?.stringValue, let end = KubeTime.parse(endText)
        else { return humanDuration(now - start) }
        return humanDuration(end - start)
    }

    /// The first of Complete, Failed, Terminating, Suspended, FailureTarget, SuccessCriteriaMet that holds, else
    /// Running.
    static func jobStatus(_ job: JSONValue) -> String {
        let conditions = job[path: ["status", "conditions"]]?.arrayValue ?? []
        func holds(_ type: String) -> Bool {
            conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if holds("Complete") { return "Complete" }
        if holds("Failed") { return "Failed" }
        if job.deletionTimestamp != nil { return "Terminating" }
        if holds("Suspended") { return "Suspended" }
        if holds("FailureTarget") { return "FailureTarget" }
        if holds("SuccessCriteriaMet") { return "SuccessCriteriaMet" }
        return "Running"
    }

    static let cronJobPrinter = Printer(
        columns: [
            .name,
            TableColumn(
                name: "Schedule", type: "string",
                description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            TableColumn(
                name: "Timezone", type: "string",
                description: "The time zone name for the given schedule, see "
                    + "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
            TableColumn(
                name: "Suspend", type: "boolean",
                description:
                    "This flag tells the controller to suspend subsequent executions, it does not apply to already "
                    + "started executions.  Defaults to false."),
            TableColumn(name: "Active", type: "integer", description: "A list of pointers to currently running jobs."),
            TableColumn(
                name: "Last Schedule", type: "string",
                description: "Information when was the last time the job was successfully scheduled."),
            .age, .containers, .images,
            TableColumn(
                name: "Selector", type: "string",
                description: "A label query over pods that should match the pod count.",
                priority: 1),
        ]
    ) { object, now in
        let lastSchedule = object[path: ["status", "lastScheduleTime"]]
        let suspend = object[path: ["spec", "suspend"]]?.boolValue
        let jobSpec = object[path: ["spec", "jobTemplate", "spec"]]
        return [
            .string(object.name), .string(string(object, ["spec", "schedule"])),
            .string(object[path: ["spec", "timeZone"]]?.stringValue ?? "<none>"),
            .string(suspend.map { $0 ? "True" : "False" } ?? "<unset>"),
            .int(object[path: ["status", "active"]]?.arrayValue?.count ?? 0),
            .string(lastSchedule == nil ? "<none>" : since(lastSchedule, now: now)), age(object, now: now),
        ] + containerCells(jobSpec?[path: ["template", "spec"]])
            + [.string(formatSelector(jobSpec?["selector"]))]
    }
}
