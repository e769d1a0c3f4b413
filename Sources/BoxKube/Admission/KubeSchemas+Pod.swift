/// Pod, PodSpec, Container and what they contain.
extension KubeSchemas {
    private static let c = "io.k8s.api.core.v1."

    static let podSpec: [Schema] = [
        Schema(
            c + "Pod", "Pod is a collection of containers that can run on a host.",
            kindFields([
                "spec": .core("PodSpec") ~ "Specification of the desired behavior of the pod.",
                "status": .core("PodStatus") ~ "Most recently observed status of the pod.",
            ])),
        Schema(
            c + "PodTemplateSpec", "PodTemplateSpec describes the data a pod should have when created from a template.",
            [
                "metadata": .meta("ObjectMeta"),
                "spec": .core("PodSpec") ~ "Specification of the desired behavior of the pod.",
            ]),
        Schema(
            c + "PodSpec", "PodSpec is a description of a pod.",
            [
                "containers": .array(.core("Container")) ~ "List of containers belonging to the pod.",
                "initContainers": .array(.core("Container"))
                    ~ "Containers run to completion before the app containers start.",
                "ephemeralContainers": .array(.free),
                "volumes": .array(.core("Volume")) ~ "List of volumes that can be mounted by containers.",
                "restartPolicy": "Restart policy for all containers within the pod: Always, OnFailure, Never.",
                "terminationGracePeriodSeconds": .integer
                    ~ "Duration in seconds the pod needs to terminate gracefully.",
                "activeDeadlineSeconds": .integer, "dnsPolicy": "DNS policy for the pod.",
                "dnsConfig": .core("PodDNSConfig"), "nodeSelector": .stringMap ~ "Labels a node must have.",
                "nodeName": "The node the pod is bound to.", "serviceAccountName": .string, "serviceAccount": .string,
                "automountServiceAccountToken": .boolean, "hostNetwork": .boolean, "hostPID": .boolean,
                "hostIPC": .boolean, "hostUsers": .boolean, "shareProcessNamespace": .boolean,
                "securityContext": .core("PodSecurityContext"),
                "imagePullSecrets": .array(.core("LocalObjectReference")),
                "hostname": .string, "subdomain": .string, "setHostnameAsFQDN": .boolean,
                "affinity": .core("Affinity"), "schedulerName": .string, "tolerations": .array(.core("Toleration")),
                "hostAliases": .array(.core("HostAlias")), "priorityClassName": .string, "priority": .integer,
                "preemptionPolicy": .string, "readinessGates": .array(.core("PodReadinessGate")),
                "runtimeClassName": .string, "enableServiceLinks": .boolean, "overhead": .quantities,
                "topologySpreadConstraints": .array(.core("TopologySpreadConstraint")), "os": .core("PodOS"),
                "schedulingGates": .array(.core("PodSchedulingGate")), "resourceClaims": .array(.free),
                "resources": .core("ResourceRequirements"),
            ], required: ["containers"]),
        Schema(
            c + "Container", "A single application container that you want to run within a pod.",
            [
                "name": "Name of the container specified as a DNS_LABEL.",
                "image": "Container image name.",
                "command": .strings ~ "Entrypoint array.", "args": .strings ~ "Arguments to the entrypoint.",
                "workingDir": .string, "ports": .array(.core("ContainerPort")) ~ "Ports to expose from the container.",
                "envFrom": .array(.core("EnvFromSource")), "env": .array(.core("EnvVar")) ~ "Environment variables.",
                "resources": .core("ResourceRequirements") ~ "Compute resources required by this container.",
                "resizePolicy": .array(.free), "restartPolicy": .string,
                "volumeMounts": .array(.core("VolumeMount")), "volumeDevices": .array(.free),
                "livenessProbe": .core("Probe"), "readinessProbe": .core("Probe"), "startupProbe": .core("Probe"),
                "lifecycle": .core("Lifecycle"), "terminationMessagePath": .string,
                "terminationMessagePolicy": .string, "imagePullPolicy": "Always, Never, IfNotPresent.",
                "securityContext": .core("SecurityContext"), "stdin": .boolean, "stdinOnce": .boolean,
                "tty": .boolean,
            ], required: ["name"]),
        Schema(
            c + "ContainerPort", "ContainerPort represents a network port in a single container.",
            [
                "name": .string, "containerPort": .integer ~ "Number of port to expose on the pod's IP address.",
                "hostPort": .integer, "hostIP": .string, "protocol": "UDP, TCP, or SCTP. Defaults to \"TCP\".",
            ], required: ["containerPort"]),
        Schema(
            c + "EnvVar", "EnvVar represents an environment variable present in a Container.",
            ["name": .string, "value": .string, "valueFrom": .core("EnvVarSource")], required: ["name"]),
        Schema(
            c + "EnvVarSource", "EnvVarSource represents a source for the value of an EnvVar.",
            [
                "fieldRef": .core("ObjectFieldSelector"), "resourceFieldRef": .core("ResourceFieldSelector"),
                "configMapKeyRef": .core("ConfigMapKeySelector"), "secretKeyRef": .core("SecretKeySelector"),
            ]),
        Schema(
            c + "ObjectFieldSelector", "Selects a field of the pod.", ["apiVersion": .string, "fieldPath": .string]),
        Schema(
            c + "ResourceFieldSelector", "Selects a resource of the container.",
            ["containerName": .string, "resource": .string, "divisor": .quantity]),
        Schema(
            c + "ConfigMapKeySelector", "Selects a key from a ConfigMap.",
            ["name": .string, "key": .string, "optional": .boolean]),
        Schema(
            c + "SecretKeySelector", "Selects a key of a Secret.",
            ["name": .string, "key": .string, "optional": .boolean]),
        Schema(
            c + "EnvFromSource", "EnvFromSource represents the source of a set of ConfigMaps or Secrets.",
            ["prefix": .string, "configMapRef": .core("ConfigMapEnvSource"), "secretRef": .core("SecretEnvSource")]),
        Schema(c + "ConfigMapEnvSource", "Selects a ConfigMap.", ["name": .string, "optional": .boolean]),
        Schema(c + "SecretEnvSource", "Selects a Secret.", ["name": .string, "optional": .boolean]),
        Schema(
            c + "ResourceRequirements", "ResourceRequirements describes the compute resource requirements.",
            [
                "limits": .quantities ~ "The maximum amount of compute resources allowed.",
                "requests": .quantities ~ "The minimum amount of compute resources required.",
                "claims": .array(.free),
            ]),
        Schema(
            c + "VolumeMount", "VolumeMount describes a mounting of a Volume within a container.",
            [
                "name": .string, "mountPath": .string, "subPath": .string, "subPathExpr": .string,
                "readOnly": .boolean, "recursiveReadOnly": .string, "mountPropagation": .string,
            ], required: ["name", "mountPath"]),
        Schema(
            c + "Probe", "Probe describes a health check to be performed against a container.",
            [
                "exec": .core("ExecAction"), "httpGet": .core("HTTPGetAction"), "tcpSocket": .core("TCPSocketAction"),
                "grpc": .core("GRPCAction"), "initialDelaySeconds": .integer, "timeoutSeconds": .integer,
                "periodSeconds": .integer, "successThreshold": .integer, "failureThreshold": .integer,
                "terminationGracePeriodSeconds": .integer,
            ]),
        Schema(c + "ExecAction", "ExecAction describes a \"run in container\" action.", ["command": .strings]),
        Schema(
            c + "HTTPGetAction", "HTTPGetAction describes an action based on HTTP Get requests.",
            [
                "path": .string, "port": .intOrString, "host": .string, "scheme": .string,
                "httpHeaders": .array(.core("HTTPHeader")),
            ], required: ["port"]),
        Schema(c + "HTTPHeader", "A custom header to be used in HTTP probes.", ["name": .string, "value": .string]),
        Schema(
            c + "TCPSocketAction", "TCPSocketAction describes an action based on opening a socket.",
            ["port": .intOrString, "host": .string]),
        Schema(c + "GRPCAction", "A gRPC health check.", ["port": .integer, "service": .string]),
        Schema(
            c + "Lifecycle", "Actions the system takes in response to container lifecycle events.",
            ["postStart": .core("LifecycleHandler"), "preStop": .core("LifecycleHandler"), "stopSignal": .string]),
        Schema(
            c + "LifecycleHandler", "A specific action taken in a lifecycle hook.",
            [
                "exec": .core("ExecAction"), "httpGet": .core("HTTPGetAction"), "tcpSocket": .core("TCPSocketAction"),
                "sleep": .core("SleepAction"),
            ]),
        Schema(c + "SleepAction", "SleepAction describes a \"sleep\" action.", ["seconds": .integer]),
        Schema(
            c + "SecurityContext", "Security options the container should be run with.",
            [
                "capabilities": .core("Capabilities"), "privileged": .boolean,
                "seLinuxOptions": .core("SELinuxOptions"),
                "windowsOptions": .free, "runAsUser": .integer, "runAsGroup": .integer, "runAsNonRoot": .boolean,
                "readOnlyRootFilesystem": .boolean, "allowPrivilegeEscalation": .boolean, "procMount": .string,
                "seccompProfile": .core("SeccompProfile"), "appArmorProfile": .free,
            ]),
        Schema(c + "Capabilities", "Adds and removes POSIX capabilities.", ["add": .strings, "drop": .strings]),
        Schema(
            c + "SELinuxOptions", "The labels to be applied to the container.",
            ["user": .string, "role": .string, "type": .string, "level": .string]),
        Schema(
            c + "SeccompProfile", "A pod or container's seccomp profile.",
            ["type": .string, "localhostProfile": .string]),
        Schema(
            c + "PodSecurityContext", "Pod-level security attributes and common container settings.",
            [
                "seLinuxOptions": .core("SELinuxOptions"), "windowsOptions": .free, "runAsUser": .integer,
                "runAsGroup": .integer, "runAsNonRoot": .boolean, "supplementalGroups": .array(Field.integer),
                "supplementalGroupsPolicy": .string, "fsGroup": .integer, "sysctls": .array(.core("Sysctl")),
                "fsGroupChangePolicy": .string, "seccompProfile": .core("SeccompProfile"), "appArmorProfile": .free,
                "seLinuxChangePolicy": .string,
            ]),
        Schema(c + "Sysctl", "A kernel parameter to be set.", ["name": .string, "value": .string]),
        Schema(c + "LocalObjectReference", "Refers to an object in the same namespace.", ["name": .string]),
        Schema(c + "HostAlias", "An /etc/hosts entry.", ["ip": .string, "hostnames": .strings]),
        Schema(
            c + "PodDNSConfig", "DNS parameters of a pod.",
            ["nameservers": .strings, "searches": .strings, "options": .array(.core("PodDNSConfigOption"))]),
        Schema(c + "PodDNSConfigOption", "A DNS resolver option.", ["name": .string, "value": .string]),
        Schema(c + "PodReadinessGate", "A pod condition to be evaluated for readiness.", ["conditionType": .string]),
        Schema(c + "PodOS", "The OS of the pod.", ["name": .string]),
        Schema(c + "PodSchedulingGate", "A gate that blocks scheduling.", ["name": .string]),
        Schema(
            c + "Toleration", "Tolerates a taint.",
            ["key": .string, "operator": .string, "value": .string, "effect": .string, "tolerationSeconds": .integer]),
        Schema(
            c + "TopologySpreadConstraint", "How to spread matching pods among the given topology.",
            [
                "maxSkew": .integer, "topologyKey": .string, "whenUnsatisfiable": .string,
                "labelSelector": .meta("LabelSelector"), "minDomains": .integer, "nodeAffinityPolicy": .string,
                "nodeTaintsPolicy": .string, "matchLabelKeys": .strings,
            ]),
    ]
}
