import BoxCore

extension ServiceRegistry {
    /// The zones the DNS server answers from, for this state and these virtual services:
    /// - `mesos.` (Mesos-DNS): `ns1`, `leader`/`master` (A, and `_leader._tcp` SRV), `slave` and `AGENT.slave` A,
    ///   and for each ready task `TASK.FRAMEWORK` A, `_SERVICE._PROTO.FRAMEWORK` and
    ///   `_PORTNAME._SERVICE._PROTO.FRAMEWORK` SRV pointing at `TASK-HASH-AGENT.FRAMEWORK`, which has the task's A;
    /// - the VIP zone: `NAME.FRAMEWORK.l4lb.thisdcos.directory` A → the virtual IP;
    /// - the reverse zones of the VIP range and of the Kubernetes Service range: PTR for each virtual IP (and the
    ///   DNS server's address) and each cluster IP;
    /// - `cluster.local.`: Kubernetes Services (`clusterZone`).
    public func zones(virtualServices: [VirtualServiceEntry]) -> [DNSZone] {
        let marathon = virtualServices.filter { $0.namespace == nil }
        return [mesosZone(), vipZone(marathon)] + reverseZones(marathon) + [clusterZone()]
    }

    var nameServer: DNSName { configuration.mesosDomain.prepending("ns1")! }

    func soa(_ apex: DNSName) -> DNSSOA {
        DNSSOA(
            primaryServer: nameServer, responsibleMailbox: nameServer.prepending("root") ?? nameServer,
            serial: generation, minimumSeconds: configuration.ttlSeconds)
    }

    /// A zone of `records`, each once: tasks on one agent share its address, and an RRset holds no duplicates.
    func zone(_ apex: DNSName, _ records: [DNSRecord]) -> DNSZone {
        var seen: Set<DNSRecord> = []
        return DNSZone(
            apex: apex, soa: soa(apex), nameServers: [nameServer], records: records.filter { seen.insert($0).inserted },
            ttlSeconds: configuration.ttlSeconds)
    }

    func emptyZone(_ apex: DNSName) -> DNSZone { zone(apex, []) }

    func record(_ name: DNSName, _ data: DNSRecordData) -> DNSRecord {
        DNSRecord(name: name, ttlSeconds: configuration.ttlSeconds, data: data)
    }

    func mesosZone() -> DNSZone {
        let domain = configuration.mesosDomain
        var records: [DNSRecord] = [record(nameServer, .a(configuration.dnsAddress))]
        for name in ["leader", "master"] {
            records.append(record(domain.prepending(name)!, .a(configuration.masterAddress)))
        }
        if let leaderSRV = DNSName(labels: [Array("_leader".utf8), Array("_tcp".utf8)] + domain.labels) {
            records.append(
                record(
                    leaderSRV,
                    .srv(priority: 0, weight: 0, port: configuration.masterPort, target: domain.prepending("leader")!)))
        }
        let slave = domain.prepending("slave")!
        var agentAddresses: [IPv4Octets] = []
        for (name, address) in agents.values.sorted(by: { $0.name < $1.name }) {
            if !agentAddresses.contains(address) { agentAddresses.append(address) }
            if let named = slave.prepending(Self.label(name)) { records.append(record(named, .a(address))) }
        }
        records += agentAddresses.map { record(slave, .a($0)) }
        for task in sortedTasks where isReady(task) { records += taskRecords(task, domain: domain) }
        return zone(domain, records)
    }

    /// A task's A records and SRV records with their targets.
    func taskRecords(_ task: RegisteredTask, domain: DNSName) -> [DNSRecord] {
        guard let framework = domain.prepending(Self.label(task.framework)) else { return [] }
        let taskLabel = Self.label(task.name)
        guard let taskName = framework.prepending(taskLabel) else { return [] }
        let unique = String(
            "\(taskLabel)-\(Self.shortHash(task.key.taskID))-\(Self.label(task.agent))".prefix(DNSName.maxLabelLength))
        guard let target = framework.prepending(Self.label(unique)) else { return [] }
        var records = [record(taskName, .a(task.address)), record(target, .a(task.address))]
        let service = "_" + Self.label(task.serviceName ?? task.name)
        for port in task.ports {
            for proto in port.protocol.split(separator: ",").map({ "_" + $0.lowercased() }) {
                let srv = DNSRecordData.srv(priority: 0, weight: 1, port: port.number, target: target)
                if let name = framework.prepending(proto).flatMap({ $0.prepending(service) }) {
                    records.append(record(name, srv))
                    if let portName = port.name, let named = name.prepending("_" + Self.label(portName)) {
                        records.append(record(named, srv))
                    }
                }
            }
        }
        return records
    }

