import BoxCore
import Testing

@testable import BoxKube

/// Fixed times so the Age cells are exact.
private let now = KubeTime.parse("2026-11-27T12:00:00Z") ?? .epoch
private func ago(_ seconds: Int) -> JSONValue { .string(KubeTime.format(now + .seconds(-seconds))) }

private func metadata(_ name: String, age seconds: Int, extra: [String: JSONValue] = [:]) -> JSONValue {
    var members: [String: JSONValue] = [
        "name": .string(name), "namespace": "default", "uid": .string("uid-\(name)"), "resourceVersion": "7",
        "creationTimestamp": ago(seconds), "labels": ["app": .string(name)],
    ]
    members.merge(extra) { $1 }
    return .object(members)
}

/// The single row's cells.
private func cells(_ type: ResourceType, _ object: JSONValue) -> [JSONValue] {
    let table = KubeTables.table(
        type, objects: [object], resourceVersion: "9", continueToken: nil, includeObject: nil, now: now)
    return table["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
}

@Suite struct PresentAgeTests {
    @Test(arguments: [
        (0, "0s"), (-1, "0s"), (-2, "<invalid>"), (45, "45s"), (119, "119s"), (120, "2m"), (310, "5m10s"),
        (599, "9m59s"), (600, "10m"), (179 * 60 + 59, "179m"), (3 * 3600, "3h"), (3 * 3600 + 5 * 60, "3h5m"),
        (8 * 3600 + 59, "8h"), (47 * 3600, "47h"), (52 * 3600, "2d4h"), (3 * 86400, "3d"), (8 * 86400, "8d"),
        (120 * 86400, "120d"), (729 * 86400, "729d"), (730 * 86400, "2y"), (740 * 86400, "2y10d"),
        (9 * 365 * 86400 + 86400, "9y"),
    ])
    func humanDuration(seconds: Int, expected: String) {
        #expect(KubeTables.humanDuration(.seconds(seconds)) == expected)
    }

    @Test func fractionsTruncateAndMissingTimestampsAreUnknown() {
        #expect(KubeTables.humanDuration(.milliseconds(119_999)) == "119s")
        #expect(KubeTables.humanDuration(.milliseconds(-1_500)) == "0s")
        var object: JSONValue = ["metadata": ["name": "x"]]
        #expect(cells(.configMap, object) == ["x", 0, "<unknown>"])
        object.set(["metadata", "creationTimestamp"], "yesterday")
        #expect(cells(.configMap, object) == ["x", 0, "<unknown>"])
    }
}

@Suite struct PresentPodTableTests {
    func pod(
        _ name: String, phase: String, statuses: [JSONValue], extraMetadata: [String: JSONValue] = [:],
        spec: [String: JSONValue] = [:], status: [String: JSONValue] = [:]
    ) -> JSONValue {
        var specMembers: [String: JSONValue] = ["containers": [["name": "app", "image": "nginx"]]]
        specMembers.merge(spec) { $1 }
        var statusMembers: [String: JSONValue] = ["phase": .string(phase), "containerStatuses": .array(statuses)]
        statusMembers.merge(status) { $1 }
        return [
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata(name, age: 7200, extra: extraMetadata),
            "spec": .object(specMembers), "status": .object(statusMembers),
        ]
    }

    @Test func runningPodWithRestarts() {
        let running = pod(
            "web-1", phase: "Running",
            statuses: [
                [
                    "name": "app", "ready": true, "restartCount": 3, "state": ["running": ["startedAt": ago(290)]],
                    "lastState": ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": ago(300)]],
                ]
            ],
            spec: ["nodeName": "box1"], status: ["podIP": "10.0.0.7", "podIPs": [["ip": "10.0.0.7"]]])
        #expect(
            cells(.pod, running) == [
                "web-1", "1/1", "Running", "3 (5m ago)", "120m", "10.0.0.7", "box1", "<none>", "<none>",
            ])
    }

    @Test func crashLoopPendingCompletedErrorAndOOM() {
        let crash = pod(
            "crash", phase: "Running",
            statuses: [
                [
                    "name": "app", "ready": false, "restartCount": 4,
                    "state": ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off 40s"]],
                    "lastState": ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": ago(30)]],
                ]
            ])
        #expect(cells(.pod, crash).prefix(4) == ["crash", "0/1", "CrashLoopBackOff", "4 (30s ago)"])

        let creating = pod(
            "new", phase: "Pending",
            statuses: [
                [
                    "name": "app", "ready": false, "restartCount": 0,
                    "state": ["waiting": ["reason": "ContainerCreating"]],
                ]
            ],
            spec: ["nodeName": "box1"])
        #expect(cells(.pod, creating).prefix(6) == ["new", "0/1", "ContainerCreating", "0", "120m", "<none>"])

        let unscheduled = pod("queued", phase: "Pending", statuses: [])
        #expect(cells(.pod, unscheduled).prefix(4) == ["queued", "0/1", "Pending", "0"])

        let done = pod(
            "done", phase: "Succeeded",
            statuses: [
                [
                    "name": "app", "ready": false, "restartCount": 0,
                    "state": ["terminated": ["exitCode": 0, "reason": "Completed"]],
                ]
            ])
        let doneTable = KubeTables.table(
            .pod, objects: [done], resourceVersion: "9", continueToken: nil, includeObject: nil, now: now)
        #expect(doneTable["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[2] == "Completed")
        #expect(
            doneTable["rows"]?.arrayValue?.first?["conditions"]
                == [
                    [
                        "type": "Completed", "status": "True", "reason": "Succeeded",
                        "message": "The pod has completed successfully.",
                    ]
                ])

        let failed = pod(
            "failed", phase: "Failed",
            statuses: [
                ["name": "app", "restartCount": 0, "state": ["terminated": ["exitCode": 2, "reason": "Error"]]]
            ])
        #expect(cells(.pod, failed)[2] == "Error")
        let oom = pod(
            "oom", phase: "Running",
            statuses: [
                ["name": "app", "restartCount": 0, "state": ["terminated": ["exitCode": 137, "reason": "OOMKilled"]]]
            ])
        #expect(cells(.pod, oom)[2] == "OOMKilled")
        let noReason = pod(
            "code", phase: "Failed", statuses: [["name": "app", "state": ["terminated": ["exitCode": 3]]]])
        #expect(cells(.pod, noReason)[2] == "ExitCode:3")
    }

    @Test func terminatingAndInitializingPods() {
        let runningStatus: JSONValue = ["name": "app", "ready": true, "restartCount": 0, "state": ["running": [:]]]
        let terminating = pod(
            "bye", phase: "Running", statuses: [runningStatus], extraMetadata: ["deletionTimestamp": ago(5)])
        #expect(cells(.pod, terminating).prefix(3) == ["bye", "1/1", "Terminating"])

        let initSpec: [String: JSONValue] = [
            "initContainers": [["name": "setup", "image": "busybox"], ["name": "migrate", "image": "busybox"]]
        ]
        let first = pod(
            "init", phase: "Pending", statuses: [], spec: initSpec,
            status: [
                "initContainerStatuses": [
                    ["name": "setup", "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
                    ["name": "migrate", "state": ["running": [:]]],
                ]
            ])
        #expect(cells(.pod, first)[2] == "Init:1/2")
        let crashing = pod(
            "init2", phase: "Pending", statuses: [], spec: initSpec,
            status: [
                "initContainerStatuses": [
                    ["name": "setup", "restartCount": 2, "state": ["waiting": ["reason": "CrashLoopBackOff"]]]
                ]
            ])
        #expect(cells(.pod, crashing)[2] == "Init:CrashLoopBackOff")
        #expect(cells(.pod, crashing)[3] == "2")
        let failedInit = pod(
            "init3", phase: "Failed", statuses: [], spec: initSpec,
            status: ["initContainerStatuses": [["name": "setup", "state": ["terminated": ["exitCode": 1]]]]])
        #expect(cells(.pod, failedInit)[2] == "Init:ExitCode:1")
    }

    @Test func includeObjectAndEmptyTables() {
        let object = pod("p", phase: "Running", statuses: [])
        func rowObject(_ include: String?) -> JSONValue? {
            KubeTables.table(
                .pod, objects: [object], resourceVersion: "9", continueToken: "abc", includeObject: include, now: now)[
                    "rows"]?.arrayValue?.first?["object"]
        }
        #expect(
            rowObject(nil)
                == [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"] ?? .null,
                ])
        #expect(rowObject("Metadata") == rowObject(nil))
        #expect(rowObject("Object") == object)
        #expect(rowObject("None") == .null)

        let empty = KubeTables.table(
            .pod, objects: [], resourceVersion: "12", continueToken: nil, includeObject: nil, now: now)
        #expect(empty["rows"] == [])
        #expect(empty["kind"] == "Table")
        #expect(empty["apiVersion"] == "meta.k8s.io/v1")
        #expect(empty["metadata"] == ["resourceVersion": "12", "continue": ""])
        let names = empty["columnDefinitions"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" }
        #expect(
            names == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        let priorities = empty["columnDefinitions"]?.arrayValue?.map { $0["priority"]?.intValue ?? -1 }
        #expect(priorities == [0, 0, 0, 0, 0, 1, 1, 1, 1])
    }

    @Test func everyKindSendsOneCellPerColumnAndANameColumn() {
        for type in ResourceType.all {
            let table = KubeTables.table(
                type, objects: [["metadata": metadata("x", age: 10)]], resourceVersion: "1", continueToken: nil,
                includeObject: nil, now: now)
            let columns = table["columnDefinitions"]?.arrayValue ?? []
            let row = table["rows"]?.arrayValue?.first?["cells"]?.arrayValue ?? []
            #expect(columns.count == row.count, "\(type)")
            #expect(columns.contains { $0["name"] == "Name" && $0["format"] == "name" }, "\(type)")
            #expect(columns.allSatisfy { !($0["description"]?.stringValue ?? "").isEmpty }, "\(type)")
        }
    }
}

