import BoxCore
import BoxMaster
import Foundation
import Testing

/// Allocator scenarios as text, in the etcd raft style: each file in `Scenarios/` is blocks of commands, a
/// `----` line, and the transcript they must produce. `CLUSTERBOX_REWRITE=1 swift test --filter ScenarioTests`
/// rewrites the transcripts for review in the diff.
@Suite struct ScenarioTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Scenarios")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".txt") }
            .sorted()
    }

    @Test(arguments: files)
    func scenario(file: String) throws {
        let path = Self.directory.appendingPathComponent(file).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var runner = ScenarioRunner()
        var rewritten: [String] = []
        for block in text.components(separatedBy: "\n\n")
        where !block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            let parts = block.components(separatedBy: "\n----")
            let commands = parts[0].split(separator: "\n").map(String.init)
            let expected = parts.count > 1 ? parts[1].trimmingCharacters(in: .newlines) : ""
            var output: [String] = []
            for line in commands where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
                output += try runner.run(line)
            }
            let actual = output.joined(separator: "\n")
            rewritten.append(parts[0] + "\n----" + (actual.isEmpty ? "" : "\n" + actual))
            if ProcessInfo.processInfo.environment["CLUSTERBOX_REWRITE"] == nil {
                #expect(actual == expected, "\(file): after\n\(parts[0])")
            }
        }
        if ProcessInfo.processInfo.environment["CLUSTERBOX_REWRITE"] != nil {
            try (rewritten.joined(separator: "\n\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}

/// Interprets scenario commands against a `MasterCore`, naming agents and frameworks by the names the script
/// gives them.
struct ScenarioRunner {
    var core = MasterCore(config: MasterConfig(masterID: "m"), now: Instant(nanosecondsSinceEpoch: 0))
    var now = Instant(nanosecondsSinceEpoch: 0)
    var agents: [String: AgentID] = [:]
    var frameworks: [String: FrameworkID] = [:]

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }

    mutating func run(_ line: String) throws -> [String] {
        let words = line.split(separator: " ").map(String.init)
        var options: [String: String] = [:]
        for word in words.dropFirst() where word.contains("=") {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            options[pair[0]] = pair[1]
        }
        let arguments = words.dropFirst().filter { !$0.contains("=") }
        switch words[0] {
        case "add-agent":
            let (id, effects) = core.agentRegistered(
                AgentRegistration(hostname: arguments[0], resources: try resources(options), kind: "scenario"), now: now
            )
            agents[arguments[0]] = id
            return describe(effects)
        case "add-framework":
            let info = FrameworkInfo(
                name: arguments[0], role: options["role"] ?? "*", weight: Double(options["weight"] ?? "1") ?? 1)
            let (id, effects) = core.subscribe(info, now: now)
            frameworks[arguments[0]] = id
            return describe(effects)
        case "allocate":
            return describe(core.allocate(now: now))
        case "decline":
            let offer = try outstanding(arguments[0], arguments[1])
            return describe(
                core.handle(
                    .decline(
                        offerIDs: [offer.id], filters: Filters(refuseSeconds: Double(options["refuse"] ?? "5") ?? 5)),
                    from: offer.frameworkID, now: now))
        case "launch":
            let offer = try outstanding(arguments[0], arguments[1])
            var wanted = options
            let refuse = Double(wanted.removeValue(forKey: "refuse") ?? "5") ?? 5
            let task = TaskInfo(
                taskID: TaskID(arguments[2]), name: arguments[2], agentID: offer.agentID,
                resources: try resources(wanted))
            return describe(
                core.handle(
                    .accept(
                        offerIDs: [offer.id], operations: [.launch([task])], filters: Filters(refuseSeconds: refuse)),
                    from: offer.frameworkID, now: now))
        case "set-role":
            var quota = options
            let weight = Double(quota.removeValue(forKey: "weight") ?? "1") ?? 1
            core.setRole(arguments[0], RolePolicy(weight: weight, quota: try resources(quota)))
            return []
        case "revive":
            return describe(core.handle(.revive, from: try framework(arguments[0]), now: now))
        case "finish":
            let status = TaskStatus(
                taskID: TaskID(arguments[2]), state: .finished, uuid: StatusUUID("u-\(arguments[2])"), timestamp: now)
            return describe(
                core.statusUpdate(
                    status, frameworkID: try framework(arguments[0]), from: try agent(arguments[1]), now: now))
        case "tick":
            now = now + .seconds(Double(arguments[0]) ?? 1)
            for id in agents.values { _ = core.agentHeartbeat(id, now: now) }
            return describe(core.tick(now: now))
        case "shares":
            let total = core.clusterTotal
            return core.frameworks.values.map { f in
                let (share, resource) = DRFSorter.dominantShare(of: f.used, in: total)
                return "share \(name(of: f.id)) \(String(format: "%.3f", share)) \(resource)"
            }
        default:
            throw ScriptError(description: "unknown command: \(line)")
        }
    }

    func resources(_ options: [String: String]) throws -> Resources {
        var r = Resources()
        for (key, value) in options {
            switch key {
            case "cpus": r.milliCPUs = Int(((Double(value) ?? 0) * 1000).rounded())
            case "mem":
                if value.hasSuffix("Gi") {
                    r.memoryMiB = (Int(value.dropLast(2)) ?? 0) * 1024
                } else {
                    r.memoryMiB = Int(value.replacingOccurrences(of: "Mi", with: "")) ?? 0
                }
            case "gpus": r.gpus = Int(value) ?? 0
            case "ports": r.ports = PortRanges(parsing: value) ?? PortRanges()
            default: throw ScriptError(description: "unknown resource \(key)")
            }
        }
        return r
    }

    func framework(_ name: String) throws -> FrameworkID {
        guard let id = frameworks[name] else { throw ScriptError(description: "no framework \(name)") }
        return id
    }

    func agent(_ name: String) throws -> AgentID {
        guard let id = agents[name] else { throw ScriptError(description: "no agent \(name)") }
        return id
    }

    func outstanding(_ frameworkName: String, _ agentName: String) throws -> Offer {
        let f = try framework(frameworkName)
        let a = try agent(agentName)
        guard let offer = core.offers.values.map(\.offer).first(where: { $0.frameworkID == f && $0.agentID == a })
        else {
            throw ScriptError(description: "no offer of \(agentName) to \(frameworkName)")
        }
        return offer
    }

    func name(of id: FrameworkID) -> String { frameworks.first { $0.value == id }?.key ?? id.value }
    func name(of id: AgentID) -> String { agents.first { $0.value == id }?.key ?? id.value }

    func describe(_ effects: [MasterEffect]) -> [String] {
        effects.flatMap { effect -> [String] in
            switch effect {
            case .send(let f, .offers(let offers)):
                return offers.map { "offer \(name(of: f)) \(name(of: $0.agentID)) \(text($0.resources))" }
            case .send(let f, .rescind):
                return ["rescind \(name(of: f))"]
            case .send(let f, .update(let status)):
                return [
                    "update \(name(of: f)) \(status.taskID) \(status.state.rawValue)"
                        + (status.message.map { ": \($0)" } ?? "")
                ]
            case .agent(let a, .launch(let task, _)):
                return ["launch \(name(of: a)) \(task.taskID) \(text(task.resources))"]
            case .agent(let a, .kill(let task, _)):
                return ["kill \(name(of: a)) \(task)"]
            default:
                return []
            }
        }
    }

    func text(_ r: Resources) -> String {
        var parts = ["cpus=\(r.milliCPUs % 1000 == 0 ? String(r.milliCPUs / 1000) : String(r.cpus))"]
        parts.append(
            r.memoryMiB % 1024 == 0 && r.memoryMiB > 0 ? "mem=\(r.memoryMiB / 1024)Gi" : "mem=\(r.memoryMiB)Mi")
        if !r.ports.isEmpty { parts.append("ports=\(r.ports)") }
        return parts.joined(separator: " ")
    }
}
