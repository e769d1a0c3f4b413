/// One field of a protobuf message: its number, JSON name and type. `keep` marks Go pointer fields, whose presence
/// matters even when zero or empty; `inline` marks embedded structs whose fields appear in the parent's JSON.
struct ProtoField {
    enum FieldType {
        case string, bytes, int, bool, quantity, intOrString, time
        case message(ProtoSchema)
        /// `map<string, …>`: repeated `{1 key, 2 value}` entries.
        case map(MapValue)
    }

    enum MapValue { case string, bytes, quantity }

    var number: Int
    var name: String
    var type: FieldType
    var repeated = false
    var keep = false
    var inline = false

    var isMap: Bool {
        if case .map = type { return true }
        return false
    }

    static func string(_ number: Int, _ name: String, keep: Bool = false) -> ProtoField {
        ProtoField(number: number, name: name, type: .string, keep: keep)
    }
    static func strings(_ number: Int, _ name: String) -> ProtoField {
        ProtoField(number: number, name: name, type: .string, repeated: true)
    }
    static func int(_ number: Int, _ name: String, keep: Bool = false) -> ProtoField {
        ProtoField(number: number, name: name, type: .int, keep: keep)
    }
    static func bool(_ number: Int, _ name: String, keep: Bool = false) -> ProtoField {
        ProtoField(number: number, name: name, type: .bool, keep: keep)
    }
    static func message(_ number: Int, _ name: String, _ schema: ProtoSchema, keep: Bool = false) -> ProtoField {
        ProtoField(number: number, name: name, type: .message(schema), keep: keep)
    }
    static func messages(_ number: Int, _ name: String, _ schema: ProtoSchema) -> ProtoField {
        ProtoField(number: number, name: name, type: .message(schema), repeated: true)
    }
    static func inline(_ number: Int, _ schema: ProtoSchema) -> ProtoField {
        ProtoField(number: number, name: "", type: .message(schema), inline: true)
    }
    static func map(_ number: Int, _ name: String, _ value: MapValue = .string) -> ProtoField {
        ProtoField(number: number, name: name, type: .map(value))
    }
}

/// The messages of `k8s.io/api` and `k8s.io/apimachinery` this decoder reads, with the field numbers of their
/// generated.proto (fields not listed are skipped).
enum ProtoSchema {
    case deployment, deploymentSpec, deploymentStrategy, rollingUpdateDeployment
    case job, jobSpec
    case namespace, namespaceSpec, configMap, secret, serviceAccount, objectReference, localObjectReference
    case service, serviceSpec, servicePort
    case pod, podTemplateSpec, podSpec, container, containerPort, envVar, envVarSource, keySelector,
        objectFieldSelector, resourceFieldSelector, envFromSource, envSource, resourceRequirements, volumeMount,
        volume, volumeSource, hostPath, emptyDir, configMapVolume, secretVolume, keyToPath, persistentVolumeClaim,
        toleration, hostAlias, probe, probeHandler, execAction, httpGetAction, httpHeader, tcpSocketAction,
        securityContext, capabilities, podSecurityContext
    case objectMeta, ownerReference, labelSelector, labelSelectorRequirement, time, quantity, intOrString

    /// The kinds a body may carry, by `TypeMeta.kind`.
    static let topLevel: [String: ProtoSchema] = [
        "Deployment": .deployment, "Job": .job, "Namespace": .namespace, "ConfigMap": .configMap,
        "Secret": .secret, "ServiceAccount": .serviceAccount, "Service": .service, "Pod": .pod,
    ]
    static let apiVersions: [String: String] = [
        "Deployment": "apps/v1", "Job": "batch/v1", "Namespace": "v1", "ConfigMap": "v1", "Secret": "v1",
        "ServiceAccount": "v1", "Service": "v1", "Pod": "v1",
    ]

