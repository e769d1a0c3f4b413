import Foundation

/// Lesson 1: a framework of the tour's own subscribes over the scheduler HTTP API, watches offers arrive, declines
/// one agent with a 30 s filter (that agent stays away while the others come back), then REVIVEs it.
struct OffersLesson: Lesson {
    let number = 1
    let title = "Resource offers and two-level scheduling"
    let summary = "subscribe a framework, watch offers flow, decline one with a filter, revive"

    static let filterSeconds = 30.0
    static let watchSeconds = 4.0

    func run(_ session: TourSession) throws {
        try session.step("Subscribe a framework of our own")
        session.say(
            """
            Mesos is a distributed kernel: it does not run apps itself. A framework (Marathon, a Kubernetes
            scheduler, a batch system, or this tour) SUBSCRIBEs to the master and is offered resources. Here the
            tour subscribes "tour-offers" with role "tour" over POST /api/v1/scheduler, as pymesos would.
            """)
        let start = Date()
        let framework = try SchedulerFramework(
            host: session.info.host, port: session.info.masterPort, name: "tour-offers", role: "tour")
        session.onCleanup("framework tour-offers") { try framework.teardown() }
        session.say("SUBSCRIBED as \(framework.frameworkID) in \(elapsed(since: start))")
        let frameworks = try session.master.json(MasterFrameworks.self, "/master/frameworks").frameworks
        session.check(
            "the master lists the framework among its frameworks",
            frameworks.contains { $0.id == framework.frameworkID },
            measured: "\(frameworks.count) frameworks: " + frameworks.map(\.name).sorted().joined(separator: ", "))

        try session.step("Watch offers arrive")
        let declinedBefore = try Self.declinedOffers(session.master)
        let waitStart = Date()
        // An OFFERS event may hold no offer at all (Mesos allows it): wait for one that holds some.
        let offers =
            poll(timeoutSeconds: 20, intervalSeconds: 0) { () -> [[String: Any]]? in
                let remaining = 20 - Date().timeIntervalSince(waitStart)
                guard remaining > 0, let event = framework.nextEvent(["OFFERS"], timeoutSeconds: remaining) else {
                    return nil
                }
                let offers = SchedulerFramework.offers(in: event)
                return offers.isEmpty ? nil : offers
            } ?? []
        guard !offers.isEmpty else {
            session.check(
                "the master makes an offer within 20 s", false,
                measured: "no offer (are all agents' resources in use? see: clusterbox agents)")
            return
        }
        session.say("OFFERS after \(elapsed(since: waitStart)), \(offers.count) offer(s):")
        for offer in offers { session.say("  \(Self.describe(offer))") }
        let agents = try session.master.json(MasterAgents.self, "/master/slaves").slaves
        let fits = offers.allSatisfy { offer in
            guard let agent = agents.first(where: { $0.id == Self.agentID(offer) }) else { return false }
            return Self.scalar(offer, "cpus") <= agent.resources.cpus + 0.001
                && Self.scalar(offer, "mem") <= agent.resources.mem + 0.001
        }
        session.check(
            "each offer is part of one agent's resources (the master decides who gets them)", fits && !offers.isEmpty,
            measured: offers.map { "\(Self.hostname($0)): cpus \(Self.scalar($0, "cpus"))" }.joined(separator: ", "))

        try session.step("Decline one agent with a \(Int(Self.filterSeconds)) s filter")
        let target = offers[0]
        let targetAgent = Self.agentID(target)
        let targetName = Self.hostname(target)
        session.say(
            """
            The framework decides what to run, and here it runs nothing: it DECLINEs \(targetName) with
            refuse_seconds \(Int(Self.filterSeconds)) and the other offers with 1 s. The master then keeps
            \(targetName) from this framework for \(Int(Self.filterSeconds)) s, while the others come back.
            Watching for \(Int(Self.watchSeconds)) s…
            """)
        try framework.decline([Self.offerID(target)], refuseSeconds: Self.filterSeconds)
        try framework.decline(offers.dropFirst().map(Self.offerID), refuseSeconds: 1)
        var declined = offers.count
        var seen: [String: Int] = [:]
        let watchEnd = Date().addingTimeInterval(Self.watchSeconds)
        while Date() < watchEnd {
            guard let next = framework.nextEvent(["OFFERS"], timeoutSeconds: watchEnd.timeIntervalSinceNow)
            else { break }
            let more = SchedulerFramework.offers(in: next)
            for offer in more { seen[Self.hostname(offer), default: 0] += 1 }
            try framework.decline(
                more.filter { Self.agentID($0) != targetAgent }.map(Self.offerID), refuseSeconds: 1)
            try framework.decline(
                more.filter { Self.agentID($0) == targetAgent }.map(Self.offerID), refuseSeconds: Self.filterSeconds)
            declined += more.count
        }
        let summary =
            seen.isEmpty
            ? "no offers at all"
            : seen.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        session.say("offers in those \(Int(Self.watchSeconds)) s: \(summary)")
        session.check(
            "the declined agent \(targetName) is not offered again while its filter lasts", seen[targetName] == nil,
            measured: "\(seen[targetName] ?? 0) offers of \(targetName)")
        if offers.count > 1 {
            session.check(
                "the agents declined for 1 s are offered again", seen.keys.contains { $0 != targetName },
                measured: summary)
        }
        let declinedAfter = try Self.declinedOffers(session.master)
        session.check(
            "the master counted the declines (clusterbox_master_offers_total{result=\"declined\"})",
            declinedAfter - declinedBefore >= declined,
            measured: "+\(declinedAfter - declinedBefore) in all, \(declined) of them by this framework")

        try session.step("REVIVE clears the filter")
        session.say("REVIVE tells the master the framework wants offers again, filters included.")
        let reviveStart = Date()
        try framework.call("REVIVE")
        var revived: Double?
        while revived == nil, Date().timeIntervalSince(reviveStart) < 10 {
            guard let next = framework.nextEvent(["OFFERS"], timeoutSeconds: 10 - Date().timeIntervalSince(reviveStart))
            else { break }
            let more = SchedulerFramework.offers(in: next)
            if more.contains(where: { Self.agentID($0) == targetAgent }) {
                revived = Date().timeIntervalSince(reviveStart)
            }
            try framework.decline(more.map(Self.offerID), refuseSeconds: 5)
        }
        session.check(
            "after REVIVE \(targetName) is offered again, long before its \(Int(Self.filterSeconds)) s filter ends",
            revived != nil, measured: revived.map { String(format: "offered %.2f s after REVIVE", $0) } ?? "not in 10 s"
        )
        session.say(
            """
            That is two-level scheduling: level one, the master (DRF) decides which framework is offered which
            agent; level two, the framework decides what to launch on it, or declines. Watch every framework's
            offers live with: clusterbox offers --watch
            """)
    }

