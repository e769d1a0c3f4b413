import BoxCore
import BoxStore
import Logging
import Testing

@testable import BoxKube

/// An API over an in-memory store under a manual clock; tests create objects through the context (which fills the
/// cache the controllers read) and call `reconcile` themselves.
private struct ServiceCluster {
    let clock = ManualClock()
    let api: KubeAPI
    let context: ControllerContext

    init() async throws {
        api = KubeAPI(store: InMemoryStore(), clock: clock, admission: AdmitAll(), logger: Logger(label: "test"))
        context = ControllerContext(api: api, cache: ObjectCache(), clock: clock)
        try await api.bootstrap()
    }

    @discardableResult
    func create(_ type: ResourceType, _ object: JSONValue, namespace: String = "default") async throws -> JSONValue {
        try await context.create(type, namespace: namespace, object)
    }

    func get(_ type: ResourceType, _ name: String, namespace: String = "default") -> JSONValue? {
        context.cache.get(type, ObjectName(namespace: namespace, name: name))
    }

    /// A pod labelled `app: web` on `node`, with `ip` and readiness as its kubelet would report them.
    @discardableResult
    func pod(
        _ name: String, ip: String?, ready: Bool, node: String = "n1", labels: [String: String] = ["app": "web"],
        hostPorts: String? = nil
    ) async throws -> JSONValue {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)],
            "spec": [
                "nodeName": .string(node),
                "containers": [
                    [
                        "name": "main", "image": "nginx",
                        "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
                    ]
                ],
            ],
        ]
        pod.labels = labels
        if let hostPorts { pod.annotations = ["clusterbox.io/host-ports": hostPorts] }
        let created = try await create(.pod, pod)
        var status: JSONValue = [
            "phase": "Running",
            "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]],
        ]
        if let ip { status.set(["podIP"], .string(ip)) }
        return try await context.updateStatus(.pod, created, status: status)
    }

    func service(_ name: String, selector: [String: String]?, ports: [JSONValue]) -> JSONValue {
        var service: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": ["ports": .array(ports)],
        ]
        if let selector { service.set(["spec", "selector"], JSONValue(stringMap: selector)) }
        return service
    }

    func slices(of service: String) -> [JSONValue] {
        context.cache.list(
            .endpointSlice, namespace: "default",
            selector: LabelSelector(matchLabels: ["kubernetes.io/service-name": service]))
    }
}