    /// The names a task answers to: its A name, and the SRV names of each port.
    public func dnsNames(of task: RegisteredTask) -> (name: DNSName?, srv: [UInt16: [DNSName]]) {
        let records = taskRecords(task, domain: configuration.mesosDomain)
        var srv: [UInt16: [DNSName]] = [:]
        for record in records {
            if case .srv(_, _, let port, _) = record.data { srv[port, default: []].append(record.name) }
        }
        return (records.first?.name, srv)
    }

    func vipZone(_ services: [VirtualServiceEntry]) -> DNSZone {
        var seen: Set<DNSName> = []
        var records: [DNSRecord] = []
        for service in services where seen.insert(service.dnsName).inserted {
            records.append(record(service.dnsName, .a(service.address)))
        }
        return zone(configuration.vipDomain, records)
    }

    /// `in-addr.arpa` zones: the VIP range's, with a PTR for each virtual IP (and the DNS server's address), and
    /// the Kubernetes Service range's (unless the VIP range's zone holds it) with a PTR for each cluster IP. A PTR
    /// that falls in neither range is left out.
    func reverseZones(_ services: [VirtualServiceEntry]) -> [DNSZone] {
        var records: [DNSRecord] = []
        var seen: Set<IPv4Octets> = []
        for service in services where seen.insert(service.address).inserted {
            records.append(record(Self.reverseName(service.address), .ptr(service.dnsName)))
        }
        if pool.contains(configuration.dnsAddress) {
            records.append(record(Self.reverseName(configuration.dnsAddress), .ptr(nameServer)))
        }
        seen.insert(configuration.dnsAddress)  // its PTR names the DNS server, whatever else claims the address
        records += kubePTRRecords().filter { !seen.contains(Self.address(ofReverseName: $0.name)) }
        var apexes = [Self.reverseApex(of: pool)]
        if let serviceApex = serviceIPPool.map(Self.reverseApex(of:)),
            !apexes.contains(where: { serviceApex.isSubdomain(of: $0) || $0.isSubdomain(of: serviceApex) })
        {
            apexes.append(serviceApex)
        }
        return apexes.map { apex in zone(apex, records.filter { $0.name.isSubdomain(of: apex) }) }
    }

    /// The `in-addr.arpa` apex of a range of whole octets: `96.127.in-addr.arpa.` for 127.96.0.0/16.
    static func reverseApex(of pool: VirtualIPPool) -> DNSName {
        let kept = pool.prefixLength / 8
        let octets = pool.network.bytes.prefix(kept).reversed().map { Array(String($0).utf8) }
        return DNSName(labels: octets + [Array("in-addr".utf8), Array("arpa".utf8)])!
    }

    /// The address a `d.c.b.a.in-addr.arpa.` name stands for (0.0.0.0 for anything else).
    static func address(ofReverseName name: DNSName) -> IPv4Octets {
        let octets = name.labels.prefix(4).reversed().compactMap { UInt8(String(decoding: $0, as: UTF8.self)) }
        guard octets.count == 4 else { return IPv4Octets(0, 0, 0, 0) }
        return IPv4Octets(octets[0], octets[1], octets[2], octets[3])
    }

    static func reverseName(_ address: IPv4Octets) -> DNSName {
        DNSName(
            labels: address.bytes.reversed().map { Array(String($0).utf8) } + [
                Array("in-addr".utf8), Array("arpa".utf8),
            ])!
    }

    /// A DNS label from a name as Mesos-DNS makes one: lowercase letters, digits and hyphens (`web.prod` →
    /// `web-prod`), no hyphen at either end, at most 63 characters; "x" when nothing is left.
    public static func label(_ text: String) -> String {
        var characters = text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }
        while characters.first == "-" { characters.removeFirst() }
        while characters.last == "-" { characters.removeLast() }
        let label = String(characters.prefix(DNSName.maxLabelLength))
        let trimmed = label.hasSuffix("-") ? String(label.reversed().drop { $0 == "-" }.reversed()) : label
        return trimmed.isEmpty ? "x" : trimmed
    }

    /// Five base-36 characters from the task id, so SRV targets of tasks with one name differ.
    static func shortHash(_ text: String) -> String {
        var value = StableHash.fnv1a(text)
        var characters: [Character] = []
        let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        for _ in 0..<5 {
            characters.append(digits[Int(value % 36)])
            value /= 36
        }
        return String(characters)
    }
}

extension ServiceRegistry {
    /// The `/etc/resolv.conf` a container gets: the cluster DNS (which forwards other names), and the search
    /// domains of Kubernetes (for pods of `namespace`) and Mesos-DNS, so `web` and `web-prod.marathon` resolve.
    /// resolv.conf has no port: it names the server on port 53.
    public func resolvConf(namespace: String = "default") -> String {
        let cluster = configuration.clusterDomain.description.dropLast()
        let search = ["\(namespace).svc.\(cluster)", "svc.\(cluster)", "\(cluster)", "marathon.mesos"]
        return """
            nameserver \(configuration.dnsAddress)
            search \(search.joined(separator: " "))
            options ndots:5

            """
    }
}