@Suite struct PresentWorkloadTableTests {
    @Test func deploymentMidRollout() {
        let deployment: JSONValue = [
            "metadata": metadata("web", age: 310),
            "spec": [
                "replicas": 3,
                "selector": [
                    "matchLabels": ["app": "web"],
                    "matchExpressions": [["key": "tier", "operator": "In", "values": ["b", "a"]]],
                ],
                "template": [
                    "spec": [
                        "containers": [["name": "nginx", "image": "nginx:1.26"], ["name": "log", "image": "busybox"]]
                    ]
                ],
            ],
            "status": ["replicas": 4, "updatedReplicas": 1, "readyReplicas": 2, "availableReplicas": 2],
        ]
        #expect(
            cells(.deployment, deployment) == [
                "web", "2/3", 1, 2, "5m10s", "nginx,log", "nginx:1.26,busybox", "app=web,tier in (a,b)",
            ])
    }

    @Test func replicaSetsAndControllers() {
        let template: JSONValue = ["spec": ["containers": [["name": "nginx", "image": "nginx"]]]]
        let replicaSet: JSONValue = [
            "metadata": metadata("web-abc", age: 60),
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": "web", "pod-template-hash": "abc"]],
                "template": template,
            ],
            "status": ["replicas": 2, "readyReplicas": 1],
        ]
        #expect(
            cells(.replicaSet, replicaSet) == [
                "web-abc", 2, 2, 1, "60s", "nginx", "nginx", "app=web,pod-template-hash=abc",
            ])
        let controller: JSONValue = [
            "metadata": metadata("old", age: 60), "spec": ["replicas": 1, "template": template], "status": [:],
        ]
        #expect(cells(.replicationController, controller) == ["old", 1, 0, 0, "60s", "nginx", "nginx", "<none>"])
    }

    @Test func jobs() {
        let template: JSONValue = ["spec": ["containers": [["name": "pi", "image": "perl"]]]]
        let complete: JSONValue = [
            "metadata": metadata("pi", age: 600),
            "spec": [
                "completions": 1, "template": template,
                "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "u1"]],
            ],
            "status": [
                "succeeded": 1, "startTime": ago(600), "completionTime": ago(590),
                "conditions": [["type": "Complete", "status": "True"]],
            ],
        ]
        #expect(
            cells(.job, complete) == [
                "pi", "Complete", "1/1", "10s", "10m", "pi", "perl", "batch.kubernetes.io/controller-uid=u1",
            ])
        let running: JSONValue = [
            "metadata": metadata("work", age: 200), "spec": ["parallelism": 3, "template": template],
            "status": ["succeeded": 1, "startTime": ago(190)],
        ]
        #expect(cells(.job, running).prefix(4) == ["work", "Running", "1/1 of 3", "3m10s"])
        let suspended: JSONValue = [
            "metadata": metadata("later", age: 20), "spec": ["completions": 2, "suspend": true],
            "status": ["conditions": [["type": "Suspended", "status": "True"]]],
        ]
        #expect(cells(.job, suspended).prefix(4) == ["later", "Suspended", "0/2", ""])
        let failed: JSONValue = [
            "metadata": metadata("bad", age: 20), "spec": ["completions": 1],
            "status": [
                "conditions": [["type": "Failed", "status": "True"], ["type": "Complete", "status": "False"]]
            ],
        ]
        #expect(cells(.job, failed)[1] == "Failed")
    }

    @Test func cronJobs() {
        let cronJob: JSONValue = [
            "metadata": metadata("nightly", age: 86400 * 3),
            "spec": [
                "schedule": "0 3 * * *", "suspend": false,
                "jobTemplate": [
                    "spec": ["template": ["spec": ["containers": [["name": "backup", "image": "restic"]]]]]
                ],
            ],
            "status": ["active": [["name": "nightly-1"]], "lastScheduleTime": ago(3600)],
        ]
        #expect(
            cells(.cronJob, cronJob) == [
                "nightly", "0 3 * * *", "<none>", "False", 1, "60m", "3d", "backup", "restic", "<none>",
            ])
        let bare: JSONValue = [
            "metadata": metadata("bare", age: 5), "spec": ["schedule": "@hourly", "timeZone": "Etc/UTC"],
        ]
        #expect(cells(.cronJob, bare).prefix(6) == ["bare", "@hourly", "Etc/UTC", "<unset>", 0, "<none>"])
    }
}

