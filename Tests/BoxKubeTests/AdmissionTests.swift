import BoxCore
import BoxKube
import BoxStore
import Logging
import Synchronization
import Testing

/// Counts the ClusterIPs handed out, so tests see when admission allocates.
final class IPCounter: Sendable {
    let count = Mutex(0)

    func next(_ namespace: String, _ name: String) -> String? {
        count.withLock { value in
            value += 1
            return "10.96.0.\(value + 9)"
        }
    }
}

/// The defaults and validation of `DefaultAdmission`, kind by kind.
@Suite struct AdmissionTests {
    let ips = IPCounter()
    var admission: DefaultAdmission { DefaultAdmission(serviceIPs: { [ips] in ips.next($0, $1) }) }

    func admit(_ object: JSONValue, _ type: ResourceType, old: JSONValue? = nil) throws(KubeError) -> JSONValue {
        try admission.admit(object, old: old, type: type, statusOnly: false)
    }

    /// The causes of the Invalid error `body` throws, as `field: message` lines.
    func causes(_ body: () throws(KubeError) -> JSONValue) -> [String] {
        do {
            _ = try body()
            Issue.record("expected an Invalid error")
            return []
        } catch {
            #expect(error.code == 422)
            #expect(error.reason == "Invalid")
            return error.causes.map { "\($0.field): \($0.reason)" }
        }
    }

    static func container(_ name: String = "web", image: String = "nginx") -> JSONValue {
        ["name": .string(name), "image": .string(image)]
    }

