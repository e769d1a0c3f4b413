import BoxCore
import Foundation

/// The Mesos v1 JSON encoding of the scheduler messages (`../shared/reference/mesos-api.md`): proto field names,
/// enum names as strings, ids as `{"value": …}`, resources as a list of named SCALAR/RANGES values, and event
/// payloads nested under the lower-cased type name. Parsing is lenient (unknown fields are ignored); what cannot
/// be understood is a `MesosJSON.Failure` with a message for the 400 answer.
enum MesosJSON {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    typealias Object = [String: Any]

    // MARK: - Decoding calls

    /// A decoded scheduler call: SUBSCRIBE carries the framework info, every other call its framework id.
    enum Decoded {
        case subscribe(FrameworkInfo)
        case call(FrameworkID, Call)
        /// UPDATE_FRAMEWORK: new framework info for a subscribed framework (answered 200, not 202).
        case updateFramework(FrameworkID, FrameworkInfo)
        /// Calls that are valid but mean nothing here (REQUEST, inverse offers, operation reconciliation).
        case ignored(FrameworkID, String)
    }

    static func decodeCall(_ data: Data) throws -> Decoded {
        guard let body = try? JSONSerialization.jsonObject(with: data) as? Object else {
            throw Failure("Failed to parse body into Call: not a JSON object")
        }
        guard let type = body["type"] as? String else {
            throw Failure("Failed to validate scheduler::Call: Expecting 'type' to be present")
        }
        if type == "SUBSCRIBE" {
            guard let subscribe = body["subscribe"] as? Object, let info = subscribe["framework_info"] as? Object else {
                throw Failure("Failed to validate scheduler::Call: Expecting 'subscribe' to be present")
            }
            var framework = try frameworkInfo(info)
            if let id = id(body["framework_id"]) { framework.id = FrameworkID(id) }
            return .subscribe(framework)
        }
        guard let frameworkID = id(body["framework_id"]) else {
            throw Failure("Failed to validate scheduler::Call: Expecting 'framework_id' to be present")
        }
        let framework = FrameworkID(frameworkID)
        let payload = body[type.lowercased()] as? Object ?? [:]
        switch type {
        case "ACCEPT":
            let offers = (payload["offer_ids"] as? [Any] ?? []).compactMap(id).map(OfferID.init)
            let operations = try (payload["operations"] as? [Object] ?? []).compactMap(operation)
            return .call(
                framework, .accept(offerIDs: offers, operations: operations, filters: filters(payload["filters"])))
        case "DECLINE":
            let offers = (payload["offer_ids"] as? [Any] ?? []).compactMap(id).map(OfferID.init)
            return .call(framework, .decline(offerIDs: offers, filters: filters(payload["filters"])))
        case "REVIVE": return .call(framework, .revive)
        case "SUPPRESS": return .call(framework, .suppress)
        case "KILL":
            guard let task = id(payload["task_id"]) else {
                throw Failure("Failed to validate scheduler::Call: Expecting 'kill.task_id'")
            }
            return .call(framework, .kill(taskID: TaskID(task), agentID: id(payload["agent_id"]).map(AgentID.init)))
        case "ACKNOWLEDGE":
            guard let agent = id(payload["agent_id"]), let task = id(payload["task_id"]),
                let uuid = payload["uuid"] as? String
            else {
                throw Failure("Failed to validate scheduler::Call: 'acknowledge' needs agent_id, task_id and uuid")
            }
            return .call(
                framework, .acknowledge(agentID: AgentID(agent), taskID: TaskID(task), uuid: try statusUUID(uuid)))
        case "RECONCILE":
            let tasks = (payload["tasks"] as? [Object] ?? []).compactMap { id($0["task_id"]) }.map(TaskID.init)
            return .call(framework, .reconcile(tasks: tasks))
        case "MESSAGE":
            guard let agent = id(payload["agent_id"]) else {
                throw Failure("Failed to validate scheduler::Call: 'message' needs agent_id")
            }
            let data = (payload["data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
            return .call(framework, .message(agentID: AgentID(agent), data: Array(data)))
        case "TEARDOWN": return .call(framework, .teardown)
        case "UPDATE_FRAMEWORK":
            guard let info = payload["framework_info"] as? Object else {
                throw Failure("Failed to validate scheduler::Call: 'update_framework' needs framework_info")
            }
            var updated = try frameworkInfo(info)
            updated.id = framework
            return .updateFramework(framework, updated)
        case "REQUEST", "ACCEPT_INVERSE_OFFERS", "DECLINE_INVERSE_OFFERS", "RECONCILE_OPERATIONS",
            "ACKNOWLEDGE_OPERATION_STATUS", "SHUTDOWN":
            return .ignored(framework, type)
        default:
            throw Failure("Failed to validate scheduler::Call: unknown call type '\(type)'")
        }
    }

    static func frameworkInfo(_ info: Object) throws -> FrameworkInfo {
        guard let name = info["name"] as? String, !name.isEmpty else { throw Failure("FrameworkInfo.name is required") }
        let roles = info["roles"] as? [String] ?? []
        let role = roles.first ?? (info["role"] as? String) ?? "*"
        let capabilities = Set((info["capabilities"] as? [Object] ?? []).compactMap { $0["type"] as? String })
        let failover = number(info["failover_timeout"]) ?? 0
        return FrameworkInfo(
            name: name, role: role, weight: 1, user: info["user"] as? String ?? "nobody",
            hostname: info["hostname"] as? String, failoverTimeoutSeconds: max(0, failover),
            partitionAware: capabilities.contains("PARTITION_AWARE"), id: id(info["id"]).map(FrameworkID.init))
    }

    static func operation(_ object: Object) throws -> OfferOperation? {
        switch object["type"] as? String {
        case "LAUNCH":
            let launch = object["launch"] as? Object ?? [:]
            return .launch(try (launch["task_infos"] as? [Object] ?? []).map(taskInfo))
        case "LAUNCH_GROUP":
            let group = (object["launch_group"] as? Object)?["task_group"] as? Object ?? [:]
            return .launchGroup(try (group["tasks"] as? [Object] ?? []).map(taskInfo))
        case nil:
            throw Failure("Failed to validate Offer.Operation: Expecting 'type' to be present")
        default:
            return nil  // RESERVE, CREATE…: no reservations or volumes here; the offer's resources just return
        }
    }

    static func taskInfo(_ object: Object) throws -> TaskInfo {
        guard let taskID = id(object["task_id"]) else { throw Failure("TaskInfo.task_id is required") }
        let agentID = id(object["agent_id"]) ?? ""
        var command: CommandInfo?
        var container = try (object["container"] as? Object).flatMap(containerInfo)
        if let info = object["command"] as? Object {
            var value = info["value"] as? String ?? ""
            let arguments = info["arguments"] as? [String] ?? []
            var environment: [String: String] = [:]
            for variable in (info["environment"] as? Object)?["variables"] as? [Object] ?? [] {
                if let name = variable["name"] as? String { environment[name] = variable["value"] as? String ?? "" }
            }
            if (info["shell"] as? Bool) == false {
                if container != nil {
                    // As Mesos runs `shell: false` in an image: `value` replaces the entrypoint, `arguments` (argv,
                    // its first element the program's name) the cmd; with no value, all of `arguments` are the cmd.
                    container?.entrypoint = value.isEmpty ? nil : [value]
                    container?.arguments = value.isEmpty ? arguments : Array(arguments.dropFirst())
                    value = ""
                } else {
                    value = ([value] + arguments.dropFirst()).map(shellQuote).joined(separator: " ")
                }
            }
            command = CommandInfo(value: value, environment: environment, user: info["user"] as? String)
        }
        return TaskInfo(
            taskID: TaskID(taskID), name: object["name"] as? String ?? taskID, agentID: AgentID(agentID),
            resources: try resources(object["resources"] as? [Object] ?? []), command: command,
            labels: labels(object["labels"]), discovery: try (object["discovery"] as? Object).map(discoveryInfo),
            container: container)
    }

    /// `ContainerInfo`: a `MESOS` container with a `DOCKER` image (`mesos.image.docker.name`), or the `DOCKER`
    /// type's `docker.image`; a `MESOS` container without an image asks for nothing (nil).
    static func containerInfo(_ object: Object) throws -> ContainerInfo? {
        let docker = (((object["mesos"] as? Object)?["image"] as? Object)?["docker"] as? Object)?["name"] as? String
        let image = docker ?? (object["docker"] as? Object)?["image"] as? String
        switch object["type"] as? String {
        case "MESOS", "DOCKER", nil:
            guard let image else { return nil }
            guard !image.isEmpty else { throw Failure("ContainerInfo: the image name is empty") }
            return ContainerInfo(image: image)
        case let other?:
            throw Failure("ContainerInfo.type \(other) is not supported (MESOS with a DOCKER image)")
        }
    }

    /// Mesos' `Labels`: `{"labels": [{"key": …, "value": …}]}`.
    static func labels(_ value: Any?) -> Labels {
        var labels: Labels = [:]
        for label in (value as? Object)?["labels"] as? [Object] ?? [] {
            if let key = label["key"] as? String { labels[key] = label["value"] as? String ?? "" }
        }
        return labels
    }

    /// `DiscoveryInfo`: `visibility` is required by Mesos and not used here; ports need a number in 1…65535.
    static func discoveryInfo(_ object: Object) throws -> DiscoveryInfo {
        var ports: [DiscoveryPort] = []
        for port in (object["ports"] as? Object)?["ports"] as? [Object] ?? [] {
            guard let number = (port["number"] as? NSNumber)?.intValue, let valid = UInt16(exactly: number), valid > 0
            else { throw Failure("DiscoveryInfo.ports.ports[\(ports.count)].number must be a port in 1-65535") }
            ports.append(
                DiscoveryPort(
                    number: valid, name: port["name"] as? String, protocol: port["protocol"] as? String ?? "tcp",
                    labels: labels(port["labels"])))
        }
        return DiscoveryInfo(name: object["name"] as? String, ports: ports, labels: labels(object["labels"]))
    }

    static func resources(_ list: [Object]) throws -> Resources {
        var total = Resources()
        for resource in list {
            guard let name = resource["name"] as? String else { throw Failure("Resource.name is required") }
            switch name {
            case "cpus", "mem", "disk", "gpus":
                let value = number((resource["scalar"] as? Object)?["value"]) ?? 0
                guard value >= 0, value.isFinite else {
                    throw Failure("Resource \(name) must be a non-negative scalar")
                }
                switch name {
                case "cpus": total.milliCPUs += Int((value * 1000).rounded())
                case "mem": total.memoryMiB += Int(value.rounded(.up))
                case "disk": total.diskMiB += Int(value.rounded(.up))
                default: total.gpus += Int(value.rounded(.up))
                }
            case "ports":
                for range in (resource["ranges"] as? Object)?["range"] as? [Object] ?? [] {
                    guard let begin = number(range["begin"]), let end = number(range["end"]), begin <= end, begin >= 0,
                        end <= 65535
                    else { throw Failure("Resource ports has a bad range") }
                    total.ports = total.ports + PortRanges([UInt16(begin)...UInt16(end)])
                }
            default:
                throw Failure("Resource '\(name)' is not offered by any agent here (cpus, mem, disk, gpus, ports)")
            }
        }
        return total
    }

    static func filters(_ value: Any?) -> Filters {
        guard let object = value as? Object, let seconds = number(object["refuse_seconds"]) else { return Filters() }
        return Filters(refuseSeconds: seconds)
    }

    /// `{"value": "x"}` → `"x"`.
    static func id(_ value: Any?) -> String? { (value as? Object)?["value"] as? String }

    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// Status uuids travel as base64; internally they are the text they encode.
    static func statusUUID(_ base64: String) throws -> StatusUUID {
        guard let data = Data(base64Encoded: base64) else { throw Failure("acknowledge.uuid is not base64") }
        return StatusUUID(String(decoding: data, as: UTF8.self))
    }

    static func shellQuote(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