@Suite struct PresentClusterTableTests {
    @Test func services() {
        let nodePort: JSONValue = [
            "metadata": metadata("web", age: 86400),
            "spec": [
                "type": "NodePort", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                "selector": ["app": "web", "tier": "fe"],
                "ports": [["port": 80, "nodePort": 31234, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]],
            ],
        ]
        #expect(
            cells(.service, nodePort) == [
                "web", "NodePort", "10.96.0.10", "<none>", "80:31234/TCP,53/UDP", "24h", "app=web,tier=fe",
            ])
        let pending: JSONValue = [
            "metadata": metadata("lb", age: 5),
            "spec": [
                "type": "LoadBalancer", "clusterIPs": ["10.96.0.11"],
                "ports": [["port": 443, "protocol": "TCP", "nodePort": 30443]],
            ],
            "status": ["loadBalancer": [:]],
        ]
        #expect(
            cells(.service, pending).prefix(5) == ["lb", "LoadBalancer", "10.96.0.11", "<pending>", "443:30443/TCP"])
        var assigned = pending
        assigned.set(["status", "loadBalancer", "ingress"], [["ip": "192.168.1.5"]])
        #expect(cells(.service, assigned)[3] == "192.168.1.5")
        let headless: JSONValue = [
            "metadata": metadata("db", age: 5), "spec": ["type": "ClusterIP", "clusterIP": "None"],
        ]
        #expect(cells(.service, headless) == ["db", "ClusterIP", "None", "<none>", "<none>", "5s", "<none>"])
        let external: JSONValue = [
            "metadata": metadata("ext", age: 5), "spec": ["type": "ExternalName", "externalName": "example.com"],
        ]
        #expect(cells(.service, external)[3] == "example.com")
    }

    @Test func nodes() {
        let notReady: JSONValue = [
            "metadata": [
                "name": "box1", "creationTimestamp": ago(86400 * 120),
                "labels": [
                    "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "",
                    "kubernetes.io/role": "edge",
                ],
            ],
            "spec": ["unschedulable": true],
            "status": [
                "conditions": [["type": "MemoryPressure", "status": "False"], ["type": "Ready", "status": "False"]],
                "addresses": [
                    ["type": "InternalIP", "address": "10.0.0.1"], ["type": "Hostname", "address": "box1"],
                ],
                "nodeInfo": ["kubeletVersion": "v1.37.0-clusterbox", "osImage": "Debian GNU/Linux 12 (bookworm)"],
            ],
        ]
        #expect(
            cells(.node, notReady) == [
                "box1", "NotReady,SchedulingDisabled", "control-plane,edge,worker", "120d", "v1.37.0-clusterbox",
                "10.0.0.1", "<none>", "Debian GNU/Linux 12 (bookworm)", "<unknown>", "<unknown>",
            ])
        let ready: JSONValue = [
            "metadata": ["name": "box2", "creationTimestamp": ago(60)],
            "status": ["conditions": [["type": "Ready", "status": "True"]]],
        ]
        #expect(cells(.node, ready).prefix(3) == ["box2", "Ready", "<none>"])
        let unknown: JSONValue = ["metadata": ["name": "box3", "creationTimestamp": ago(60)]]
        #expect(cells(.node, unknown)[1] == "Unknown")
    }

    @Test func namespacesEndpointsAndSlices() {
        let namespace: JSONValue = [
            "metadata": ["name": "team-a", "creationTimestamp": ago(45)], "status": ["phase": "Active"],
        ]
        #expect(cells(.namespace, namespace) == ["team-a", "Active", "45s"])

        let endpoints: JSONValue = [
            "metadata": metadata("web", age: 10),
            "subsets": [
                [
                    "addresses": [["ip": "10.0.0.1"], ["ip": "10.0.0.2"]],
                    "ports": [["port": 80, "name": "http"], ["port": 443, "name": "https"]],
                ]
            ],
        ]
        #expect(cells(.endpoints, endpoints) == ["web", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...", "10s"])
        let small: JSONValue = [
            "metadata": metadata("v6", age: 10),
            "subsets": [["addresses": [["ip": "fd00::1"]], "ports": [["port": 80]]]],
        ]
        #expect(cells(.endpoints, small)[1] == "[fd00::1]:80")
        #expect(cells(.endpoints, ["metadata": metadata("none", age: 10)])[1] == "<none>")

        let slice: JSONValue = [
            "metadata": metadata("web-x7k2p", age: 10), "addressType": "IPv4",
            "ports": [["name": "http", "port": 80, "protocol": "TCP"]],
            "endpoints": [["addresses": ["10.0.0.1"]], ["addresses": ["10.0.0.2"]]],
        ]
        #expect(cells(.endpointSlice, slice) == ["web-x7k2p", "IPv4", "80", "10.0.0.1,10.0.0.2", "10s"])
        let emptySlice: JSONValue = ["metadata": metadata("e", age: 10), "addressType": "IPv4"]
        #expect(cells(.endpointSlice, emptySlice) == ["e", "IPv4", "<unset>", "<unset>", "10s"])
    }

    @Test func eventsAndConfigObjects() {
        let event: JSONValue = [
            "metadata": metadata("web-1.17a", age: 400), "type": "Warning", "reason": "BackOff",
            "involvedObject": ["kind": "Pod", "name": "web-1", "fieldPath": "spec.containers{app}"],
            "source": ["component": "kubelet", "host": "box1"], "message": "Back-off restarting failed container\n",
            "firstTimestamp": ago(400), "lastTimestamp": ago(30), "count": 5,
        ]
        #expect(
            cells(.event, event) == [
                "30s", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, box1",
                "Back-off restarting failed container", "6m40s", 5, "web-1.17a",
            ])
        let newAPI: JSONValue = [
            "metadata": metadata("e2", age: 60), "type": "Normal", "reason": "Scheduled",
            "involvedObject": ["kind": "Pod", "name": "web-2"], "reportingComponent": "default-scheduler",
            "eventTime": "2026-11-27T11:59:00.000000Z", "message": "ok",
        ]
        #expect(
            cells(.event, newAPI) == [
                "60s", "Normal", "Scheduled", "pod/web-2", "", "default-scheduler", "ok", "60s", 1, "e2",
            ])

        let configMap: JSONValue = [
            "metadata": metadata("cfg", age: 5), "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="],
        ]
        #expect(cells(.configMap, configMap) == ["cfg", 3, "5s"])
        let secret: JSONValue = [
            "metadata": metadata("tls", age: 5), "type": "kubernetes.io/tls", "data": ["tls.crt": "", "tls.key": ""],
        ]
        #expect(cells(.secret, secret) == ["tls", "kubernetes.io/tls", 2, "5s"])
        let account: JSONValue = ["metadata": metadata("default", age: 5)]
        #expect(cells(.serviceAccount, account) == ["default", 0, "5s"])
        let columns = KubeTables.table(
            .event, objects: [], resourceVersion: "1", continueToken: nil, includeObject: nil, now: now)[
                "columnDefinitions"]
        #expect(columns?.arrayValue?.last?["format"] == "name")
        #expect(columns?.arrayValue?.first?["name"] == "Last Seen")
    }
}

