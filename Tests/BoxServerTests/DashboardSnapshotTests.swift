import BoxCore
import BoxMaster
import Foundation
import Testing

@testable import BoxServer

/// What the dashboard draws, from a master core driven directly: per agent and framework the resources used by
/// tasks and held in offers; each framework's dominant share; the tasks; then the frames after it carry only what
/// changed. Kubernetes objects become ownership trees, whatever shape their JSON has.
@Suite struct DashboardSnapshotTests {
    let now = Instant(nanosecondsSinceEpoch: 1_000_000_000_000)

    /// Two agents of 4 cpus / 4096 MiB; framework "web" gets offers of both (the allocator offers all of each
    /// agent to the only framework), launches one task of 1 cpu / 512 MiB on the first and declines the rest.
    func cluster() throws -> (core: MasterCore, web: FrameworkID, first: AgentID, second: AgentID) {
        var core = MasterCore(config: MasterConfig(masterID: "m"), now: now)
        func agent(_ host: String) throws -> AgentID {
            let registration = AgentRegistration(
                hostname: host, resources: Resources(cpus: 4, memoryMiB: 4096, ports: PortRanges([31000...31009])),
                kind: "simulated")
            return try #require(core.agentRegistered(registration, now: now).0)
        }
        let first = try agent("sim-1")
        let second = try agent("sim-2")
        let web = try #require(core.subscribe(FrameworkInfo(name: "web"), now: now).0)
        let offers = core.allocate(now: now).flatMap { effect -> [Offer] in
            if case .send(_, .offers(let batch)) = effect { return batch }
            return []
        }
        let offer = try #require(offers.first { $0.agentID == first })
        let task = TaskInfo(
            taskID: "web.1", name: "web", agentID: first,
            resources: Resources(cpus: 1, memoryMiB: 512, ports: PortRanges([31000...31000])))
        _ = core.handle(
            .accept(offerIDs: [offer.id], operations: [.launch([task])], filters: Filters(refuseSeconds: 5)), from: web,
            now: now)
        return (core, web, first, second)
    }

    @Test func resourcesPerAgentAndFramework() throws {
        let (core, web, first, second) = try cluster()
        let (frameworks, agents, tasks) = DashboardSnapshot.resources(of: core)
        #expect(agents.map(\.hostname) == ["sim-1", "sim-2"])
        let one = try #require(agents.first { $0.id == first.value })
        #expect(one.total == [4000, 4096, 0, 10])
        #expect(one.used == [web.value: [1000, 512, 0, 1]])
        #expect(one.offered.isEmpty, "the rest of sim-1 was declined for 5 s")
        #expect(one.tasks == 1)
        let two = try #require(agents.first { $0.id == second.value })
        #expect(two.used.isEmpty)
        #expect(two.offered == [web.value: [4000, 4096, 0, 10]], "sim-2 is still offered whole")
        #expect(tasks.map(\.key) == ["\(web.value)/web.1"])
        #expect(tasks.first?.state == "TASK_STAGING")
        #expect(tasks.first?.agent == first.value)
        let framework = try #require(frameworks.first)
        // Allocated: 1 cpu used + 4 offered of 8 cpus = 5/8; 512 + 4096 of 8192 MiB = 0.5625. Dominant: cpus.
        #expect(framework.dominant_resource == "cpus")
        #expect(abs(framework.dominant_share - 0.625) < 1e-9)
        #expect(framework.weight == 1 && framework.quota == "" && framework.tasks == 1)
    }

    /// The first diff after a snapshot is empty; a task update gives that task and its agent only; a task gone
    /// from the master is listed as removed.
    @Test func framesCarryOnlyChanges() throws {
        var (core, web, first, _) = try cluster()
        let (frameworks, agents, tasks) = DashboardSnapshot.resources(of: core)
        let snapshot = DashboardSnapshot(
            time: 0, total: DashboardSnapshot.vector(core.clusterTotal), frameworks: frameworks, agents: agents,
            tasks: tasks, apps: [], kube: [], services: [], timeline: [])
        var diff = DashboardDiff(snapshot)
        var same = DashboardDelta(time: 1)
        diff.resources(total: snapshot.total, frameworks: frameworks, agents: agents, tasks: tasks, into: &same)
        #expect(same.isEmpty)

        let running = TaskStatus(
            taskID: "web.1", state: .running, agentID: first, uuid: StatusUUID("u1"), timestamp: now)
        _ = core.statusUpdate(running, frameworkID: web, from: first, now: now)
        let after = DashboardSnapshot.resources(of: core)
        var delta = DashboardDelta(time: 2)
        diff.resources(
            total: snapshot.total, frameworks: after.frameworks, agents: after.agents, tasks: after.tasks, into: &delta)
        #expect(delta.tasks.map(\.state) == ["TASK_RUNNING"])
        #expect(delta.agents.isEmpty && delta.frameworks == nil && delta.total == nil)

        var gone = DashboardDelta(time: 3)
        diff.resources(total: [1, 2, 3, 4], frameworks: [], agents: [], tasks: [], into: &gone)
        #expect(gone.removed_tasks == ["\(web.value)/web.1"])
        #expect(gone.removed_agents.count == 2)
        #expect(gone.total == [1, 2, 3, 4] && gone.frameworks == [])

        // Sections: only the changed one is sent.
        var sections = DashboardDelta(time: 4)
        diff.sections(apps: [], kube: [], services: [], into: &sections)
        #expect(sections.isEmpty)
        let node = KubeTree.Node(
            kind: "Pod", namespace: "default", name: "p", labels: [:], selector: [:], status: "", children: [])
        diff.sections(apps: [], kube: [node], services: [], into: &sections)
        #expect(sections.kube == [node] && sections.apps == nil && sections.services == nil)
    }