    static func pod(_ containers: [JSONValue] = [container()]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "default", "uid": "u1"],
            "spec": ["containers": .array(containers)],
        ]
    }

    static func deployment(
        selector: JSONValue? = ["matchLabels": ["app": "web"]], podLabels: JSONValue = ["app": "web"]
    )
        -> JSONValue
    {
        var object: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "default"],
            "spec": ["template": ["metadata": ["labels": podLabels], "spec": ["containers": [container()]]]],
        ]
        if let selector { object.set(["spec", "selector"], selector) }
        return object
    }

    static func service(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"], "spec": spec]
    }

    static func job(restartPolicy: String? = "Never") -> JSONValue {
        var job: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "pi", "namespace": "default", "uid": "j-1"],
            "spec": ["template": ["spec": ["containers": [container("pi", image: "perl:5.34")]]]],
        ]
        if let restartPolicy { job.set(["spec", "template", "spec", "restartPolicy"], .string(restartPolicy)) }
        return job
    }

    // MARK: - Defaults

    @Test func podDefaultsAsKubernetes() throws {
        var pod = Self.pod([
            ["name": "a", "image": "nginx", "ports": [["containerPort": 80]]],
            ["name": "b", "image": "registry:5000/x/y:1.2", "livenessProbe": ["httpGet": ["port": 8080]]],
            ["name": "c", "image": "busybox:latest"],
        ])
        pod.set(["spec", "volumes"], [["name": "cfg", "configMap": ["name": "cfg"]]])
        let admitted = try admit(pod, .pod)
        let spec = try #require(admitted["spec"])
        #expect(spec["restartPolicy"] == "Always")
        #expect(spec["terminationGracePeriodSeconds"] == 30)
        #expect(spec["dnsPolicy"] == "ClusterFirst")
        #expect(spec["schedulerName"] == "default-scheduler")
        #expect(spec["serviceAccountName"] == "default")
        #expect(spec["securityContext"] == .object([:]))
        #expect(spec["enableServiceLinks"] == true)
        #expect(spec[path: ["volumes"]]?.arrayValue?.first?[path: ["configMap", "defaultMode"]] == 420)
        let containers = try #require(spec["containers"]?.arrayValue)
        #expect(containers.map { $0["imagePullPolicy"] } == ["Always", "IfNotPresent", "Always"])
        #expect(containers[0]["terminationMessagePath"] == "/dev/termination-log")
        #expect(containers[0]["terminationMessagePolicy"] == "File")
        #expect(containers[0]["resources"] == .object([:]))
        #expect(containers[0][path: ["ports"]]?.arrayValue?.first?["protocol"] == "TCP")
        #expect(containers[1][path: ["livenessProbe", "periodSeconds"]] == 10)
        #expect(containers[1][path: ["livenessProbe", "httpGet", "scheme"]] == "HTTP")
        #expect(admitted[path: ["status", "phase"]] == "Pending")
        #expect(admitted[path: ["status", "qosClass"]] == "BestEffort")
        // Defaulting a defaulted object changes nothing (no-op writes stay no-ops).
        #expect(try admit(admitted, .pod, old: admitted) == admitted)
    }

    @Test func qosClassFollowsRequestsAndLimits() throws {
        let limits: JSONValue = ["limits": ["cpu": "500m", "memory": "128Mi"]]
        let guaranteed = try admit(Self.pod([["name": "a", "image": "x", "resources": limits]]), .pod)
        #expect(guaranteed[path: ["status", "qosClass"]] == "Guaranteed")
        // Requests default to the limits.
        #expect(
            guaranteed["spec"]?["containers"]?.arrayValue?.first?[path: ["resources", "requests", "cpu"]] == "500m")
        let burstable = try admit(
            Self.pod([["name": "a", "image": "x", "resources": ["requests": ["cpu": "100m"]]]]), .pod)
        #expect(burstable[path: ["status", "qosClass"]] == "Burstable")
    }

    @Test func deploymentDefaults() throws {
        let admitted = try admit(Self.deployment(), .deployment)
        #expect(admitted[path: ["spec", "replicas"]] == 1)
        #expect(admitted[path: ["spec", "strategy", "type"]] == "RollingUpdate")
        #expect(admitted[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(admitted[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] == "25%")
        #expect(admitted[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(admitted[path: ["spec", "progressDeadlineSeconds"]] == 600)
        #expect(admitted[path: ["spec", "template", "spec", "restartPolicy"]] == "Always")
        #expect(admitted[path: ["spec", "template", "spec", "dnsPolicy"]] == "ClusterFirst")
        // Given values win.
        var recreate = Self.deployment()
        recreate.set(["spec", "strategy"], ["type": "Recreate"])
        recreate.set(["spec", "replicas"], 3)
        let admittedRecreate = try admit(recreate, .deployment)
        #expect(admittedRecreate[path: ["spec", "strategy"]] == ["type": "Recreate"])
        #expect(admittedRecreate[path: ["spec", "replicas"]] == 3)
    }

    @Test func replicationControllerSelectorDefaultsToTemplateLabels() throws {
        let rc: JSONValue = [
            "metadata": ["name": "rc", "namespace": "default"],
            "spec": ["template": ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [Self.container()]]]],
        ]
        let admitted = try admit(rc, .replicationController)
        #expect(admitted[path: ["spec", "selector"]] == ["app": "x"])
        #expect(admitted.labels == ["app": "x"])
        #expect(admitted[path: ["spec", "replicas"]] == 1)
        let rs = try admit(
            ["metadata": ["name": "rs"], "spec": (Self.deployment()["spec"] ?? .null)], .replicaSet)
        #expect(rs[path: ["spec", "replicas"]] == 1)
    }

    @Test func jobDefaultsSelectorAndLabels() throws {
        let admitted = try admit(Self.job(), .job)
        let spec = try #require(admitted["spec"])
        #expect(spec["parallelism"] == 1)
        #expect(spec["completions"] == 1)
        #expect(spec["backoffLimit"] == 6)
        #expect(spec["completionMode"] == "NonIndexed")
        #expect(spec["suspend"] == false)
        #expect(spec["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": "j-1"]])
        #expect(
            spec[path: ["template", "metadata", "labels"]]?.stringMap == [
                "batch.kubernetes.io/controller-uid": "j-1", "controller-uid": "j-1",
                "batch.kubernetes.io/job-name": "pi", "job-name": "pi",
            ])
        // An update without the selector keeps it; changing it is rejected.
        var update = admitted
        update.set(["spec", "selector"], nil)
        #expect(try admit(update, .job, old: admitted)[path: ["spec", "selector"]] == spec["selector"])
        update.set(["spec", "selector"], ["matchLabels": ["other": "x"]])
        #expect(
            causes { () throws(KubeError) in try admit(update, .job, old: admitted) }.contains(
                "spec.selector: FieldValueInvalid"))
        // manualSelector: no generated selector.
        var manual = Self.job()
        manual.set(["spec", "manualSelector"], true)
        manual.set(["spec", "selector"], ["matchLabels": ["app": "pi"]])
        manual.set(["spec", "template", "metadata", "labels"], ["app": "pi"])
        let admittedManual = try admit(manual, .job)
        #expect(admittedManual[path: ["spec", "selector"]] == ["matchLabels": ["app": "pi"]])
        #expect(admittedManual[path: ["spec", "template", "metadata", "labels"]] == ["app": "pi"])
    }

    @Test func cronJobDefaults() throws {
        let cron: JSONValue = [
            "metadata": ["name": "c", "namespace": "default"],
            "spec": [
                "schedule": "*/1 * * * *",
                "jobTemplate": [
                    "spec": ["template": ["spec": ["restartPolicy": "OnFailure", "containers": [Self.container()]]]]
                ],
            ],
        ]
        let spec = try #require(try admit(cron, .cronJob)["spec"])
        #expect(spec["concurrencyPolicy"] == "Allow")
        #expect(spec["suspend"] == false)
        #expect(spec["successfulJobsHistoryLimit"] == 3)
        #expect(spec["failedJobsHistoryLimit"] == 1)
        // A schedule that does not parse is a field error, as upstream's validation makes it.
        var bad = cron
        bad.set(["spec", "schedule"], "61 * * * *")
        #expect(causes { () throws(KubeError) in try admit(bad, .cronJob) } == ["spec.schedule: FieldValueInvalid"])
    }

    @Test func serviceDefaultsAndClusterIP() throws {
        let admitted = try admit(Self.service(["selector": ["app": "web"], "ports": [["port": 80]]]), .service)
        let spec = try #require(admitted["spec"])
        #expect(spec["type"] == "ClusterIP")
        #expect(spec["sessionAffinity"] == "None")
        #expect(spec["clusterIP"] == "10.96.0.10")
        #expect(spec["clusterIPs"] == ["10.96.0.10"])
        #expect(spec["ipFamilies"] == ["IPv4"])
        #expect(spec["ipFamilyPolicy"] == "SingleStack")
        #expect(spec["internalTrafficPolicy"] == "Cluster")
        #expect(spec["ports"] == [["port": 80, "protocol": "TCP", "targetPort": 80]])
        #expect(admitted[path: ["status", "loadBalancer"]] == .object([:]))
        // Update without the address keeps it and allocates nothing; changing it is rejected.
        var update = admitted
        update.set(["spec", "clusterIP"], nil)
        update.set(["spec", "clusterIPs"], nil)
        #expect(try admit(update, .service, old: admitted) == admitted)
        #expect(ips.count.withLock { $0 } == 1)
        update.set(["spec", "clusterIP"], "10.96.0.99")
        #expect(
            causes { () throws(KubeError) in try admit(update, .service, old: admitted) } == [
                "spec.clusterIP: FieldValueInvalid"
            ])
    }

    @Test func headlessAndNodePortServices() throws {
        let headless = try admit(Self.service(["clusterIP": "None", "selector": ["app": "web"]]), .service)
        #expect(headless[path: ["spec", "clusterIPs"]] == ["None"])
        #expect(ips.count.withLock { $0 } == 0)
        #expect(
            causes { () throws(KubeError) in
                try admit(Self.service(["type": "NodePort", "ports": [["port": 80], ["port": 81]]]), .service)
            } == ["spec.ports[0].name: FieldValueRequired", "spec.ports[1].name: FieldValueRequired"])
        let named = try admit(
            Self.service(["type": "NodePort", "ports": [["name": "a", "port": 80], ["name": "b", "port": 81]]]),
            .service)
        let nodePorts = (named[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue }
        #expect(nodePorts.count == 2)
        #expect(Set(nodePorts).count == 2)
        #expect(nodePorts.allSatisfy { (30000...32767).contains($0) })
        #expect(named[path: ["spec", "externalTrafficPolicy"]] == "Cluster")
        // Deterministic.
        let again = try admit(
            Self.service(["type": "NodePort", "ports": [["name": "a", "port": 80], ["name": "b", "port": 81]]]),
            .service)
        #expect(again[path: ["spec", "ports"]] == named[path: ["spec", "ports"]])
    }

    @Test func exhaustedServiceRangeIsAnError() {
        let full = DefaultAdmission(serviceIPs: { _, _ in nil })
        #expect(throws: KubeError.internalError("failed to allocate a serviceIP: range is full")) {
            try full.admit(Self.service(["ports": [["port": 80]]]), old: nil, type: .service, statusOnly: false)
        }
        // An invalid Service is rejected before any address is taken.
        #expect(
            causes { () throws(KubeError) in try admit(Self.service([:]), .service) } == [
                "spec.ports: FieldValueRequired"
            ])
        #expect(ips.count.withLock { $0 } == 0)
    }

    @Test func namespaceAndSecretDefaults() throws {
        let ns = try admit(["metadata": ["name": "team-a"]], .namespace)
        #expect(ns[path: ["spec", "finalizers"]] == ["kubernetes"])
        #expect(ns[path: ["status", "phase"]] == "Active")
        #expect(ns.labels == ["kubernetes.io/metadata.name": "team-a"])
        let secret = try admit(["metadata": ["name": "s", "namespace": "default"]], .secret)
        #expect(secret["type"] == "Opaque")
    }

    // MARK: - Validation

    @Test func deploymentValidationListsEveryError() {
        var bad = Self.deployment(selector: nil)
        bad.set(["spec", "replicas"], -1)
        bad.set(
            ["spec", "template", "spec", "containers"],
            [
                ["name": "Bad_Name"], ["name": "x", "image": "a", "ports": [["containerPort": 70000]]],
                ["name": "x", "image": "b"],
            ])
        bad.set(["spec", "template", "spec", "restartPolicy"], "Never")
        #expect(
            causes { () throws(KubeError) in try admit(bad, .deployment) } == [
                "spec.replicas: FieldValueInvalid",
                "spec.selector: FieldValueRequired",
                "spec.template.spec.containers[0].name: FieldValueInvalid",
                "spec.template.spec.containers[0].image: FieldValueRequired",
                "spec.template.spec.containers[1].ports[0].containerPort: FieldValueInvalid",
                "spec.template.spec.containers[2].name: FieldValueDuplicate",
                "spec.template.spec.restartPolicy: FieldValueNotSupported",
            ])
        do {
            _ = try admit(Self.deployment(podLabels: ["app": "other"]), .deployment)
            Issue.record("expected an error")
        } catch {
            #expect(error.causes.map(\.field) == ["spec.template.metadata.labels"])
            #expect(error.causes.first?.message.hasSuffix("`selector` does not match template `labels`") == true)
            #expect(error.message.hasPrefix("Deployment.apps \"web\" is invalid: spec.template.metadata.labels"))
        }
        #expect(
            causes { () throws(KubeError) in try admit(Self.deployment(selector: ["matchLabels": [:]]), .deployment)
            } == ["spec.selector: FieldValueInvalid"])
    }

    @Test func podValidation() {
        #expect(
            causes { () throws(KubeError) in try admit(Self.pod([]), .pod) } == ["spec.containers: FieldValueRequired"])
        var pod = Self.pod([
            [
                "name": "a", "image": "host",
                "resources": ["requests": ["cpu": "2", "memory": "lots"], "limits": ["cpu": "500m"]],
                "ports": [["containerPort": 80, "protocol": "HTTP"]],
            ]
        ])
        pod.set(["spec", "restartPolicy"], "Sometimes")
        #expect(
            causes { () throws(KubeError) in try admit(pod, .pod) } == [
                "spec.containers[0].ports[0].protocol: FieldValueNotSupported",
                "spec.containers[0].resources.requests[memory]: FieldValueInvalid",
                "spec.containers[0].resources.requests[cpu]: FieldValueInvalid",
                "spec.restartPolicy: FieldValueNotSupported",
            ])
        // `image: host` is a valid image.
        #expect(throws: Never.self) { try admit(Self.pod([Self.container(image: "host")]), .pod) }
    }

    @Test func metadataValidation() {
        var pod = Self.pod()
        pod.set(["metadata", "name"], "Bad.Name")
        pod.set(["metadata", "labels"], ["ok": "fine", "bad key": "x", "v": "-bad-"])
        pod.set(["metadata", "annotations"], ["example.com/ok": "anything at all", "/nope": "x"])
        #expect(
            causes { () throws(KubeError) in try admit(pod, .pod) } == [
                "metadata.name: FieldValueInvalid", "metadata.labels: FieldValueInvalid",
                "metadata.labels: FieldValueInvalid", "metadata.annotations: FieldValueInvalid",
            ])
        // Namespaces and Services need DNS labels: no dots.
        #expect(
            causes { () throws(KubeError) in try admit(["metadata": ["name": "a.b"]], .namespace) } == [
                "metadata.name: FieldValueInvalid"
            ])
        #expect(MetadataValidation.qualifiedNameProblem("kubernetes.io/metadata.name") == nil)
        #expect(MetadataValidation.labelValueProblem(String(repeating: "a", count: 64)) != nil)
    }

    @Test func jobServiceAndConfigMapValidation() {
        #expect(
            causes { () throws(KubeError) in try admit(Self.job(restartPolicy: nil), .job) } == [
                "spec.template.spec.restartPolicy: FieldValueRequired"
            ])
        #expect(
            causes { () throws(KubeError) in try admit(Self.job(restartPolicy: "Always"), .job) } == [
                "spec.template.spec.restartPolicy: FieldValueNotSupported"
            ])
        #expect(
            causes { () throws(KubeError) in
                try admit(
                    Self.service(["type": "Magic", "ports": [["port": 0, "targetPort": "way-too-long-port-name"]]]),
                    .service)
            } == [
                "spec.type: FieldValueNotSupported", "spec.ports[0].port: FieldValueInvalid",
                "spec.ports[0].targetPort: FieldValueInvalid",
            ])
        #expect(
            causes { () throws(KubeError) in
                try admit(
                    ["metadata": ["name": "cm", "namespace": "default"], "data": ["ok.key": "1", "bad/key": "2"]],
                    .configMap)
            } == ["data: FieldValueInvalid"])
    }

    @Test func statusWritesSkipValidationAndUpdatesKeepImmutableFields() throws {
        var pod = Self.pod([])
        pod.set(["status", "phase"], "Running")
        let admitted = try admission.admit(pod, old: pod, type: .pod, statusOnly: true)
        #expect(admitted[path: ["status", "phase"]] == "Running")
        let stored = try admit(Self.pod(), .pod)
        var changed = stored
        // As `kubectl set image` sends it: only the image changes (the pull policy stays as stored).
        var containers = try #require(stored[path: ["spec", "containers"]]?.arrayValue)
        containers[0].set(["image"], "nginx:2")
        changed.set(["spec", "containers"], .array(containers))
        #expect(try admit(changed, .pod, old: stored)["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:2")
        changed.set(["spec", "restartPolicy"], "Never")
        #expect(
            causes { () throws(KubeError) in try admit(changed, .pod, old: stored) } == ["spec: FieldValueForbidden"])
        var deployment = try admit(Self.deployment(), .deployment)
        deployment.set(["spec", "selector", "matchLabels"], ["app": "web", "x": "y"])
        deployment.set(["spec", "template", "metadata", "labels"], ["app": "web", "x": "y"])
        #expect(
            causes { () throws(KubeError) in
                try admit(deployment, .deployment, old: try admit(Self.deployment(), .deployment))
            } == ["spec.selector: FieldValueInvalid"])
    }

    @Test func quantities() {
        #expect(Quantity.parse("500m") == 0.5)
        #expect(Quantity.parse("2") == 2)
        #expect(Quantity.parse("128Mi") == 134_217_728)
        #expect(Quantity.parse("1Gi") == 1_073_741_824)
        #expect(Quantity.parse("1.5G") == 1.5e9)
        #expect(Quantity.parse("2e3") == 2000)
        #expect(Quantity.parse(".5") == 0.5)
        #expect(Quantity.parse("-1k") == -1000)
        for bad in ["", "m", "1.2.3", "12MB", "1 Gi", "abc", "1e", "Mi"] {
            #expect(Quantity.parse(bad) == nil, "\(bad)")
        }
    }

    /// Through the API: an invalid create stores nothing, a valid one is stored defaulted.
    @Test func apiStoresOnlyAdmittedObjects() async throws {
        let api = KubeAPI(
            store: InMemoryStore(), clock: ManualClock(), admission: admission, logger: Logger(label: "t"))
        try await api.bootstrap()
        await #expect(throws: KubeError.self) {
            try await api.create(.deployment, namespace: "default", Self.deployment(selector: nil))
        }
        #expect(try await api.list(.deployment, namespace: "default").items.isEmpty)
        let created = try await api.create(.deployment, namespace: "default", Self.deployment())
        #expect(created[path: ["spec", "revisionHistoryLimit"]] == 10)
        #expect(try await api.get(.deployment, namespace: "default", name: "web")[path: ["spec", "replicas"]] == 1)
    }
}