@Suite struct PresentDiscoveryTests {
    func resource(_ list: JSONValue, _ plural: String) -> JSONValue? {
        list["items"]?.arrayValue?.lazy.flatMap { $0["versions"]?.arrayValue ?? [] }
            .flatMap { $0["resources"]?.arrayValue ?? [] }.first { $0["resource"]?.stringValue == plural }
    }

    @Test func aggregatedCoreGroup() {
        let core = KubeDiscovery.aggregated(core: true)
        #expect(core["kind"] == "APIGroupDiscoveryList")
        #expect(core["apiVersion"] == "apidiscovery.k8s.io/v2")
        let items = core["items"]?.arrayValue ?? []
        #expect(items.count == 1)
        #expect(items.first?["metadata"] == ["creationTimestamp": .null])
        #expect(items.first?["versions"]?.arrayValue?.first?["version"] == "v1")
        #expect(items.first?["versions"]?.arrayValue?.first?["freshness"] == "Current")
        let pods = resource(core, "pods")
        #expect(pods?["shortNames"] == ["po"])
        #expect(pods?["categories"] == ["all"])
        #expect(pods?["singularResource"] == "pod")
        #expect(pods?["scope"] == "Namespaced")
        #expect(pods?["responseKind"] == ["group": "", "version": "v1", "kind": "Pod"])
        #expect(pods?["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        let subresources = pods?["subresources"]?.arrayValue ?? []
        #expect(subresources.map { $0["subresource"]?.stringValue ?? "" } == ["status", "log", "eviction", "binding"])
        #expect(subresources[1]["verbs"] == ["get"])
        #expect(subresources[1]["responseKind"] == ["group": "", "version": "v1", "kind": "Pod"])
        #expect(subresources[2]["responseKind"] == ["group": "policy", "version": "v1", "kind": "Eviction"])
        #expect(subresources[2]["verbs"] == ["create"])
        #expect(resource(core, "nodes")?["scope"] == "Cluster")
        #expect(resource(core, "secrets")?["shortNames"] == nil)
        let namespaces = resource(core, "namespaces")?["subresources"]?.arrayValue ?? []
        #expect(
            namespaces.last == [
                "subresource": "finalize", "responseKind": ["group": "", "version": "v1", "kind": "Namespace"],
                "verbs": ["update"],
            ])
        // `get all` order: pods, services, replicationcontrollers first.
        let allNames = (items.first?["versions"]?.arrayValue?.first?["resources"]?.arrayValue ?? [])
            .filter { $0["categories"] == ["all"] }.map { $0["resource"]?.stringValue ?? "" }
        #expect(allNames == ["pods", "services", "replicationcontrollers"])
        #expect(resource(core, "deployments") == nil)
    }

    @Test func aggregatedNamedGroups() {
        let apis = KubeDiscovery.aggregated(core: false)
        let items = apis["items"]?.arrayValue ?? []
        #expect(items.map { $0["metadata"]?["name"]?.stringValue ?? "" } == ["apps", "batch", "discovery.k8s.io"])
        let deployments = resource(apis, "deployments")
        #expect(deployments?["shortNames"] == ["deploy"])
        #expect(deployments?["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(
            deployments?["subresources"]
                == [
                    [
                        "subresource": "status",
                        "responseKind": ["group": "apps", "version": "v1", "kind": "Deployment"],
                        "verbs": ["get", "patch", "update"],
                    ],
                    [
                        "subresource": "scale",
                        "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"],
                        "verbs": ["get", "patch", "update"],
                    ],
                ])
        #expect(resource(apis, "endpointslices")?["categories"] == nil)
        #expect(resource(apis, "pods") == nil)
    }

    @Test func legacyShapes() {
        #expect(
            KubeDiscovery.apiVersions(serverAddress: "127.0.0.1:6443")
                == [
                    "kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"]],
                ])
        let groups = KubeDiscovery.apiGroupList()
        #expect(groups["kind"] == "APIGroupList")
        #expect(
            groups["groups"]?.arrayValue?.first
                == [
                    "name": "apps", "versions": [["groupVersion": "apps/v1", "version": "v1"]],
                    "preferredVersion": ["groupVersion": "apps/v1", "version": "v1"],
                ])
        #expect(KubeDiscovery.apiGroup("batch")?["kind"] == "APIGroup")
        #expect(KubeDiscovery.apiGroup("batch")?["preferredVersion"] == ["groupVersion": "batch/v1", "version": "v1"])
        #expect(KubeDiscovery.apiGroup("nosuch.io") == nil)
        #expect(KubeDiscovery.apiGroup("") == nil)

        let apps = KubeDiscovery.resourceList(group: "apps", version: "v1")
        #expect(apps?["groupVersion"] == "apps/v1")
        let entries = apps?["resources"]?.arrayValue ?? []
        #expect(
            entries.first { $0["name"] == "deployments/scale" } == [
                "name": "deployments/scale", "singularName": "deployment", "namespaced": true, "group": "autoscaling",
                "version": "v1",
                "kind": "Scale", "verbs": ["get", "patch", "update"],
            ])
        #expect(entries.first { $0["name"] == "deployments" }?["categories"] == ["all"])
        #expect(entries.first { $0["name"] == "deployments/status" }?["group"] == nil)
        let core = KubeDiscovery.resourceList(group: "", version: "v1")
        #expect(core?["groupVersion"] == "v1")
        let coreEntries = core?["resources"]?.arrayValue ?? []
        #expect(coreEntries.first { $0["name"] == "pods/log" }?["kind"] == "Pod")
        #expect(coreEntries.first { $0["name"] == "pods/eviction" }?["group"] == "policy")
        #expect(coreEntries.first { $0["name"] == "nodes" }?["namespaced"] == false)
        #expect(KubeDiscovery.resourceList(group: "apps", version: "v2") == nil)
        #expect(KubeDiscovery.resourceList(group: "nosuch", version: "v1") == nil)
    }
}