    /// Between full comparisons a frame looks only at the rows events named: the same rows as the full pass
    /// gives for them, a task the master forgot listed as gone, an unknown agent skipped.
    @Test func rowsNamedByEvents() throws {
        let (core, web, first, second) = try cluster()
        let full = DashboardSnapshot.resources(of: core)
        let rows = DashboardSnapshot.rows(
            of: core, agents: [first, AgentID("no-such-agent")],
            tasks: [TaskRef(web, "web.1"), TaskRef(web, "web.gone")])
        #expect(rows.agents == full.agents.filter { $0.id == first.value })
        #expect(rows.tasks == full.tasks)
        #expect(rows.gone == ["\(web.value)/web.gone"])
        #expect(rows.frameworks == full.frameworks)
        #expect(DashboardSnapshot.rows(of: core, agents: [second], tasks: []).agents.first?.offered.isEmpty == false)

        // Applied to a diff that has seen web.1: only the gone task (known to the page) would be removed.
        let snapshot = DashboardSnapshot(
            time: 0, total: [1], frameworks: full.frameworks, agents: full.agents, tasks: full.tasks, apps: [],
            kube: [], services: [], timeline: [])
        var diff = DashboardDiff(snapshot)
        var delta = DashboardDelta(time: 1)
        diff.rows(
            total: [1], frameworks: rows.frameworks, agents: rows.agents, tasks: rows.tasks,
            gone: rows.gone + ["\(web.value)/web.1"], into: &delta)
        #expect(delta.removed_tasks == ["\(web.value)/web.1"])
        #expect(delta.agents.isEmpty && delta.tasks.isEmpty && delta.total == nil)
        #expect(diff.names().agents[first.value] == "sim-1")
        #expect(diff.names().frameworks[web.value] == "web")
    }

    /// Absent sections are left out of the JSON, so an idle frame is a few bytes.
    @Test func deltaJSONLeavesOutUnchangedSections() throws {
        var delta = DashboardDelta(time: 1)
        delta.timeline = [TimelineNarrator.Sentence(time: 1, component: "master", text: "hello")]
        let text = String(decoding: try JSONEncoder().encode(delta), as: UTF8.self)
        #expect(!text.contains("\"apps\"") && !text.contains("\"kube\"") && !text.contains("\"frameworks\""))
        #expect(text.contains("\"hello\""))
    }

    // MARK: - Kubernetes trees

    func object(
        _ name: String, uid: String, labels: [String: String] = [:], owner: String? = nil,
        extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "name": .string(name), "namespace": "default", "uid": .string(uid), "labels": JSONValue(stringMap: labels),
        ]
        if let owner { metadata["ownerReferences"] = [["uid": .string(owner), "kind": "X", "name": "x"]] }
        var members = extra
        members["metadata"] = .object(metadata)
        return .object(members)
    }

    @Test func ownershipTrees() throws {
        var objects = KubeTree.Objects()
        objects.deployments = [
            object(
                "web", uid: "d1", labels: ["app": "web"],
                extra: [
                    "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]]],
                    "status": ["readyReplicas": 1, "updatedReplicas": 2],
                ])
        ]
        objects.replicaSets = [object("web-7f9c", uid: "rs1", labels: ["app": "web"], owner: "d1")]
        objects.replicationControllers = [
            object("legacy", uid: "rc1", extra: ["spec": ["replicas": 1, "selector": ["app": "legacy"]]])
        ]
        objects.pods = [
            object(
                "web-7f9c-a", uid: "p1", labels: ["app": "web"], owner: "rs1",
                extra: ["status": ["phase": "Running"], "spec": ["nodeName": "sim-1"]]),
            object("legacy-b", uid: "p2", labels: ["app": "legacy"], owner: "rc1"),
            object("orphan", uid: "p3", owner: "deleted-owner"),
        ]
        objects.services = [
            object(
                "web", uid: "s1",
                extra: ["spec": ["clusterIP": "127.9.1.5", "ports": [["port": 80]], "selector": ["app": "web"]]])
        ]
        objects.endpoints = [
            object(
                "web", uid: "e1",
                extra: ["subsets": [["addresses": [["ip": "127.0.0.1"]], "ports": [["port": 10001]]]]])
        ]
        let trees = KubeTree.build(objects)
        #expect(
            trees.map { "\($0.kind) \($0.name)" } == [
                "Deployment web", "ReplicationController legacy", "Pod orphan", "Service web",
            ])
        let deployment = trees[0]
        #expect(deployment.status == "1/2 ready, 2 up to date")
        #expect(deployment.selector == ["app": "web"])
        #expect(deployment.children.map(\.name) == ["web-7f9c"])
        #expect(deployment.children[0].children.map(\.name) == ["web-7f9c-a"])
        #expect(deployment.children[0].children[0].status == "Running on sim-1")
        #expect(trees[1].children.map(\.name) == ["legacy-b"])
        #expect(trees[1].selector == ["app": "legacy"])
        #expect(trees[3].status == "127.9.1.5 80")
        #expect(trees[3].children.map(\.status) == ["127.0.0.1:10001"])
    }

    /// Objects without metadata or with odd fields still show, as roots with what is known.
    @Test func malformedObjectsAreRoots() {
        var objects = KubeTree.Objects()
        objects.pods = [.object([:]), ["metadata": ["name": "p", "ownerReferences": "not-a-list"]]]
        objects.services = [["metadata": ["name": "s"], "spec": ["ports": "x"]]]
        let trees = KubeTree.build(objects)
        #expect(trees.count == 3)
        #expect(trees.allSatisfy { $0.children.isEmpty })
        #expect(trees.first { $0.name == "p" }?.status == "Pending")
    }
}
