/// Volumes, affinity and the pod's status.
extension KubeSchemas {
    private static let c = "io.k8s.api.core.v1."

    static let podParts: [Schema] = [
        Schema(
            c + "Volume", "A named volume in a pod that may be accessed by any container in the pod.",
            [
                "name": "Name of the volume, a DNS_LABEL.", "emptyDir": .core("EmptyDirVolumeSource"),
                "hostPath": .core("HostPathVolumeSource"), "configMap": .core("ConfigMapVolumeSource"),
                "secret": .core("SecretVolumeSource"),
                "persistentVolumeClaim": .core("PersistentVolumeClaimVolumeSource"),
                "downwardAPI": .core("DownwardAPIVolumeSource"), "projected": .core("ProjectedVolumeSource"),
                "nfs": .core("NFSVolumeSource"), "csi": .free, "ephemeral": .free, "image": .free,
            ], required: ["name"]),
        Schema(
            c + "EmptyDirVolumeSource", "An empty directory for a pod.", ["medium": .string, "sizeLimit": .quantity]),
        Schema(c + "HostPathVolumeSource", "A host path mapped into a pod.", ["path": .string, "type": .string]),
        Schema(
            c + "ConfigMapVolumeSource", "Adapts a ConfigMap into a volume.",
            ["name": .string, "items": .array(.core("KeyToPath")), "defaultMode": .integer, "optional": .boolean]),
        Schema(
            c + "SecretVolumeSource", "Adapts a Secret into a volume.",
            ["secretName": .string, "items": .array(.core("KeyToPath")), "defaultMode": .integer, "optional": .boolean]),
        Schema(
            c + "KeyToPath", "Maps a string key to a path within a volume.",
            ["key": .string, "path": .string, "mode": .integer]),
        Schema(
            c + "PersistentVolumeClaimVolumeSource", "References a PVC in the same namespace.",
            ["claimName": .string, "readOnly": .boolean]),
        Schema(
            c + "DownwardAPIVolumeSource", "Pod information as files.",
            ["items": .array(.core("DownwardAPIVolumeFile")), "defaultMode": .integer]),
        Schema(
            c + "DownwardAPIVolumeFile", "A file with pod information.",
            [
                "path": .string, "fieldRef": .core("ObjectFieldSelector"),
                "resourceFieldRef": .core("ResourceFieldSelector"), "mode": .integer,
            ]),
        Schema(
            c + "ProjectedVolumeSource", "Several volume sources in one directory.",
            ["sources": .array(.core("VolumeProjection")), "defaultMode": .integer]),
        Schema(
            c + "VolumeProjection", "One projected source.",
            [
                "configMap": .core("ConfigMapProjection"), "secret": .core("SecretProjection"),
                "downwardAPI": .core("DownwardAPIProjection"),
                "serviceAccountToken": .core("ServiceAccountTokenProjection"), "clusterTrustBundle": .free,
                "podCertificate": .free,
            ]),
        Schema(
            c + "ConfigMapProjection", "A ConfigMap projected into a volume.",
            ["name": .string, "items": .array(.core("KeyToPath")), "optional": .boolean]),
        Schema(
            c + "SecretProjection", "A Secret projected into a volume.",
            ["name": .string, "items": .array(.core("KeyToPath")), "optional": .boolean]),
        Schema(
            c + "DownwardAPIProjection", "Pod information projected into a volume.",
            ["items": .array(.core("DownwardAPIVolumeFile"))]),
        Schema(
            c + "ServiceAccountTokenProjection", "A service account token projected into a volume.",
            ["audience": .string, "expirationSeconds": .integer, "path": .string]),
        Schema(c + "NFSVolumeSource", "An NFS mount.", ["server": .string, "path": .string, "readOnly": .boolean]),
        Schema(
            c + "Affinity", "A group of affinity scheduling rules.",
            [
                "nodeAffinity": .core("NodeAffinity"), "podAffinity": .core("PodAffinity"),
                "podAntiAffinity": .core("PodAntiAffinity"),
            ]),
        Schema(
            c + "NodeAffinity", "Node affinity scheduling rules.",
            [
                "requiredDuringSchedulingIgnoredDuringExecution": .core("NodeSelector"),
                "preferredDuringSchedulingIgnoredDuringExecution": .array(.core("PreferredSchedulingTerm")),
            ]),
        Schema(
            c + "NodeSelector", "A union of node selector terms.",
            ["nodeSelectorTerms": .array(.core("NodeSelectorTerm"))]),
        Schema(
            c + "NodeSelectorTerm", "An AND of node selector requirements.",
            [
                "matchExpressions": .array(.core("NodeSelectorRequirement")),
                "matchFields": .array(.core("NodeSelectorRequirement")),
            ]),
        Schema(
            c + "NodeSelectorRequirement", "A node selector requirement.",
            ["key": .string, "operator": .string, "values": .strings]),
        Schema(
            c + "PreferredSchedulingTerm", "A weighted node selector term.",
            ["weight": .integer, "preference": .core("NodeSelectorTerm")]),
        Schema(
            c + "PodAffinity", "Inter-pod affinity scheduling rules.",
            [
                "requiredDuringSchedulingIgnoredDuringExecution": .array(.core("PodAffinityTerm")),
                "preferredDuringSchedulingIgnoredDuringExecution": .array(.core("WeightedPodAffinityTerm")),
            ]),
        Schema(
            c + "PodAntiAffinity", "Inter-pod anti-affinity scheduling rules.",
            [
                "requiredDuringSchedulingIgnoredDuringExecution": .array(.core("PodAffinityTerm")),
                "preferredDuringSchedulingIgnoredDuringExecution": .array(.core("WeightedPodAffinityTerm")),
            ]),
        Schema(
            c + "PodAffinityTerm", "Pods this pod should be co-located (or not) with.",
            [
                "labelSelector": .meta("LabelSelector"), "namespaces": .strings, "topologyKey": .string,
                "namespaceSelector": .meta("LabelSelector"), "matchLabelKeys": .strings,
                "mismatchLabelKeys": .strings,
            ]),
        Schema(
            c + "WeightedPodAffinityTerm", "A weighted pod affinity term.",
            ["weight": .integer, "podAffinityTerm": .core("PodAffinityTerm")]),
    ]

