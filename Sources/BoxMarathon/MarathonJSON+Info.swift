public import BoxCore

extension MarathonJSON {
    // MARK: - Info and leader (§8)

    /// `GET /v2/info`. The client dereferences `http_config`, `marathon_config` and `zookeeper_config`, so all
    /// three are always objects (ZooKeeper is not used: `{}`). `leader` is `host:port` of this API; the hostname
    /// and HTTP port in the config sections are taken from it. `frameworkID` is null until the framework has
    /// registered with the master.
    public static func infoJSON(frameworkID: String?, leader: String, master: String) -> JSONValue {
        let (hostname, port) = split(hostPort: leader)
        return [
            "name": "marathon", "version": "1.11.0", "buildref": "clusterbox", "elected": true,
            "leader": .string(leader),
            "frameworkId": frameworkID.map(JSONValue.string) ?? .null,
            "marathon_config": [
                "master": .string(master), "framework_name": "marathon", "hostname": .string(hostname),
                "local_port_min": 10000, "local_port_max": 20000, "failover_timeout": 604800, "checkpoint": true,
                "executor": "//cmd", "ha": false, "mesos_role": "*", "mesos_user": "root", "webui_url": nil,
                "features": [], "decline_offer_duration": 120000, "mesos_heartbeat_interval": 15000,
            ],
            "zookeeper_config": [:],
            "http_config": ["http_port": .int(port), "https_port": 8443],
            "event_subscriber": nil,
        ]
    }

    /// `GET /v2/leader`.
    public static func leaderJSON(_ leader: String) -> JSONValue { ["leader": .string(leader)] }

    /// `host:port` (IPv6 hosts in brackets) → host and port; port 8080 when absent or unreadable.
    static func split(hostPort: String) -> (String, Int) {
        guard let colon = hostPort.lastIndex(of: ":"), !hostPort[colon...].contains("]"),
            let port = Int(hostPort[hostPort.index(after: colon)...])
        else { return (hostPort, 8080) }
        var host = hostPort[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return (String(host), port)
    }

    // MARK: - Queue (§8)

    /// A `GET /v2/queue` item: strict keys `app count delay since processedOffersSummary lastUnusedOffers`
    /// (`overdue` lives in `delay`; no `role`). `rejectSummary` lists, per reason Marathon names
    /// (`InsufficientMemory`, `UnfulfilledConstraint`…), how many of the last offers declined for it.
    /// `lastUnusedOffers` is shown only when given (`embed=lastUnusedOffers`); each `offer` is passed through.
    public static func queueItemJSON(
        app: App, count: Int, since: Instant, delaySecondsLeft: Int, overdue: Bool,
        processedOffers: Int = 0, unusedOffers: Int = 0,
        rejectSummary: [(reason: String, declined: Int, processed: Int)] = [],
        lastUnusedOffers: [(offer: JSONValue, reasons: [String], timestamp: Instant)]? = nil
    ) -> JSONValue {
        var json: [String: JSONValue] = [
            "app": appJSON(app),
            "count": .int(count),
            "delay": ["timeLeftSeconds": .int(max(0, delaySecondsLeft)), "overdue": .bool(overdue)],
            "since": time(since),
            "processedOffersSummary": [
                "processedOffersCount": .int(processedOffers), "unusedOffersCount": .int(unusedOffers),
                "rejectSummaryLastOffers": .array(
                    rejectSummary.map {
                        ["reason": .string($0.reason), "declined": .int($0.declined), "processed": .int($0.processed)]
                    }),
            ],
        ]
        if let lastUnusedOffers {
            json["lastUnusedOffers"] = .array(
                lastUnusedOffers.map {
                    [
                        "offer": $0.offer, "reason": .array($0.reasons.map(JSONValue.string)),
                        "timestamp": time($0.timestamp),
                    ]
                })
        }
        return .object(json)
    }
}