    var fields: [Int: ProtoField] {
        Dictionary(fieldList.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private var fieldList: [ProtoField] {
        switch self {
        case .deployment: [.message(1, "metadata", .objectMeta), .message(2, "spec", .deploymentSpec)]
        case .deploymentSpec:
            [
                .int(1, "replicas", keep: true), .message(2, "selector", .labelSelector, keep: true),
                .message(3, "template", .podTemplateSpec), .message(4, "strategy", .deploymentStrategy),
                .int(5, "minReadySeconds"), .int(6, "revisionHistoryLimit", keep: true), .bool(7, "paused"),
                .int(9, "progressDeadlineSeconds", keep: true),
            ]
        case .deploymentStrategy:
            [.string(1, "type"), .message(2, "rollingUpdate", .rollingUpdateDeployment, keep: true)]
        case .rollingUpdateDeployment:
            [
                ProtoField(number: 1, name: "maxUnavailable", type: .intOrString, keep: true),
                ProtoField(number: 2, name: "maxSurge", type: .intOrString, keep: true),
            ]
        case .job: [.message(1, "metadata", .objectMeta), .message(2, "spec", .jobSpec)]
        case .jobSpec:
            [
                .int(1, "parallelism", keep: true), .int(2, "completions", keep: true),
                .int(3, "activeDeadlineSeconds", keep: true), .message(4, "selector", .labelSelector, keep: true),
                .bool(5, "manualSelector", keep: true), .message(6, "template", .podTemplateSpec),
                .int(7, "backoffLimit", keep: true), .int(8, "ttlSecondsAfterFinished", keep: true),
                .string(9, "completionMode", keep: true), .bool(10, "suspend", keep: true),
                .int(12, "backoffLimitPerIndex", keep: true), .int(13, "maxFailedIndexes", keep: true),
                .string(14, "podReplacementPolicy", keep: true), .string(15, "managedBy", keep: true),
            ]
        case .namespace: [.message(1, "metadata", .objectMeta), .message(2, "spec", .namespaceSpec)]
        case .namespaceSpec: [.strings(1, "finalizers")]
        case .configMap:
            [
                .message(1, "metadata", .objectMeta), .map(2, "data"), .map(3, "binaryData", .bytes),
                .bool(4, "immutable", keep: true),
            ]
        case .secret:
            [
                .message(1, "metadata", .objectMeta), .map(2, "data", .bytes), .string(3, "type"),
                .map(4, "stringData"), .bool(5, "immutable", keep: true),
            ]
        case .serviceAccount:
            [
                .message(1, "metadata", .objectMeta), .messages(2, "secrets", .objectReference),
                .messages(3, "imagePullSecrets", .localObjectReference),
                .bool(4, "automountServiceAccountToken", keep: true),
            ]
        case .objectReference:
            [
                .string(1, "kind"), .string(2, "namespace"), .string(3, "name"), .string(4, "uid"),
                .string(5, "apiVersion"), .string(6, "resourceVersion"), .string(7, "fieldPath"),
            ]
        case .localObjectReference: [.string(1, "name")]
        case .service: [.message(1, "metadata", .objectMeta), .message(2, "spec", .serviceSpec)]
        case .serviceSpec:
            [
                .messages(1, "ports", .servicePort), .map(2, "selector"), .string(3, "clusterIP"), .string(4, "type"),
                .strings(5, "externalIPs"), .string(7, "sessionAffinity"), .string(8, "loadBalancerIP"),
                .strings(9, "loadBalancerSourceRanges"), .string(10, "externalName"),
                .string(11, "externalTrafficPolicy"), .int(12, "healthCheckNodePort"),
                .bool(13, "publishNotReadyAddresses"), .string(17, "ipFamilyPolicy", keep: true),
                .strings(18, "clusterIPs"), .strings(19, "ipFamilies"),
                .bool(20, "allocateLoadBalancerNodePorts", keep: true), .string(21, "loadBalancerClass", keep: true),
                .string(22, "internalTrafficPolicy", keep: true), .string(23, "trafficDistribution", keep: true),
            ]
        case .servicePort:
            [
                .string(1, "name"), .string(2, "protocol"), .int(3, "port"),
                ProtoField(number: 4, name: "targetPort", type: .intOrString), .int(5, "nodePort"),
                .string(6, "appProtocol", keep: true),
            ]
        case .pod: [.message(1, "metadata", .objectMeta), .message(2, "spec", .podSpec)]
        case .podTemplateSpec: [.message(1, "metadata", .objectMeta), .message(2, "spec", .podSpec)]
        case .podSpec:
            [
                .messages(1, "volumes", .volume), .messages(2, "containers", .container),
                .string(3, "restartPolicy"), .int(4, "terminationGracePeriodSeconds", keep: true),
                .int(5, "activeDeadlineSeconds", keep: true), .string(6, "dnsPolicy"), .map(7, "nodeSelector"),
                .string(8, "serviceAccountName"), .string(9, "serviceAccount"), .string(10, "nodeName"),
                .bool(11, "hostNetwork"), .bool(12, "hostPID"), .bool(13, "hostIPC"),
                .message(14, "securityContext", .podSecurityContext, keep: true),
                .messages(15, "imagePullSecrets", .localObjectReference), .string(16, "hostname"),
                .string(17, "subdomain"), .string(19, "schedulerName"), .messages(20, "initContainers", .container),
                .bool(21, "automountServiceAccountToken", keep: true), .messages(22, "tolerations", .toleration),
                .messages(23, "hostAliases", .hostAlias), .string(24, "priorityClassName"),
                .int(25, "priority", keep: true), .bool(27, "shareProcessNamespace", keep: true),
                .string(29, "runtimeClassName", keep: true), .bool(30, "enableServiceLinks", keep: true),
                .string(31, "preemptionPolicy", keep: true), .bool(35, "setHostnameAsFQDN", keep: true),
                .bool(37, "hostUsers", keep: true), .string(41, "hostnameOverride", keep: true),
            ]
        case .container:
            [
                .string(1, "name"), .string(2, "image"), .strings(3, "command"), .strings(4, "args"),
                .string(5, "workingDir"), .messages(6, "ports", .containerPort), .messages(7, "env", .envVar),
                .message(8, "resources", .resourceRequirements), .messages(9, "volumeMounts", .volumeMount),
                .message(10, "livenessProbe", .probe, keep: true), .message(11, "readinessProbe", .probe, keep: true),
                .string(13, "terminationMessagePath"), .string(14, "imagePullPolicy"),
                .message(15, "securityContext", .securityContext, keep: true), .bool(16, "stdin"),
                .bool(17, "stdinOnce"), .bool(18, "tty"), .messages(19, "envFrom", .envFromSource),
                .string(20, "terminationMessagePolicy"), .message(22, "startupProbe", .probe, keep: true),
                .string(24, "restartPolicy", keep: true),
            ]
        case .containerPort:
            [
                .string(1, "name"), .int(2, "hostPort"), .int(3, "containerPort"), .string(4, "protocol"),
                .string(5, "hostIP"),
            ]
        case .envVar: [.string(1, "name"), .string(2, "value"), .message(3, "valueFrom", .envVarSource, keep: true)]
        case .envVarSource:
            [
                .message(1, "fieldRef", .objectFieldSelector, keep: true),
                .message(2, "resourceFieldRef", .resourceFieldSelector, keep: true),
                .message(3, "configMapKeyRef", .keySelector, keep: true),
                .message(4, "secretKeyRef", .keySelector, keep: true),
            ]
        case .keySelector: [.inline(1, .localObjectReference), .string(2, "key"), .bool(3, "optional", keep: true)]
        case .objectFieldSelector: [.string(1, "apiVersion"), .string(2, "fieldPath")]
        case .resourceFieldSelector:
            [
                .string(1, "containerName"), .string(2, "resource"),
                ProtoField(number: 3, name: "divisor", type: .quantity),
            ]
        case .envFromSource:
            [
                .string(1, "prefix"), .message(2, "configMapRef", .envSource, keep: true),
                .message(3, "secretRef", .envSource, keep: true),
            ]
        case .envSource: [.inline(1, .localObjectReference), .bool(2, "optional", keep: true)]
        case .resourceRequirements: [.map(1, "limits", .quantity), .map(2, "requests", .quantity)]
        case .volumeMount:
            [
                .string(1, "name"), .bool(2, "readOnly"), .string(3, "mountPath"), .string(4, "subPath"),
                .string(5, "mountPropagation", keep: true), .string(6, "subPathExpr"),
                .string(7, "recursiveReadOnly", keep: true),
            ]
        case .volume: [.string(1, "name"), .inline(2, .volumeSource)]
        case .volumeSource:
            [
                .message(1, "hostPath", .hostPath, keep: true), .message(2, "emptyDir", .emptyDir, keep: true),
                .message(6, "secret", .secretVolume, keep: true),
                .message(10, "persistentVolumeClaim", .persistentVolumeClaim, keep: true),
                .message(19, "configMap", .configMapVolume, keep: true),
            ]
        case .hostPath: [.string(1, "path"), .string(2, "type", keep: true)]
        case .emptyDir:
            [.string(1, "medium"), ProtoField(number: 2, name: "sizeLimit", type: .quantity, keep: true)]
        case .configMapVolume:
            [
                .inline(1, .localObjectReference), .messages(2, "items", .keyToPath),
                .int(3, "defaultMode", keep: true), .bool(4, "optional", keep: true),
            ]
        case .secretVolume:
            [
                .string(1, "secretName"), .messages(2, "items", .keyToPath), .int(3, "defaultMode", keep: true),
                .bool(4, "optional", keep: true),
            ]
        case .keyToPath: [.string(1, "key"), .string(2, "path"), .int(3, "mode", keep: true)]
        case .persistentVolumeClaim: [.string(1, "claimName"), .bool(2, "readOnly")]
        case .toleration:
            [
                .string(1, "key"), .string(2, "operator"), .string(3, "value"), .string(4, "effect"),
                .int(5, "tolerationSeconds", keep: true),
            ]
        case .hostAlias: [.string(1, "ip"), .strings(2, "hostnames")]
        case .probe:
            [
                .inline(1, .probeHandler), .int(2, "initialDelaySeconds"), .int(3, "timeoutSeconds"),
                .int(4, "periodSeconds"), .int(5, "successThreshold"), .int(6, "failureThreshold"),
                .int(7, "terminationGracePeriodSeconds", keep: true),
            ]
        case .probeHandler:
            [
                .message(1, "exec", .execAction, keep: true), .message(2, "httpGet", .httpGetAction, keep: true),
                .message(3, "tcpSocket", .tcpSocketAction, keep: true),
            ]
        case .execAction: [.strings(1, "command")]
        case .httpGetAction:
            [
                .string(1, "path"), ProtoField(number: 2, name: "port", type: .intOrString), .string(3, "host"),
                .string(4, "scheme"), .messages(5, "httpHeaders", .httpHeader),
            ]
        case .httpHeader: [.string(1, "name"), .string(2, "value")]
        case .tcpSocketAction: [ProtoField(number: 1, name: "port", type: .intOrString), .string(2, "host")]
        case .securityContext:
            [
                .message(1, "capabilities", .capabilities, keep: true), .bool(2, "privileged", keep: true),
                .int(4, "runAsUser", keep: true), .bool(5, "runAsNonRoot", keep: true),
                .bool(6, "readOnlyRootFilesystem", keep: true), .bool(7, "allowPrivilegeEscalation", keep: true),
                .int(8, "runAsGroup", keep: true),
            ]
        case .capabilities: [.strings(1, "add"), .strings(2, "drop")]
        case .podSecurityContext:
            [
                .int(2, "runAsUser", keep: true), .bool(3, "runAsNonRoot", keep: true),
                ProtoField(number: 4, name: "supplementalGroups", type: .int, repeated: true),
                .int(5, "fsGroup", keep: true), .int(6, "runAsGroup", keep: true),
            ]
        case .objectMeta:
            [
                .string(1, "name"), .string(2, "generateName"), .string(3, "namespace"), .string(5, "uid"),
                .string(6, "resourceVersion"), .int(7, "generation"),
                ProtoField(number: 8, name: "creationTimestamp", type: .time),
                ProtoField(number: 9, name: "deletionTimestamp", type: .time),
                .int(10, "deletionGracePeriodSeconds", keep: true), .map(11, "labels"), .map(12, "annotations"),
                .messages(13, "ownerReferences", .ownerReference), .strings(14, "finalizers"),
            ]
        case .ownerReference:
            [
                .string(1, "kind"), .string(3, "name"), .string(4, "uid"), .string(5, "apiVersion"),
                .bool(6, "controller", keep: true), .bool(7, "blockOwnerDeletion", keep: true),
            ]
        case .labelSelector: [.map(1, "matchLabels"), .messages(2, "matchExpressions", .labelSelectorRequirement)]
        case .labelSelectorRequirement: [.string(1, "key"), .string(2, "operator"), .strings(3, "values")]
        case .time: [.int(1, "seconds"), .int(2, "nanos")]
        case .quantity: [.string(1, "string")]
        case .intOrString: [.int(1, "type"), .int(2, "intVal"), .string(3, "strVal")]
        }
    }
}
