import BoxCore
import BoxKube
import Testing

/// `KubeSchemas`: unknown fields for strict validation, OpenAPI component schemas for `kubectl explain`.
@Suite struct SchemaTests {
    static let deployment: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
            "name": "web", "labels": ["app": "web", "example.com/anything": "x"],
            "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}"],
        ],
        "spec": [
            "replicas": 3, "selector": ["matchLabels": ["app": "web"]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": "25%"]],
            "template": [
                "metadata": ["labels": ["app": "web"]],
                "spec": [
                    "containers": [
                        [
                            "name": "web", "image": "nginx:1.25", "ports": [["containerPort": 80, "name": "http"]],
                            "resources": ["limits": ["cpu": "500m", "memory": "128Mi"]],
                        ]
                    ],
                    "nodeSelector": ["kubernetes.io/os": "linux"],
                ],
            ],
        ],
        "status": [
            "replicas": 3, "readyReplicas": 3,
            "conditions": [["type": "Available", "status": "True", "lastUpdateTime": "2026-01-01T00:00:00Z"]],
        ],
    ]

    static let pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "full", "namespace": "default"],
        "spec": [
            "restartPolicy": "Always",
            "containers": [
                [
                    "name": "app", "image": "busybox", "command": ["sh", "-c"], "args": ["sleep 3600"],
                    "env": [
                        ["name": "A", "value": "1"],
                        ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                        ["name": "S", "valueFrom": ["secretKeyRef": ["name": "s", "key": "k"]]],
                    ],
                    "envFrom": [["configMapRef": ["name": "cfg"]]],
                    "resources": ["requests": ["cpu": "100m"], "limits": ["memory": "64Mi"]],
                    "livenessProbe": [
                        "httpGet": ["path": "/healthz", "port": 8080, "httpHeaders": [["name": "X", "value": "y"]]],
                        "initialDelaySeconds": 3, "periodSeconds": 5,
                    ],
                    "readinessProbe": ["tcpSocket": ["port": "http"]],
                    "startupProbe": ["exec": ["command": ["true"]]],
                    "volumeMounts": [
                        ["name": "data", "mountPath": "/data"], ["name": "cfg", "mountPath": "/etc/cfg"],
                    ],
                    "securityContext": ["runAsUser": 1000, "capabilities": ["drop": ["ALL"]]],
                    "lifecycle": ["preStop": ["exec": ["command": ["sleep", "1"]]]],
                ]
            ],
            "volumes": [
                ["name": "data", "emptyDir": [:]], ["name": "cfg", "configMap": ["name": "cfg"]],
                ["name": "sec", "secret": ["secretName": "s", "items": [["key": "k", "path": "k"]]]],
                ["name": "host", "hostPath": ["path": "/tmp", "type": "Directory"]],
            ],
            "tolerations": [["key": "k", "operator": "Exists", "effect": "NoSchedule"]],
            "affinity": [
                "nodeAffinity": [
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        "nodeSelectorTerms": [["matchExpressions": [["key": "a", "operator": "In", "values": ["b"]]]]]
                    ]
                ]
            ],
        ],
        "status": [
            "phase": "Running", "podIP": "10.0.0.5", "podIPs": [["ip": "10.0.0.5"]],
            "conditions": [["type": "Ready", "status": "True"]],
            "containerStatuses": [
                [
                    "name": "app", "image": "busybox", "imageID": "", "ready": true, "restartCount": 0,
                    "state": ["running": ["startedAt": "2026-01-01T00:00:00Z"]],
                ]
            ],
        ],
    ]

    static let service: JSONValue = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
        "spec": [
            "type": "NodePort", "selector": ["app": "web"],
            "ports": [["name": "http", "port": 80, "targetPort": "http", "nodePort": 30080, "protocol": "TCP"]],
            "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack", "sessionAffinity": "None",
        ],
        "status": ["loadBalancer": [:]],
    ]

    static let job: JSONValue = [
        "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "pi"],
        "spec": [
            "backoffLimit": 4, "completions": 2, "parallelism": 1, "ttlSecondsAfterFinished": 100,
            "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "pi", "image": "perl"]]]],
        ],
        "status": ["active": 1, "startTime": "2026-01-01T00:00:00Z"],
    ]

    @Test func knownManifestsHaveNoUnknownFields() throws {
        #expect(KubeSchemas.unknownFields(Self.deployment, type: .deployment) == [])
        #expect(KubeSchemas.unknownFields(Self.pod, type: .pod) == [])
        #expect(KubeSchemas.unknownFields(Self.service, type: .service) == [])
        #expect(KubeSchemas.unknownFields(Self.job, type: .job) == [])
        // Everything admission adds is known too.
        let admission = DefaultAdmission(serviceIPs: { _, _ in "10.96.0.11" })
        for (object, type) in [(Self.deployment, ResourceType.deployment), (Self.pod, .pod), (Self.job, .job)] {
            var withUID = object
            withUID.set(["metadata", "uid"], "u")
            let admitted = try admission.admit(withUID, old: nil, type: type, statusOnly: false)
            #expect(KubeSchemas.unknownFields(admitted, type: type) == [], "\(type)")
        }
    }

    @Test func unknownFieldsAreFoundAtDepth() {
        var object = Self.deployment
        object.set(["spec", "foo"], 1)
        object.set(["metadata", "labelz"], ["a": "b"])
        object.set(["spec", "template", "spec", "containers"], [["name": "web", "imagee": "nginx"]])
        object.set(["spec", "selector", "matchLabels", "any-key"], "fine")
        #expect(
            KubeSchemas.unknownFields(object, type: .deployment) == [
                "metadata.labelz", "spec.foo", "spec.template.spec.containers[0].imagee",
            ])
        var pod = Self.pod
        pod.set(["spec", "volumes"], [["name": "x", "emptyDir": ["sizeLimitt": "1Gi"]]])
        pod.set(["status", "bogus"], true)
        #expect(KubeSchemas.unknownFields(pod, type: .pod) == ["spec.volumes[0].emptyDir.sizeLimitt", "status.bogus"])
        #expect(KubeSchemas.unknownFields(["data": ["any": "x"], "dataa": [:]], type: .configMap) == ["dataa"])
    }

    @Test func componentSchemasAreClosedAndNamedAsUpstream() throws {
        for (group, version) in [("", "v1"), ("apps", "v1"), ("batch", "v1"), ("discovery.k8s.io", "v1")] {
            let schemas = KubeSchemas.componentSchemas(group: group, version: version)
            #expect(!schemas.isEmpty)
            // Every $ref points at a schema in the same document.
            for ref in Self.refs(in: .object(schemas)) {
                #expect(schemas[String(ref.dropFirst("#/components/schemas/".count))] != nil, "\(ref)")
            }
        }
        let apps = KubeSchemas.componentSchemas(group: "apps", version: "v1")
        let deployment = try #require(apps["io.k8s.api.apps.v1.Deployment"])
        #expect(
            deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "version": "v1", "kind": "Deployment"]])
        #expect(deployment["type"] == "object")
        #expect(
            deployment[path: ["properties", "spec", "allOf"]]
                == [["$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"]])
        #expect(apps["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != nil)
        #expect(apps["io.k8s.api.core.v1.Container"] != nil)
        #expect(apps["io.k8s.api.batch.v1.Job"] == nil)
        #expect(apps["io.k8s.api.apps.v1.DeploymentSpec"]?[path: ["properties", "replicas", "type"]] == "integer")
        #expect(apps["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?["x-kubernetes-group-version-kind"] == nil)
        let core = KubeSchemas.componentSchemas(group: "", version: "v1")
        #expect(core["io.k8s.api.core.v1.Pod"] != nil)
        #expect(core["io.k8s.api.apps.v1.Deployment"] == nil)
        #expect(
            core["io.k8s.api.core.v1.ServiceSpec"]?[path: ["properties", "selector", "additionalProperties", "type"]]
                == "string")
    }

    static func refs(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            return (members["$ref"]?.stringValue.map { [$0] } ?? []) + members.values.flatMap(refs(in:))
        case .array(let elements): return elements.flatMap(refs(in:))
        default: return []
        }
    }
}