    // MARK: - Reading offers and metrics

    static func offerID(_ offer: [String: Any]) -> String { (offer["id"] as? [String: Any])?["value"] as? String ?? "" }
    static func agentID(_ offer: [String: Any]) -> String {
        (offer["agent_id"] as? [String: Any])?["value"] as? String ?? ""
    }
    static func hostname(_ offer: [String: Any]) -> String { offer["hostname"] as? String ?? agentID(offer) }

    /// The sum of a scalar resource in an offer.
    static func scalar(_ offer: [String: Any], _ name: String) -> Double {
        (offer["resources"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == name }
            .reduce(0) { $0 + (($1["scalar"] as? [String: Any])?["value"] as? Double ?? 0) }
    }

    static func describe(_ offer: [String: Any]) -> String {
        let id = offerID(offer).split(separator: "-").last.map(String.init) ?? offerID(offer)
        return "\(id): \(hostname(offer))  cpus \(scalar(offer, "cpus")), mem \(Int(scalar(offer, "mem"))) MB"
    }

    /// `clusterbox_master_offers_total{result="declined"}` from `/metrics`.
    static func declinedOffers(_ master: HTTPClient) throws -> Int {
        let text = try master.get("/metrics").text
        let line = text.split(separator: "\n").first {
            $0.hasPrefix("clusterbox_master_offers_total{result=\"declined\"}")
        }
        return line.flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? -1) } ?? 0
    }
}

/// `/master/frameworks`, the fields the tour reads.
struct MasterFrameworks: Decodable {
    struct Framework: Decodable {
        var id: String
        var name: String
    }
    var frameworks: [Framework]
}

/// `/master/slaves`, the fields the tour reads.
struct MasterAgents: Decodable {
    struct Agent: Decodable {
        struct Resources: Decodable {
            var cpus: Double
            var mem: Double
        }
        var id: String
        var hostname: String
        var resources: Resources
    }
    var slaves: [Agent]
}