    static let podStatus: [Schema] = [
        Schema(
            c + "PodStatus", "Information about the status of a pod.",
            [
                "phase": "Pending, Running, Succeeded, Failed or Unknown.",
                "conditions": .array(.core("PodCondition")), "message": .string, "reason": .string,
                "nominatedNodeName": .string, "hostIP": .string, "hostIPs": .array(.core("HostIP")),
                "podIP": .string, "podIPs": .array(.core("PodIP")), "startTime": .time,
                "initContainerStatuses": .array(.core("ContainerStatus")),
                "containerStatuses": .array(.core("ContainerStatus")),
                "ephemeralContainerStatuses": .array(.core("ContainerStatus")), "qosClass": .string,
                "resize": .string, "resourceClaimStatuses": .array(.free), "observedGeneration": .integer,
            ]),
        Schema(
            c + "PodCondition", "The state of a pod.",
            [
                "type": .string, "status": .string, "observedGeneration": .integer, "lastProbeTime": .time,
                "lastTransitionTime": .time, "reason": .string, "message": .string,
            ]),
        Schema(c + "PodIP", "An IP address of a pod.", ["ip": .string]),
        Schema(c + "HostIP", "An IP address of the host.", ["ip": .string]),
        Schema(
            c + "ContainerStatus", "The status of a container.",
            [
                "name": .string, "state": .core("ContainerState"), "lastState": .core("ContainerState"),
                "ready": .boolean, "restartCount": .integer, "image": .string, "imageID": .string,
                "containerID": .string, "started": .boolean, "allocatedResources": .quantities,
                "resources": .core("ResourceRequirements"), "volumeMounts": .array(.free), "user": .free,
                "allocatedResourcesStatus": .array(.free), "stopSignal": .string,
            ]),
        Schema(
            c + "ContainerState", "The state of a container.",
            [
                "waiting": .core("ContainerStateWaiting"), "running": .core("ContainerStateRunning"),
                "terminated": .core("ContainerStateTerminated"),
            ]),
        Schema(c + "ContainerStateWaiting", "A waiting container.", ["reason": .string, "message": .string]),
        Schema(c + "ContainerStateRunning", "A running container.", ["startedAt": .time]),
        Schema(
            c + "ContainerStateTerminated", "A terminated container.",
            [
                "exitCode": .integer, "signal": .integer, "reason": .string, "message": .string, "startedAt": .time,
                "finishedAt": .time, "containerID": .string,
            ]),
    ]
}
