import BoxCore
import BoxMarathon
import BoxMaster
import Testing

@testable import BoxServer

/// The timeline's sentences: each master event kind told by the right component with names instead of ids,
/// resources as a person says them, Marathon deployments and Kubernetes Events, service changes; ids stand in
/// for unknown names, and objects that are not Events give no sentence.
@Suite struct DashboardNarratorTests {
    let now = Instant(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    let names = TimelineNarrator.Names(
        frameworks: ["fw-1": "marathon", "fw-2": "kubernetes"], agents: ["a-2": "agent-2"])
    let twoCPUs = Resources(cpus: 2, memoryMiB: 1024)

    func say(
        _ kind: ClusterEvent.Kind, framework: String = "fw-1", message: String = "", task: String? = nil,
        state: TaskState? = nil, resources: Resources? = nil
    ) -> TimelineNarrator.Sentence {
        TimelineNarrator.sentence(
            for: ClusterEvent(
                kind, time: now, frameworkID: FrameworkID(framework), agentID: AgentID("a-2"),
                taskID: task.map { TaskID($0) }, state: state, resources: resources, message: message),
            names: names)
    }

    @Test func masterEvents() {
        let offer = say(.offer, resources: twoCPUs)
        #expect(offer.component == "master")
        #expect(offer.text == "the master offered agent-2 ⟨2 cpus, 1 GiB⟩ to marathon")
        #expect(offer.time == 1_700_000_000)

        let launch = say(.launch, task: "web.3", resources: Resources(cpus: 0.5, memoryMiB: 128))
        #expect(launch.component == "marathon")
        #expect(launch.text == "marathon launched web.3 on agent-2 ⟨0.5 cpus, 128 MiB⟩")

        let decline = say(.decline, message: "declined, refusing agent-2 for 5 s", resources: twoCPUs)
        #expect(decline.text == "marathon declined agent-2 ⟨2 cpus, 1 GiB⟩ for 5 s")

        let accept = say(.accept, message: "marathon accepted agent-2: launched web.1, web.2", resources: twoCPUs)
        #expect(accept.text == "marathon accepted agent-2 ⟨2 cpus, 1 GiB⟩: launched web.1, web.2")

        let rescind = say(.rescind, message: "rescinded: agent removed")
        #expect(rescind.component == "master")
        #expect(rescind.text == "the master rescinded the offer of agent-2 to marathon (agent removed)")

        let update = say(.taskUpdate, task: "web.3", state: .running)
        #expect(update.text == "web.3 of marathon is running on agent-2")
        let failed = say(.taskUpdate, message: "exit 1", task: "web.3", state: .failed)
        #expect(failed.text == "web.3 of marathon is failed on agent-2 (exit 1)")
    }

    /// The Kubernetes framework's launches are the scheduler's.
    @Test func kubernetesFrameworkIsTheScheduler() {
        let launch = say(.launch, framework: "fw-2", task: "pod-abc", resources: Resources(cpus: 1, memoryMiB: 64))
        #expect(launch.component == "scheduler")
        #expect(launch.text == "kubernetes launched pod-abc on agent-2 ⟨1 cpu, 64 MiB⟩")
    }

    /// Ids stand in for names the narrator does not know.
    @Test func unknownNamesFallBackToIDs() {
        let sentence = TimelineNarrator.sentence(
            for: ClusterEvent(.offer, time: now, frameworkID: "fw-9", agentID: "a-9", resources: twoCPUs),
            names: TimelineNarrator.Names())
        #expect(sentence.text == "the master offered a-9 ⟨2 cpus, 1 GiB⟩ to fw-9")
        let bare = TimelineNarrator.sentence(for: ClusterEvent(.agentAdded, time: now), names: names)
        #expect(bare.text == "an agent joined")
    }

    @Test(arguments: [
        (Resources(cpus: 2, memoryMiB: 1024), "2 cpus, 1 GiB"),
        (Resources(cpus: 1, memoryMiB: 1536), "1 cpu, 1.5 GiB"),
        (
            Resources(cpus: 0.25, memoryMiB: 32, diskMiB: 2048, ports: PortRanges([31000...31001])),
            "0.25 cpus, 32 MiB, 2 GiB disk, 2 ports"
        ),
    ])
    func resourcesInWords(resources: Resources, words: String) {
        #expect(TimelineNarrator.describe(resources) == words)
    }

    @Test func marathonDeployments() throws {
        let app = try PathID("/web")
        let deployment = Deployment(
            id: "1234567890ab", version: now, steps: [[.init(.scale, app)]], original: [], target: [])
        let info = try #require(TimelineNarrator.sentence(for: .deploymentInfo(deployment), at: now))
        #expect(info.component == "marathon")
        #expect(info.text == "marathon deployment 12345678: step 1 of 1, scale /web")
        let done = try #require(TimelineNarrator.sentence(for: .deploymentSuccess(deployment), at: now))
        #expect(done.text == "marathon finished deploying /web")
        #expect(TimelineNarrator.sentence(for: .groupChangeSuccess(version: now), at: now) == nil)
    }

    @Test func kubernetesEvents() throws {
        let event: JSONValue = [
            "reason": "SuccessfulCreate", "message": "Created pod: web-7f9c",
            "source": ["component": "replicaset-controller"],
            "involvedObject": ["kind": "ReplicaSet", "name": "web-5d8"],
        ]
        let sentence = try #require(TimelineNarrator.sentence(forKubeEvent: event, time: 12))
        #expect(sentence.component == "kubernetes/replicaset-controller")
        #expect(sentence.text == "the replicaset controller created pod: web-7f9c (replicaset web-5d8)")
        #expect(sentence.time == 12)
        let bound: JSONValue = [
            "reason": "Scheduled", "message": "Successfully assigned default/web-7f9c to sim-1",
            "source": ["component": "default-scheduler"], "involvedObject": ["kind": "Pod", "name": "web-7f9c"],
        ]
        let scheduled = try #require(TimelineNarrator.sentence(forKubeEvent: bound, time: 13))
        #expect(scheduled.component == "scheduler")
        #expect(
            scheduled.text == "the default scheduler successfully assigned default/web-7f9c to sim-1 (pod web-7f9c)")
        // Not an Event: no reason, no sentence.
        #expect(TimelineNarrator.sentence(forKubeEvent: ["metadata": ["name": "x"]], time: 0) == nil)
        #expect(TimelineNarrator.sentence(forKubeEvent: .string("garbage"), time: 0) == nil)
    }

