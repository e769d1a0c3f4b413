import BoxCore
import Foundation

extension MesosJSON {
    // MARK: - Encoding events

    /// One event as the JSON object Mesos sends, payload nested under the lower-cased type.
    static func encode(_ event: Event, master: MasterInfo) -> Object {
        switch event {
        case .subscribed(let frameworkID, let interval):
            return [
                "type": "SUBSCRIBED",
                "subscribed": [
                    "framework_id": ["value": frameworkID.value], "heartbeat_interval_seconds": interval,
                    "master_info": master.json,
                ] as Object,
            ]
        case .offers(let offers):
            return ["type": "OFFERS", "offers": ["offers": offers.map { offer($0, master: master) }] as Object]
        case .rescind(let offerID):
            return ["type": "RESCIND", "rescind": ["offer_id": ["value": offerID.value]] as Object]
        case .update(let status):
            return ["type": "UPDATE", "update": ["status": taskStatus(status)] as Object]
        case .message(let agentID, let data):
            return [
                "type": "MESSAGE",
                "message": [
                    "agent_id": ["value": agentID.value], "executor_id": ["value": "default"],
                    "data": Data(data).base64EncodedString(),
                ] as Object,
            ]
        case .failure(let agentID):
            return ["type": "FAILURE", "failure": ["agent_id": ["value": agentID.value]] as Object]
        case .error(let message):
            return ["type": "ERROR", "error": ["message": message] as Object]
        case .heartbeat:
            return ["type": "HEARTBEAT"]
        }
    }

    static func offer(_ offer: Offer, master: MasterInfo) -> Object {
        [
            "id": ["value": offer.id.value], "framework_id": ["value": offer.frameworkID.value],
            "agent_id": ["value": offer.agentID.value], "hostname": offer.hostname,
            "url": [
                "scheme": "http", "address": ["hostname": master.host, "ip": master.host, "port": master.port] as Object,
                "path": "/slave(1)",
            ] as Object,
            "allocation_info": ["role": "*"],
            "resources": resources(offer.resources),
            "attributes": offer.attributes.keys.sorted().map { key -> Object in
                ["name": key, "type": "TEXT", "text": ["value": offer.attributes[key]!]]
            },
        ]
    }

    static func resources(_ r: Resources) -> [Object] {
        var list: [Object] = []
        func scalar(_ name: String, _ value: Double) {
            list.append([
                "name": name, "type": "SCALAR", "scalar": ["value": value], "role": "*", "allocation_info": ["role": "*"],
            ])
        }
        if r.milliCPUs > 0 { scalar("cpus", r.cpus) }
        if r.memoryMiB > 0 { scalar("mem", Double(r.memoryMiB)) }
        if r.diskMiB > 0 { scalar("disk", Double(r.diskMiB)) }
        if r.gpus > 0 { scalar("gpus", Double(r.gpus)) }
        if !r.ports.isEmpty {
            list.append([
                "name": "ports", "type": "RANGES", "role": "*", "allocation_info": ["role": "*"],
                "ranges": ["range": r.ports.ranges.map { ["begin": Int($0.lowerBound), "end": Int($0.upperBound)] }],
            ])
        }
        return list
    }

    /// A status; `uuid` only when the update wants an acknowledgement, and then always with `agent_id`.
    static func taskStatus(_ status: TaskStatus) -> Object {
        var object: Object = [
            "task_id": ["value": status.taskID.value], "state": status.state.rawValue, "source": status.source.rawValue,
            "timestamp": status.timestamp.secondsSinceEpoch,
        ]
        if let agent = status.agentID { object["agent_id"] = ["value": agent.value] }
        if let message = status.message { object["message"] = message }
        if let reason = status.reason { object["reason"] = reason.rawValue }
        if let uuid = status.uuid, status.agentID != nil { object["uuid"] = Data(uuid.value.utf8).base64EncodedString() }
        return object
    }

    /// `length "\n" json`, the length in bytes.
    static func recordIO(_ object: Object) -> Data {
        if let json = jsonBytes(object) {
            assert(sameJSON(json, object), "jsonBytes and JSONSerialization disagree on \(object)")
            var record = Data("\(json.count)\n".utf8)
            record.append(contentsOf: json)
            return record
        }
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var record = Data("\(json.count)\n".utf8)
        record.append(json)
        return record
    }

    /// Debug builds check every record the writer makes against JSONSerialization's, as parsed JSON.
    private static func sameJSON(_ bytes: [UInt8], _ object: Object) -> Bool {
        guard let reference = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
            let mine = try? JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary,
            let theirs = try? JSONSerialization.jsonObject(with: reference) as? NSDictionary
        else { return false }
        return mine.isEqual(theirs)
    }
}

/// Who the master is, as `SUBSCRIBED.master_info` says it.
struct MasterInfo: Sendable {
    var id: String
    var host: String
    var port: Int

    var json: MesosJSON.Object {
        // `ip` is the IPv4 address as a little-endian uint32, as in Mesos' MasterInfo.
        let octets = host.split(separator: ".").compactMap { UInt32($0) }
        let ip = octets.count == 4 ? octets[0] | octets[1] << 8 | octets[2] << 16 | octets[3] << 24 : 0
        return [
            "id": id, "ip": ip, "port": port, "hostname": host, "version": MesosVersion.version,
            "address": ["hostname": host, "ip": host, "port": port] as MesosJSON.Object,
        ]
    }
}