private func ips(_ addresses: JSONValue?) -> [String] {
    (addresses?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
}

@Suite struct EndpointsControllerTests {
    let controller = EndpointsController()

    @Test func readyNotReadyTerminatingAndPortResolution() async throws {
        let cluster = try await ServiceCluster()
        try await cluster.pod("a", ip: "10.0.0.1", ready: true, hostPorts: #"{"8080": 31001}"#)
        try await cluster.pod("b", ip: "10.0.0.2", ready: false)
        try await cluster.pod("c", ip: nil, ready: true)  // no IP yet
        try await cluster.pod("d", ip: "10.0.0.4", ready: true, labels: ["app": "other"])
        let leaving = try await cluster.pod("e", ip: "10.0.0.5", ready: true)
        try await cluster.context.delete(.pod, leaving)  // bound to a node: marked, not gone
        #expect(cluster.get(.pod, "e")?.deletionTimestamp != nil)
        let service = try await cluster.create(
            .service,
            cluster.service(
                "web", selector: ["app": "web"],
                ports: [
                    ["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"],
                    ["name": "metrics", "port": 9090, "targetPort": 9100, "protocol": "TCP"],
                ]))
        #expect(
            controller.keys(for: try #require(cluster.get(.pod, "a")), of: .pod, cache: cluster.context.cache)
                == [ObjectName(of: service)])
        #expect(await controller.reconcile(ObjectName(of: service), context: cluster.context) == .done)
        let endpoints = try #require(cluster.get(.endpoints, "web"))
        let subsets = try #require(endpoints["subsets"]?.arrayValue)
        // Pod a maps 8080 to host port 31001; b has no annotation: the container port itself.
        #expect(subsets.count == 2)
        let first = subsets[0]
        #expect(ips(first["addresses"]) == ["10.0.0.1"])
        #expect(first["notReadyAddresses"] == nil)
        #expect(
            first["ports"]
                == [
                    ["name": "http", "port": 31001, "protocol": "TCP"],
                    ["name": "metrics", "port": 9100, "protocol": "TCP"],
                ])
        let address = try #require(first["addresses"]?.arrayValue?.first)
        #expect(address["nodeName"] == "n1")
        #expect(address["targetRef"]?["kind"] == "Pod")
        #expect(address["targetRef"]?["name"] == "a")
        #expect(address["targetRef"]?["uid"] == .string(try #require(cluster.get(.pod, "a")).uid))
        let second = subsets[1]
        #expect(second["addresses"] == nil)
        #expect(ips(second["notReadyAddresses"]) == ["10.0.0.2"])
        #expect(second["ports"]?.arrayValue?.first?["port"] == 8080)

        // A pod turning ready moves to addresses; the update is in place.
        let b = try #require(cluster.get(.pod, "b"))
        var status = try #require(b["status"])
        status.set(["conditions"], [["type": "Ready", "status": "True"]])
        try await cluster.context.updateStatus(.pod, b, status: status)
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        let updated = try #require(cluster.get(.endpoints, "web"))
        #expect(updated.uid == endpoints.uid)
        #expect(ips(updated["subsets"]?.arrayValue?[1]["addresses"]) == ["10.0.0.2"])

        // The Service goes: its Endpoints go.
        try await cluster.context.delete(.service, try #require(cluster.get(.service, "web")))
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        #expect(cluster.get(.endpoints, "web") == nil)
    }

    @Test func selectorlessServiceEndpointsAreLeftAlone() async throws {
        let cluster = try await ServiceCluster()
        try await cluster.pod("a", ip: "10.0.0.1", ready: true)
        let manual: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "external"],
            "subsets": [["addresses": [["ip": "192.0.2.1"]], "ports": [["port": 5432]]]],
        ]
        let written = try await cluster.create(.endpoints, manual)
        // Before its Service exists, and after.
        _ = await controller.reconcile(ObjectName(of: written), context: cluster.context)
        #expect(cluster.get(.endpoints, "external") == written)
        let service = try await cluster.create(
            .service, cluster.service("external", selector: nil, ports: [["port": 5432, "protocol": "TCP"]]))
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        #expect(cluster.get(.endpoints, "external") == written)
    }

    @Test func noMatchingPodsGiveEmptyEndpointsAndBadAnnotationsAreIgnored() async throws {
        let cluster = try await ServiceCluster()
        try await cluster.pod("a", ip: "10.0.0.1", ready: true, hostPorts: "not json")
        try await cluster.pod("b", ip: "10.0.0.2", ready: true, labels: ["app": "db"], hostPorts: #"{"8080": 70000}"#)
        let empty = try await cluster.create(
            .service, cluster.service("none", selector: ["app": "nothing"], ports: [["port": 80, "targetPort": 80]]))
        _ = await controller.reconcile(ObjectName(of: empty), context: cluster.context)
        let endpoints = try #require(cluster.get(.endpoints, "none"))
        #expect(endpoints["subsets"] == nil)
        let web = try await cluster.create(
            .service,
            cluster.service(
                "web", selector: ["app": "web"],
                ports: [["port": 80, "targetPort": 8080], ["name": "missing", "port": 81, "targetPort": "nope"]]))
        _ = await controller.reconcile(ObjectName(of: web), context: cluster.context)
        // Unparseable annotation: the container port; an unknown named port is left out, unnamed has no name key.
        #expect(
            cluster.get(.endpoints, "web")?["subsets"]?.arrayValue?.first?["ports"] == [
                ["port": 8080, "protocol": "TCP"]
            ])
        let db = try await cluster.create(
            .service, cluster.service("db", selector: ["app": "db"], ports: [["port": 80, "targetPort": 8080]]))
        _ = await controller.reconcile(ObjectName(of: db), context: cluster.context)
        // A host port out of range is ignored.
        #expect(
            cluster.get(.endpoints, "db")?["subsets"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["port"] == 8080)
    }
}

