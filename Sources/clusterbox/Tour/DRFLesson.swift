import BoxServer
import Foundation

/// Lesson 2: the DRF paper's example (Ghodsi et al., NSDI 2011, §4) live: 9 CPUs and 18 GB, framework A's tasks
/// need ⟨1 CPU, 4 GB⟩, B's ⟨3 CPU, 1 GB⟩. DRF ends with A running 3 tasks (dominant share memory 12/18 = 2/3) and
/// B 2 tasks (dominant share CPU 6/9 = 2/3): equal dominant shares. The lesson boots a private one-agent cluster
/// of exactly that size, because the example needs one pool of 9 CPUs and 18 GB and nothing else allocated.
struct DRFLesson: Lesson {
    let number = 2
    let title = "Dominant Resource Fairness (the DRF paper's example)"
    let summary = "two frameworks, ⟨1 CPU, 4 GB⟩ and ⟨3 CPU, 1 GB⟩ tasks on 9 CPUs / 18 GB, shares printed"

    /// A framework of the example: its task shape and what it has launched.
    struct Player {
        let label: String
        let cpus: Double
        let memMB: Double
        let framework: SchedulerFramework
        var launched = 0
    }

    func run(_ session: TourSession) throws {
        try session.step("Boot a 9 CPU / 18 GB cluster for the example")
        session.say(
            """
            DRF (Dominant Resource Fairness) gives each framework the resources it asks for in turn, always to the
            one whose *dominant share* is lowest; a dominant share is the largest fraction of any one resource it
            holds. The paper's example needs a single pool of 9 CPUs and 18 GB with nothing else allocated, so
            the lesson does not use your cluster (its agents are a different size, and its frameworks may hold
            resources): it boots a private one with one agent of cpus:9;mem:18432 (tasks are plain processes),
            in a temporary directory on free ports, and stops it at the end.
            """)
        let start = Date()
        let cluster = try PrivateCluster.start([
            "--agents", "1", "--executor", "process", "--agent-resources", "cpus:9;mem:18432;disk:1024",
        ])
        session.onCleanup("the lesson's cluster") { try cluster.stop() }
        let agents = try cluster.master.json(MasterAgents.self, "/master/slaves").slaves
        let cpus = agents.reduce(0) { $0 + $1.resources.cpus }
        let mem = agents.reduce(0) { $0 + $1.resources.mem }
        session.say("up in \(elapsed(since: start)): master \(cluster.info.masterURL), data \(cluster.directory)")
        session.check(
            "the cluster has 9 CPUs and 18 GB (18432 MB) in one agent",
            agents.count == 1 && cpus == 9 && mem == 18432,
            measured: "\(agents.count) agent(s), cpus \(cpus), mem \(Int(mem)) MB")

        try session.step("Two frameworks ask for tasks, one per offer")
        session.say(
            """
            Framework A (role drf-a) launches tasks of ⟨1 CPU, 4 GB⟩, framework B (role drf-b) ⟨3 CPU, 1 GB⟩.
            Each launches one task per offer and declines the rest at once, so the master decides the order.
            """)
        let host = cluster.info.host
        let port = cluster.info.masterPort
        var players = [
            Player(
                label: "A", cpus: 1, memMB: 4096,
                framework: try SchedulerFramework(host: host, port: port, name: "drf-a", role: "drf-a")),
            Player(
                label: "B", cpus: 3, memMB: 1024,
                framework: try SchedulerFramework(host: host, port: port, name: "drf-b", role: "drf-b")),
        ]
        for player in players {
            session.onCleanup("framework drf-\(player.label.lowercased())") { try player.framework.teardown() }
        }
        var freeCPUs = 9.0
        var freeMem = 18432.0
        let deadline = Date().addingTimeInterval(40)
        var order: [String] = []
        // Until neither shape fits into what is left (or 40 s pass).
        while Date() < deadline, players.contains(where: { freeCPUs >= $0.cpus && freeMem >= $0.memMB }) {
            var progressed = false
            for index in players.indices {
                guard let event = players[index].framework.nextEvent(["OFFERS"], timeoutSeconds: 0.05) else {
                    continue
                }
                progressed = true
                for offer in SchedulerFramework.offers(in: event) {
                    let player = players[index]
                    let fits =
                        OffersLesson.scalar(offer, "cpus") >= player.cpus - 0.001
                        && OffersLesson.scalar(offer, "mem") >= player.memMB - 0.001
                    guard fits, freeCPUs >= player.cpus, freeMem >= player.memMB else {
                        try player.framework.decline([OffersLesson.offerID(offer)], refuseSeconds: 0)
                        continue
                    }
                    try launch(player, offer, index: player.launched + 1)
                    players[index].launched += 1
                    freeCPUs -= player.cpus
                    freeMem -= player.memMB
                    order.append(player.label)
                    let shares = players.map { p in
                        let share = max(Double(p.launched) * p.cpus / 9, Double(p.launched) * p.memMB / 18432)
                        return "\(p.label) \(percent(share))"
                    }
                    session.say(
                        "offer → \(player.label): launches task \(player.label)\(players[index].launched) "
                            + "⟨\(Int(player.cpus)) CPU, \(Int(player.memMB / 1024)) GB⟩; dominant shares now "
                            + shares.joined(separator: ", "))
                }
            }
            if !progressed { usleep(20_000) }
        }
        session.say("order of launches: \(order.joined(separator: " "))")

        try session.step("The shares the master measured")
        session.say(
            """
            What is left (0 CPUs, 4 GB) fits neither shape: both decline it for an hour. Offered resources count
            as allocated until declined, so the shares are read once no offer is outstanding.
            """)
        let running = try poll(timeoutSeconds: 20, intervalSeconds: 0.2) { () -> SharesView? in
            for player in players {
                while let event = player.framework.nextEvent(["OFFERS"], timeoutSeconds: 0) {
                    try player.framework.decline(
                        SchedulerFramework.offers(in: event).map(OffersLesson.offerID), refuseSeconds: 3600)
                }
            }
            guard let view = try? cluster.master.json(SharesView.self, "/clusterbox/v1/shares") else { return nil }
            let ours = view.frameworks.filter { $0.name.hasPrefix("drf-") }
            let settled = ours.allSatisfy { abs($0.dominant_share - 2.0 / 3) < 0.005 && ($0.shares["disk"] ?? 0) == 0 }
            return ours.count == 2 && settled ? view : nil
        }
        let view = try running ?? cluster.master.json(SharesView.self, "/clusterbox/v1/shares")
        session.say("GET /clusterbox/v1/shares (cluster total \(view.total)):")
        for entry in view.frameworks.sorted(by: { $0.name < $1.name }) {
            let cpu = percent(entry.shares["cpus"] ?? 0)
            let memory = percent(entry.shares["mem"] ?? 0)
            session.say(
                "  \(entry.name.padding(toLength: 10, withPad: " ", startingAt: 0)) cpus \(cpu), mem \(memory), "
                    + "dominant \(percent(entry.dominant_share)) \(entry.dominant_resource)   allocated \(entry.allocated)"
            )
        }
        let a = view.frameworks.first { $0.name == "drf-a" }
        let b = view.frameworks.first { $0.name == "drf-b" }
        let state = try cluster.master.json(MesosState.self, "/master/state")
        let runningA = state.frameworks.first { $0.name == "drf-a" }?.tasks.filter { $0.state == "TASK_RUNNING" }
        let runningB = state.frameworks.first { $0.name == "drf-b" }?.tasks.filter { $0.state == "TASK_RUNNING" }
        session.check(
            "A runs 3 tasks and B 2, as in the paper",
            players[0].launched == 3 && players[1].launched == 2 && runningA?.count == 3 && runningB?.count == 2,
            measured: "launched A \(players[0].launched), B \(players[1].launched); TASK_RUNNING in /master/state: "
                + "A \(runningA?.count ?? 0), B \(runningB?.count ?? 0)")
        session.check(
            "A's dominant resource is memory at 12/18 = 66.7%",
            a?.dominant_resource == "mem" && abs((a?.dominant_share ?? 0) - 2.0 / 3) < 0.005,
            measured: a.map { "\($0.dominant_resource) \(percent($0.dominant_share))" } ?? "A missing")
        session.check(
            "B's dominant resource is CPU at 6/9 = 66.7%",
            b?.dominant_resource == "cpus" && abs((b?.dominant_share ?? 0) - 2.0 / 3) < 0.005,
            measured: b.map { "\($0.dominant_resource) \(percent($0.dominant_share))" } ?? "B missing")
        session.say(
            """
            DRF equalised the dominant shares (2/3 each) and all 9 CPUs are in use, so neither can grow without
            taking from the other. On your own cluster: clusterbox shares
            """)
    }

    /// ACCEPTs one offer with one `sleep` task of the player's shape; the rest of the offer is declined at once.
    private func launch(_ player: Player, _ offer: [String: Any], index: Int) throws {
        let task: [String: Any] = [
            "name": "drf-\(player.label.lowercased())-\(index)",
            "task_id": ["value": "drf-\(player.label.lowercased())-\(index)"],
            "agent_id": offer["agent_id"] ?? [:],
            "resources": [
                [
                    "name": "cpus", "type": "SCALAR", "scalar": ["value": player.cpus],
                    "allocation_info": ["role": player.framework.role],
                ],
                [
                    "name": "mem", "type": "SCALAR", "scalar": ["value": player.memMB],
                    "allocation_info": ["role": player.framework.role],
                ],
            ],
            "command": ["value": "sleep 600"],
        ]
        try player.framework.call(
            "ACCEPT",
            [
                "accept": [
                    "offer_ids": [["value": OffersLesson.offerID(offer)]],
                    "operations": [["type": "LAUNCH", "launch": ["task_infos": [task]]]],
                    "filters": ["refuse_seconds": 0],
                ]
            ])
    }
}
