import BoxDiscovery

/// The zones the live-server tests serve: `mesos.` (three A records for web-prod, its SRV records with targets that
/// have A records, the leader, 60 A records for `big`), `cluster.local.`, and the reverse zone `96.127.in-addr.arpa.`.
enum ServerTestZones {
    static let webProd = [10, 11, 12].map { IPv4Octets(127, 96, 0, $0) }
    /// 60 A records take 60 × 16 = 960 octets: more than 512, so a reply without EDNS is truncated.
    static let bigCount = 60

    static let mesos = DNSZone(
        apex: "mesos",
        soa: DNSSOA(primaryServer: "ns1.mesos", responsibleMailbox: "root.ns1.mesos", serial: 7),
        nameServers: ["ns1.mesos"],
        records: [
            DNSRecord(name: "ns1.mesos", data: .a(IPv4Octets(127, 96, 0, 53))),
            DNSRecord(name: "leader.mesos", data: .a(IPv4Octets(127, 96, 0, 1))),
        ]
            + webProd.map { DNSRecord(name: "web-prod.marathon.mesos", data: .a($0)) }
            + webProd.indices.flatMap { index in
                [
                    DNSRecord(
                        name: "_web-prod._tcp.marathon.mesos",
                        data: .srv(
                            priority: 0, weight: 1, port: UInt16(31000 + index),
                            target: DNSName("web-prod-\(index).marathon.mesos")!)),
                    DNSRecord(name: DNSName("web-prod-\(index).marathon.mesos")!, data: .a(webProd[index])),
                ]
            }
            + (0..<bigCount).map { DNSRecord(name: "big.marathon.mesos", data: .a(IPv4Octets(127, 96, 1, UInt8($0)))) })

    static let cluster = DNSZone(
        apex: "cluster.local",
        soa: DNSSOA(primaryServer: "ns.cluster.local", responsibleMailbox: "root.cluster.local", serial: 3),
        nameServers: ["ns.cluster.local"],
        records: [DNSRecord(name: "api.default.svc.cluster.local", data: .a(IPv4Octets(127, 96, 2, 1)))])

    static let reverse = DNSZone(
        apex: "96.127.in-addr.arpa",
        soa: DNSSOA(primaryServer: "ns1.mesos", responsibleMailbox: "root.ns1.mesos", serial: 1),
        nameServers: ["ns1.mesos"],
        records: [DNSRecord(name: "10.0.96.127.in-addr.arpa", data: .ptr("web-prod-0.marathon.mesos"))])

    static func answerer(outsideZones: DNSZoneAnswerer.OutsideZones = .refuse) -> DNSZoneAnswerer {
        DNSZoneAnswerer(zones: [mesos, cluster, reverse], outsideZones: outsideZones)
    }
}