@Suite struct PresentOpenAPITests {
    @Test func indexHashesEveryDocument() throws {
        let paths = try #require(KubeOpenAPI.index()["paths"]?.objectValue)
        #expect(Set(paths.keys) == ["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/discovery.k8s.io/v1"])
        for (key, entry) in paths {
            let url = try #require(entry["serverRelativeURL"]?.stringValue)
            let document = try #require(KubeOpenAPI.document(key))
            let hash = KubeOpenAPI.hashText(document.text)
            #expect(url == "/openapi/v3/\(key)?hash=\(hash)")
            #expect(hash.count == 16)
            // The same document whichever way the route passes the path.
            #expect(KubeOpenAPI.document("/openapi/v3/\(key)?hash=\(hash)") == document)
            #expect(KubeOpenAPI.document("/" + key) == document)
        }
        #expect(KubeOpenAPI.hashText("a") != KubeOpenAPI.hashText("b"))
        #expect(KubeOpenAPI.document("apis/apps/v2") == nil)
        #expect(KubeOpenAPI.document("apis/policy/v1") == nil)
        #expect(KubeOpenAPI.document("") == nil)
    }

    @Test func everyKindHasAValidatingPatch() throws {
        for type in ResourceType.all {
            let key = String(type.groupVersionPath.dropFirst())
            let document = try #require(KubeOpenAPI.document(key))
            #expect(document["openapi"] == "3.0.0")
            #expect(document["components"]?["schemas"] != nil)
            let paths = try #require(document["paths"]?.objectValue)
            let objectPath =
                type.namespaced
                ? "\(type.groupVersionPath)/namespaces/{namespace}/\(type.plural)/{name}"
                : "\(type.groupVersionPath)/\(type.plural)/{name}"
            let item = try #require(paths[objectPath], "\(objectPath)")
            let gvk: JSONValue = [
                "group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind),
            ]
            let patch = try #require(item["patch"])
            #expect(patch["x-kubernetes-action"] == "patch")
            #expect(patch["x-kubernetes-group-version-kind"] == gvk)
            let parameters = patch["parameters"]?.arrayValue ?? []
            #expect(parameters.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" })
            #expect(item["get"]?["x-kubernetes-group-version-kind"] == gvk)
            #expect(item["put"]?["x-kubernetes-group-version-kind"] == gvk)
            #expect(item["delete"]?["x-kubernetes-group-version-kind"] == gvk)
            let collection = String(objectPath.dropLast("/{name}".count))
            #expect(paths[collection]?["post"]?["x-kubernetes-action"] == "post")
            #expect(paths[collection]?["post"]?["x-kubernetes-group-version-kind"] == gvk)
        }
        let apps = try #require(KubeOpenAPI.document("apis/apps/v1"))
        let scale = apps["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]?["patch"]
        #expect(
            scale?["x-kubernetes-group-version-kind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
        #expect(scale?["operationId"] == "patchAppsV1NamespacedDeploymentScale")
        let core = try #require(KubeOpenAPI.document("api/v1"))
        #expect(core["paths"]?["/api/v1/nodes/{name}"]?["patch"]?["operationId"] == "patchCoreV1Node")
        #expect(core["paths"]?["/api/v1/pods"]?["get"]?["x-kubernetes-action"] == "list")
    }
}