@Suite struct EndpointSliceControllerTests {
    let controller = EndpointSliceController()

    @Test func sliceCarriesConditionsPortsAndOwner() async throws {
        let cluster = try await ServiceCluster()
        try await cluster.pod("a", ip: "10.0.0.1", ready: true, hostPorts: #"{"8080": 31001}"#)
        try await cluster.pod("b", ip: "10.0.0.2", ready: false, hostPorts: #"{"8080": 31002}"#)
        let leaving = try await cluster.pod("c", ip: "10.0.0.3", ready: true, hostPorts: #"{"8080": 31003}"#)
        try await cluster.context.delete(.pod, leaving)
        let service = try await cluster.create(
            .service, cluster.service("web", selector: ["app": "web"], ports: [["port": 80, "targetPort": 8080]]))
        #expect(await controller.reconcile(ObjectName(of: service), context: cluster.context) == .done)
        let slices = cluster.slices(of: "web")
        #expect(slices.count == 3)  // three host ports: three port lists
        for slice in slices {
            #expect(slice.name.hasPrefix("web-") && slice.name.count == 9)
            #expect(slice["addressType"] == "IPv4")
            #expect(slice.labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io")
            #expect(slice.controllerReference?.uid == service.uid)
            #expect(slice.controllerReference?.kind == "Service")
            // `name` is present even for an unnamed port.
            #expect(slice["ports"]?.arrayValue?.first?["name"] == "")
        }
        func endpoint(_ ip: String) -> JSONValue? {
            slices.lazy.compactMap { $0["endpoints"]?.arrayValue?.first }.first {
                $0["addresses"] == [.string(ip)]
            }
        }
        #expect(endpoint("10.0.0.1")?["conditions"] == ["ready": true, "serving": true, "terminating": false])
        #expect(endpoint("10.0.0.2")?["conditions"] == ["ready": false, "serving": false, "terminating": false])
        #expect(endpoint("10.0.0.3")?["conditions"] == ["ready": false, "serving": true, "terminating": true])
        #expect(endpoint("10.0.0.1")?["nodeName"] == "n1")
        #expect(endpoint("10.0.0.1")?["targetRef"]?["name"] == "a")
        let portOfA = slices.first { $0["endpoints"]?.arrayValue?.first?["addresses"] == ["10.0.0.1"] }?["ports"]
        #expect(portOfA == [["name": "", "port": 31001, "protocol": "TCP"]])

        // A second pass changes nothing; pods gone leave one empty slice.
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        #expect(cluster.slices(of: "web").map(\.resourceVersion) == slices.map(\.resourceVersion))
        for name in ["a", "b", "c"] {
            try await cluster.context.delete(
                .pod, try #require(cluster.get(.pod, name)), options: DeleteOptions(gracePeriodSeconds: 0))
        }
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        let left = cluster.slices(of: "web")
        #expect(left.count == 1)
        #expect(left.first?["endpoints"] == [])
        #expect(
            controller.keys(for: try #require(left.first), of: .endpointSlice, cache: cluster.context.cache)
                == [ObjectName(of: service)])
    }

    /// 250 endpoints make three slices (100, 100, 50). Deleting 10 pods of the first slice rewrites only it; 30 new
    /// pods fill the slices' room, and no slice is made while one has room.
    @Test func slicesHoldAtMostAHundredEndpointsAndKeepTheirs() async throws {
        let cluster = try await ServiceCluster()
        func name(_ index: Int) -> String { "p" + String(1000 + index) }
        func ip(_ index: Int) -> String { "10.1.\(index / 200).\(index % 200 + 1)" }
        for index in 0..<250 { try await cluster.pod(name(index), ip: ip(index), ready: true) }
        let service = try await cluster.create(
            .service,
            cluster.service(
                "big", selector: ["app": "web"], ports: [["name": "web", "port": 80, "targetPort": "http"]]))
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        func sizes() -> [String: Int] {
            Dictionary(
                uniqueKeysWithValues: cluster.slices(of: "big").map {
                    ($0.name, $0["endpoints"]?.arrayValue?.count ?? 0)
                })
        }
        let first = cluster.slices(of: "big")
        #expect(sizes().values.sorted() == [50, 100, 100])
        let all = first.flatMap { EndpointSliceController.podNames($0) }
        #expect(Set(all).count == 250 && all.count == 250)

        let full = try #require(first.first { EndpointSliceController.podNames($0).contains(name(0)) })
        let removed = EndpointSliceController.podNames(full).sorted().prefix(10)
        for pod in removed {
            try await cluster.context.delete(
                .pod, try #require(cluster.get(.pod, pod)), options: DeleteOptions(gracePeriodSeconds: 0))
        }
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        let second = cluster.slices(of: "big")
        let rewritten = second.filter { slice in
            first.first { $0.name == slice.name }?.resourceVersion != slice.resourceVersion
        }
        #expect(rewritten.map(\.name) == [full.name])
        #expect(sizes()[full.name] == 90)

        for index in 250..<280 { try await cluster.pod(name(index), ip: ip(index), ready: true) }
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        // The two slices with room take them (in the cache's order, which follows the random names): no new slice.
        let third = sizes()
        #expect(Set(third.keys) == Set(first.map(\.name)), "\(third)")
        #expect(third.values.reduce(0, +) == 270 && third.values.allSatisfy { $0 <= 100 }, "\(third)")
    }

    @Test func packingKeepsEndpointsAndFillsRoom() {
        // The pure rule, with pods as names only.
        func backends(_ names: [String]) -> [ServiceBackend] {
            names.map { name in
                ServiceBackend(
                    pod: ["metadata": ["name": .string(name)]], ip: "10.0.0.1", nodeName: nil, ready: true,
                    terminating: false, ports: [])
            }
        }
        func names(_ chunks: [[ServiceBackend]]) -> [[String]] { chunks.map { $0.map(\.pod.name) } }
        #expect(names(EndpointSliceController.pack([], existing: [], limit: 2)) == [[]])
        #expect(
            names(EndpointSliceController.pack(backends(["a", "b", "c", "d", "e"]), existing: [], limit: 2))
                == [["a", "b"], ["c", "d"], ["e"]])
        #expect(
            names(
                EndpointSliceController.pack(
                    backends(["a", "b", "c", "d"]), existing: [["d", "x"], ["b"]], limit: 2))
                == [["d", "a"], ["b", "c"]])
        #expect(
            names(EndpointSliceController.pack(backends(["a"]), existing: [["x"], ["a"]], limit: 2))
                == [[], ["a"]])
    }

    @Test func namedPortsShareOneSliceAndSelectorlessServicesGetNone() async throws {
        let cluster = try await ServiceCluster()
        try await cluster.pod("a", ip: "10.0.0.1", ready: true)
        try await cluster.pod("b", ip: "10.0.0.2", ready: true)
        let service = try await cluster.create(
            .service,
            cluster.service(
                "web", selector: ["app": "web"], ports: [["name": "web", "port": 80, "targetPort": "http"]]))
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        let slices = cluster.slices(of: "web")
        #expect(slices.count == 1)
        #expect(slices.first?["ports"] == [["name": "web", "port": 8080, "protocol": "TCP"]])
        #expect(slices.first?["endpoints"]?.arrayValue?.count == 2)
        let plain = try await cluster.create(.service, cluster.service("plain", selector: nil, ports: [["port": 80]]))
        _ = await controller.reconcile(ObjectName(of: plain), context: cluster.context)
        #expect(cluster.slices(of: "plain").isEmpty)
        try await cluster.context.delete(.service, service)
        _ = await controller.reconcile(ObjectName(of: service), context: cluster.context)
        #expect(cluster.slices(of: "web").isEmpty)
    }
}

@Suite struct NodeLifecycleControllerTests {
    let controller = NodeLifecycleController(gracePeriod: .seconds(40), evictionTimeout: .seconds(30))

    func node(_ name: String, heartbeat: Instant) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)],
            "status": [
                "conditions": [
                    [
                        "type": "Ready", "status": "True", "reason": "KubeletReady",
                        "lastHeartbeatTime": .string(KubeTime.format(heartbeat)),
                        "lastTransitionTime": .string(KubeTime.format(heartbeat)),
                    ]
                ]
            ],
        ]
    }

    @Test func silentNodeIsMarkedUnknownTaintedAndItsPodsEvicted() async throws {
        let cluster = try await ServiceCluster()
        let created = try await cluster.create(.node, node("n1", heartbeat: cluster.clock.now), namespace: "")
        // The status subresource: write the conditions the kubelet would.
        let withStatus = try await cluster.context.updateStatus(
            .node, created, status: try #require(node("n1", heartbeat: cluster.clock.now)["status"]))
        let key = ObjectName(of: withStatus)
        try await cluster.pod("a", ip: "10.0.0.1", ready: true, node: "n1")
        try await cluster.pod("b", ip: "10.0.0.2", ready: true, node: "n2")

        #expect(
            await controller.reconcile(key, context: cluster.context)
                == .requeue(after: .seconds(40) + .milliseconds(1)))
        cluster.clock.advance(by: .seconds(39))
        _ = await controller.reconcile(key, context: cluster.context)
        #expect(cluster.get(.node, "n1", namespace: "")?[path: ["spec", "taints"]] == nil)

        cluster.clock.advance(by: .seconds(1))
        let result = await controller.reconcile(key, context: cluster.context)
        #expect(result == .requeue(after: .seconds(30)))
        let marked = try #require(cluster.get(.node, "n1", namespace: ""))
        let ready = try #require(marked[path: ["status", "conditions"]]?.arrayValue?.first)
        #expect(ready["status"] == "Unknown")
        #expect(ready["reason"] == "NodeStatusUnknown")
        #expect(ready["message"] == "Kubelet stopped posting node status.")
        #expect(ready["lastHeartbeatTime"] == .string(KubeTime.format(cluster.clock.now + .seconds(-40))))
        let taint = try #require(marked[path: ["spec", "taints"]]?.arrayValue?.first)
        #expect(taint["key"] == "node.kubernetes.io/unreachable")
        #expect(taint["effect"] == "NoExecute")
        let podReady = cluster.get(.pod, "a")?[path: ["status", "conditions"]]?.arrayValue?.first?["status"]
        #expect(podReady == "False")
        #expect(
            try await cluster.api.list(.event, namespace: "default").items.contains {
                $0["reason"] == "NodeNotReady" && $0[path: ["involvedObject", "name"]] == "n1"
            })

        // Within the eviction timeout the pods stay; after it, those of n1 go at once.
        cluster.clock.advance(by: .seconds(29))
        _ = await controller.reconcile(key, context: cluster.context)
        #expect(cluster.get(.pod, "a") != nil)
        cluster.clock.advance(by: .seconds(1))
        _ = await controller.reconcile(key, context: cluster.context)
        #expect(cluster.get(.pod, "a") == nil)
        #expect(try await cluster.api.list(.pod, namespace: "default").items.map(\.name) == ["b"])

        // The kubelet comes back: the taint goes.
        let current = try #require(cluster.get(.node, "n1", namespace: ""))
        try await cluster.context.updateStatus(
            .node, current, status: try #require(node("n1", heartbeat: cluster.clock.now)["status"]))
        _ = await controller.reconcile(key, context: cluster.context)
        #expect(cluster.get(.node, "n1", namespace: "")?[path: ["spec", "taints"]] == nil)
    }

    @Test func nodeThatNeverPostedStatusIsMarkedToo() async throws {
        let cluster = try await ServiceCluster()
        let created = try await cluster.create(
            .node, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "quiet"]], namespace: "")
        cluster.clock.advance(by: .seconds(40))
        _ = await controller.reconcile(ObjectName(of: created), context: cluster.context)
        let ready = cluster.get(.node, "quiet", namespace: "")?[path: ["status", "conditions"]]?.arrayValue?.first
        #expect(ready?["status"] == "Unknown")
        #expect(ready?["reason"] == "NodeStatusNeverUpdated")
        #expect(
            await controller.reconcile(ObjectName(namespace: "", name: "absent"), context: cluster.context) == .done)
    }
}
