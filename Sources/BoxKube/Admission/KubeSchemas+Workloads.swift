/// apps/v1, batch/v1 and discovery.k8s.io/v1 kinds.
extension KubeSchemas {
    private static let a = "io.k8s.api.apps.v1."
    private static let b = "io.k8s.api.batch.v1."
    private static let d = "io.k8s.api.discovery.v1."

    static let workloads: [Schema] = apps + batch + discovery

    private static let apps: [Schema] = [
        Schema(
            a + "Deployment", "Deployment enables declarative updates for Pods and ReplicaSets.",
            kindFields([
                "spec": .apps("DeploymentSpec") ~ "Specification of the desired behavior of the Deployment.",
                "status": .apps("DeploymentStatus") ~ "Most recently observed status of the Deployment.",
            ])),
        Schema(
            a + "DeploymentSpec", "DeploymentSpec is the specification of the desired behavior of the Deployment.",
            [
                "replicas": .integer ~ "Number of desired pods. Defaults to 1.",
                "selector": .meta("LabelSelector")
                    ~ "Label selector for pods. It must match the pod template's labels.",
                "template": .core("PodTemplateSpec") ~ "Template describes the pods that will be created.",
                "strategy": .apps("DeploymentStrategy")
                    ~ "The deployment strategy to use to replace existing pods with new ones.",
                "minReadySeconds": .integer,
                "revisionHistoryLimit": .integer ~ "Old ReplicaSets to retain. Defaults to 10.",
                "paused": .boolean, "progressDeadlineSeconds": .integer ~ "Defaults to 600s.",
            ], required: ["selector", "template"]),
        Schema(
            a + "DeploymentStrategy", "How to replace existing pods with new ones.",
            ["type": "Recreate or RollingUpdate.", "rollingUpdate": .apps("RollingUpdateDeployment")]),
        Schema(
            a + "RollingUpdateDeployment", "The parameters of a rolling update.",
            ["maxUnavailable": .intOrString, "maxSurge": .intOrString]),
        Schema(
            a + "DeploymentStatus", "The most recently observed status of the Deployment.",
            [
                "observedGeneration": .integer, "replicas": .integer, "updatedReplicas": .integer,
                "readyReplicas": .integer, "availableReplicas": .integer, "unavailableReplicas": .integer,
                "terminatingReplicas": .integer, "conditions": .array(.apps("DeploymentCondition")),
                "collisionCount": .integer,
            ]),
        Schema(
            a + "DeploymentCondition", "The state of a deployment.",
            [
                "type": .string, "status": .string, "lastUpdateTime": .time, "lastTransitionTime": .time,
                "reason": .string, "message": .string,
            ]),
        Schema(
            a + "ReplicaSet",
            "ReplicaSet ensures that a specified number of pod replicas are running at any given time.",
            kindFields(["spec": .apps("ReplicaSetSpec"), "status": .apps("ReplicaSetStatus")])),
        Schema(
            a + "ReplicaSetSpec", "The specification of a ReplicaSet.",
            [
                "replicas": .integer ~ "Number of desired pods. Defaults to 1.", "minReadySeconds": .integer,
                "selector": .meta("LabelSelector"), "template": .core("PodTemplateSpec"),
            ], required: ["selector"]),
        Schema(
            a + "ReplicaSetStatus", "The current status of a ReplicaSet.",
            [
                "replicas": .integer, "fullyLabeledReplicas": .integer, "readyReplicas": .integer,
                "availableReplicas": .integer, "terminatingReplicas": .integer, "observedGeneration": .integer,
                "conditions": .array(.apps("ReplicaSetCondition")),
            ]),
        Schema(
            a + "ReplicaSetCondition", "The state of a replica set.",
            ["type": .string, "status": .string, "lastTransitionTime": .time, "reason": .string, "message": .string]),
    ]

    private static let batch: [Schema] = [
        Schema(
            b + "Job", "Job represents the configuration of a single job.",
            kindFields(["spec": .batch("JobSpec"), "status": .batch("JobStatus")])),
        Schema(
            b + "JobSpec", "JobSpec describes how the job execution will look like.",
            [
                "parallelism": .integer ~ "The maximum desired number of pods running at any given time.",
                "completions": .integer ~ "The desired number of successfully finished pods.",
                "activeDeadlineSeconds": .integer, "podFailurePolicy": .free, "successPolicy": .free,
                "backoffLimit": .integer ~ "Number of retries before marking this job failed. Defaults to 6.",
                "backoffLimitPerIndex": .integer, "maxFailedIndexes": .integer,
                "selector": .meta("LabelSelector"), "manualSelector": .boolean,
                "template": .core("PodTemplateSpec") ~ "Describes the pod that will be created when executing a job.",
                "ttlSecondsAfterFinished": .integer, "completionMode": "NonIndexed or Indexed.",
                "suspend": .boolean, "podReplacementPolicy": .string, "managedBy": .string,
            ], required: ["template"]),
        Schema(
            b + "JobStatus", "The current state of a Job.",
            [
                "conditions": .array(.batch("JobCondition")), "startTime": .time, "completionTime": .time,
                "active": .integer, "succeeded": .integer, "failed": .integer, "terminating": .integer,
                "completedIndexes": .string, "failedIndexes": .string, "uncountedTerminatedPods": .free,
                "ready": .integer,
            ]),
        Schema(
            b + "JobCondition", "The state of a job.",
            [
                "type": .string, "status": .string, "lastProbeTime": .time, "lastTransitionTime": .time,
                "reason": .string, "message": .string,
            ]),
        Schema(
            b + "CronJob", "CronJob represents the configuration of a single cron job.",
            kindFields(["spec": .batch("CronJobSpec"), "status": .batch("CronJobStatus")])),
        Schema(
            b + "CronJobSpec", "The specification of a cron job.",
            [
                "schedule": "The schedule in Cron format.", "timeZone": .string, "startingDeadlineSeconds": .integer,
                "concurrencyPolicy": "Allow, Forbid or Replace.", "suspend": .boolean,
                "jobTemplate": .batch("JobTemplateSpec"), "successfulJobsHistoryLimit": .integer,
                "failedJobsHistoryLimit": .integer,
            ], required: ["schedule", "jobTemplate"]),
        Schema(
            b + "JobTemplateSpec", "The data a Job should have when created from a template.",
            ["metadata": .meta("ObjectMeta"), "spec": .batch("JobSpec")]),
        Schema(
            b + "CronJobStatus", "The current state of a cron job.",
            [
                "active": .array(.core("ObjectReference")), "lastScheduleTime": .time,
                "lastSuccessfulTime": .time,
            ]),
    ]

    private static let discovery: [Schema] = [
        Schema(
            d + "EndpointSlice", "A subset of the endpoints that implement a service.",
            kindFields([
                "addressType": "IPv4, IPv6 or FQDN.", "endpoints": .array(.discovery("Endpoint")),
                "ports": .array(.discovery("EndpointPort")),
            ])),
        Schema(
            d + "Endpoint", "A single logical backend implementing a service.",
            [
                "addresses": .strings, "conditions": .discovery("EndpointConditions"), "hostname": .string,
                "targetRef": .core("ObjectReference"), "deprecatedTopology": .stringMap, "nodeName": .string,
                "zone": .string, "hints": .free,
            ]),
        Schema(
            d + "EndpointConditions", "The current condition of an endpoint.",
            ["ready": .boolean, "serving": .boolean, "terminating": .boolean]),
        Schema(
            d + "EndpointPort", "A port used by an EndpointSlice.",
            ["name": .string, "protocol": .string, "port": .integer, "appProtocol": .string]),
    ]
}