    @Test func serviceChanges() {
        func service(_ name: String, _ endpoints: [String]) -> DashboardSnapshot.Service {
            DashboardSnapshot.Service(
                name: name, framework: "marathon", dns: "\(name).marathon.l4lb.thisdcos.directory",
                vip: "127.1.0.1", port: 80, listening: true, connections_total: 0, connections_active: 0,
                endpoints: endpoints)
        }
        let before = [service("web", ["127.0.0.1:10001"]), service("old", [])]
        let after = [service("web", ["127.0.0.1:10001", "127.0.0.1:10002"]), service("api", ["127.0.0.1:10003"])]
        let lines = TimelineNarrator.sentences(services: before, after, time: 5).map(\.text)
        #expect(
            lines == [
                "discovery added api.marathon.l4lb.thisdcos.directory → 127.1.0.1:80 with 1 endpoint",
                "discovery removed old.marathon.l4lb.thisdcos.directory (127.1.0.1:80)",
                "discovery: web.marathon.l4lb.thisdcos.directory now has 2 endpoints",
            ])
        #expect(TimelineNarrator.sentences(services: after, after, time: 5).isEmpty)
    }

    /// A busy frame keeps the newest lines and says how many it left out.
    @Test func busyFramesAreCapped() {
        let lines = (0..<250).map { TimelineNarrator.Sentence(time: Double($0), component: "master", text: "\($0)") }
        let capped = DashboardFeed.capped(lines, dropped: 7)
        #expect(capped.count == DashboardFeed.linesPerFrame + 1)
        #expect(capped.first?.text == "… 57 more events")
        #expect(capped.last?.text == "249")
        #expect(DashboardFeed.capped(Array(lines.prefix(3)), dropped: 0).map(\.text) == ["0", "1", "2"])
    }
}
