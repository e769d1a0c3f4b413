import BoxCore
import BoxMaster
import Foundation
import Hummingbird
import NIOCore

/// The Mesos v1 operator API: `POST /api/v1` (also `/api/v1/operator` and any other `/api/v1/…` path but the
/// scheduler's) with `{"type": "GET_STATE"}` and friends, answered `{"type": …, "get_state": {…}}` in the v1
/// shapes (resources as lists, ids as objects, times as nanoseconds). Reference §8.
struct OperatorRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        for path in ["/api/v1", "/api/v1/operator", "/master/api/v1"] {
            router.post(RouterPath(path)) { request, context in try await handle(request, context.channel) }
        }
    }

    private func handle(_ request: Request, _ channel: any Channel) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let call = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let type = call["type"] as? String
        else { return SchedulerRoutes.text(.badRequest, "Failed to parse body into Call: expecting a JSON object with 'type'") }
        let core = await cluster.master.snapshot()
        let view = OperatorView(core: core, host: cluster.config.host, port: cluster.config.masterPort)
        let payload: Any
        switch type {
        case "GET_HEALTH": payload = ["healthy": true]
        case "GET_VERSION": payload = ["version_info": view.versionInfo]
        case "GET_STATE": payload = view.state
        case "GET_AGENTS": payload = view.agents
        case "GET_FRAMEWORKS": payload = view.frameworks
        case "GET_TASKS": payload = view.tasks
        case "GET_EXECUTORS": payload = ["executors": [Any]()]
        case "GET_MASTER": payload = view.master
        case "GET_FLAGS": payload = ["flags": view.flags]
        case "GET_METRICS":
            payload = ["metrics": MetricsText.snapshot(core: core).sorted { $0.key < $1.key }.map { ["name": $0.key, "value": $0.value] }]
        case "GET_WEIGHTS":
            payload = ["weight_infos": core.roleNames.map { ["role": $0, "weight": core.policy(of: $0).weight] }]
        case "GET_ROLES":
            payload = ["roles": core.roleNames.map { name -> [String: Any] in
                [
                    "name": name, "weight": core.policy(of: name).weight,
                    "frameworks": core.frameworks(inRole: name).map { ["value": $0.id.value] },
                    "resources": MesosJSON.resources(core.allocated(toRole: name)),
                ]
            }]
        case "GET_QUOTA":
            let infos = core.roles.keys.sorted().filter { !core.policy(of: $0).quota.isEmpty }.map { name -> [String: Any] in
                ["role": name, "guarantee": MesosJSON.resources(core.policy(of: name).quota)]
            }
            payload = ["status": ["infos": infos]]
        case "UPDATE_WEIGHTS":
            let infos = (call["update_weights"] as? [String: Any])?["weight_infos"] as? [[String: Any]] ?? []
            var weights: [(String, Double)] = []
            for info in infos {
                guard let role = info["role"] as? String, !role.isEmpty, role != "*",
                    let weight = MesosJSON.number(info["weight"]), weight > 0, weight.isFinite
                else {
                    return SchedulerRoutes.text(.badRequest, "UPDATE_WEIGHTS: every weight_info needs a role and a positive weight")
                }
                weights.append((role, weight))
            }
            for (role, weight) in weights { await cluster.updateRole(role, weight: weight, quota: nil) }
            return Response(status: .ok)
        case "SUBSCRIBE":
            return await subscribe(channel)
        default:
            return SchedulerRoutes.text(.badRequest, "Failed to validate master::Call: unknown or unsupported call type '\(type)'")
        }
        let answer: [String: Any] = ["type": type, type.lowercased(): payload]
        let data = (try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }
}

extension OperatorRoutes {
    /// The operator event stream: `SUBSCRIBED` with the whole state, then `TASK_ADDED`, `TASK_UPDATED`,
    /// `AGENT_ADDED`, `AGENT_REMOVED`, `FRAMEWORK_ADDED`, `FRAMEWORK_REMOVED` as the master narrates them, and a
    /// `HEARTBEAT` every 15 s, as RecordIO in a chunked response.
    func subscribe(_ channel: any Channel) async -> Response {
        // Listen first, then take the state: a change in between shows up as an event rather than being lost.
        let events = cluster.master.events.subscribe()
        let master = cluster.master
        let view = OperatorView(core: await master.snapshot(), host: cluster.config.host, port: cluster.config.masterPort)
        let host = cluster.config.host
        let port = cluster.config.masterPort
        let (records, sink) = AsyncStream<Data>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let subscribed: [String: Any] = [
            "type": "SUBSCRIBED", "subscribed": ["get_state": view.state, "heartbeat_interval_seconds": 15.0],
        ]
        let first = MesosJSON.recordIO(subscribed)
        // Both tasks end with the stream: cancelled by the writer, or on their own once the stream is finished.
        let feeder = Task {
            for await event in events where OperatorView.streamedKinds.contains(event.kind) {
                let core = await master.snapshot()
                for record in OperatorView(core: core, host: host, port: port).records(for: event) {
                    sink.yield(MesosJSON.recordIO(record))
                }
            }
            sink.finish()
        }
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                if case .terminated = sink.yield(MesosJSON.recordIO(["type": "HEARTBEAT"])) { break }
            }
        }
        channel.onHangUp { sink.finish() }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody { writer in
                defer {
                    feeder.cancel()
                    heartbeat.cancel()
                }
                try await writer.write(ByteBuffer(data: first))
                for await record in records { try await writer.write(ByteBuffer(data: record)) }
                try await writer.finish(nil)
            })
    }
}

/// The master core in the operator API's v1 shapes.
struct OperatorView {
    typealias Object = [String: Any]
    let core: MasterCore
    let host: String
    let port: Int


    var versionInfo: Object {
        [
            "version": MesosVersion.version, "build_date": MesosVersion.buildDate, "build_time": 0,
            "build_user": "clusterbox", "git_sha": MesosVersion.gitSHA, "git_tag": MesosVersion.version,
        ]
    }

    var state: Object {
        ["get_tasks": tasks, "get_executors": ["executors": [Any]()], "get_frameworks": frameworks, "get_agents": agents]
    }

    var master: Object {
        [
            "master_info": MasterInfo(id: core.config.masterID, host: host, port: port).json,
            "start_time": core.startedAt.secondsSinceEpoch, "elected_time": core.startedAt.secondsSinceEpoch,
        ]
    }

    var flags: [Object] {
        [
            ["name": "allocation_interval", "value": "\(core.config.allocationInterval.seconds)secs"],
            ["name": "offer_timeout", "value": "\(core.config.offerTimeout.seconds)secs"],
            ["name": "agent_ping_timeout", "value": "\(core.config.agentHeartbeatTimeout.seconds)secs"],
            ["name": "agent_removal_timeout", "value": "\(core.config.agentRemovalTimeout.seconds)secs"],
            ["name": "port", "value": "\(port)"], ["name": "ip", "value": host],
        ]
    }

    var agents: Object {
        let list = core.agents.values.enumerated().map { index, agent -> Object in
            [
                "agent_info": [
                    "id": ["value": agent.id.value], "hostname": agent.hostname, "port": port,
                    "resources": MesosJSON.resources(agent.total),
                    "attributes": agent.attributes.keys.sorted().map { ["name": $0, "type": "TEXT", "text": ["value": agent.attributes[$0]!]] },
                ] as Object,
                "active": agent.isActive, "deactivated": false, "version": MesosVersion.version,
                "pid": "slave(\(index + 1))@\(host):\(port)",
                "registered_time": ["nanoseconds": agent.registeredAt.nanosecondsSinceEpoch],
                "total_resources": MesosJSON.resources(agent.total),
                "allocated_resources": MesosJSON.resources(agent.used + agent.offered),
                "offered_resources": MesosJSON.resources(agent.offered),
                "capabilities": [["type": "MULTI_ROLE"], ["type": "HIERARCHICAL_ROLE"]],
            ]
        }
        return ["agents": list, "recovered_agents": [Any]()]
    }

    var frameworks: Object {
        func render(_ framework: FrameworkEntry, active: Bool) -> Object {
            let offers = framework.offers.sorted().compactMap { core.offers[$0]?.offer }
            let master = MasterInfo(id: core.config.masterID, host: host, port: port)
            var info: Object = [
                "id": ["value": framework.id.value], "name": framework.info.name, "user": framework.info.user,
                "roles": [framework.info.role], "failover_timeout": framework.info.failoverTimeoutSeconds,
                "capabilities": framework.info.partitionAware ? [["type": "PARTITION_AWARE"]] : [Object](),
            ]
            if let hostname = framework.info.hostname { info["hostname"] = hostname }
            return [
                "framework_info": info, "active": active && framework.connected, "connected": active && framework.connected,
                "recovered": false, "registered_time": ["nanoseconds": framework.registeredAt.nanosecondsSinceEpoch],
                "offers": offers.map { MesosJSON.offer($0, master: master) },
                "allocated_resources": MesosJSON.resources(framework.allocated),
                "offered_resources": MesosJSON.resources(offers.reduce(Resources.zero) { $0 + $1.resources }),
            ]
        }
        return [
            "frameworks": core.frameworks.values.map { render($0, active: true) },
            "completed_frameworks": core.completedFrameworks.map { render($0, active: false) },
        ]
    }

    /// The cluster events that have an operator event (offers, declines and the like have none).
    static let streamedKinds: Set<ClusterEvent.Kind> = [
        .launch, .taskUpdate, .agentAdded, .agentRemoved, .frameworkAdded, .frameworkRemoved,
    ]

    /// Operator events for one cluster event (none for offers and declines, which the operator API does not
    /// stream).
    func records(for event: ClusterEvent) -> [Object] {
        switch event.kind {
        case .launch:
            guard let framework = event.frameworkID, let task = event.taskID, let entry = core.tasks[TaskRef(framework, task)]
            else { return [] }
            return [["type": "TASK_ADDED", "task_added": ["task": render(entry)] as Object]]
        case .taskUpdate:
            guard let framework = event.frameworkID, let task = event.taskID, let state = event.state else { return [] }
            var status = TaskStatus(taskID: task, state: state, agentID: event.agentID, timestamp: event.time)
            status.message = event.message.isEmpty ? nil : event.message
            return [[
                "type": "TASK_UPDATED",
                "task_updated": ["framework_id": ["value": framework.value], "status": MesosJSON.taskStatus(status), "state": state.rawValue] as Object,
            ]]
        case .agentAdded:
            let agents = (self.agents["agents"] as? [Object] ?? []).filter {
                (($0["agent_info"] as? Object)?["id"] as? Object)?["value"] as? String == event.agentID?.value
            }
            return agents.map { ["type": "AGENT_ADDED", "agent_added": ["agent": $0] as Object] }
        case .agentRemoved:
            return [["type": "AGENT_REMOVED", "agent_removed": ["agent_id": ["value": event.agentID?.value ?? ""]] as Object]]
        case .frameworkAdded:
            let frameworks = (self.frameworks["frameworks"] as? [Object] ?? []).filter {
                (($0["framework_info"] as? Object)?["id"] as? Object)?["value"] as? String == event.frameworkID?.value
            }
            return frameworks.map { ["type": "FRAMEWORK_ADDED", "framework_added": ["framework": $0] as Object] }
        case .frameworkRemoved:
            return [[
                "type": "FRAMEWORK_REMOVED",
                "framework_removed": ["framework_info": ["id": ["value": event.frameworkID?.value ?? ""]]] as Object,
            ]]
        default:
            return []
        }
    }

    func render(_ entry: TaskEntry) -> Object {
        var status = entry.latest
        status.state = entry.state
        return [
            "name": entry.info.name, "task_id": ["value": entry.info.taskID.value],
            "framework_id": ["value": entry.frameworkID.value], "agent_id": ["value": entry.info.agentID.value],
            "state": entry.state.rawValue, "resources": MesosJSON.resources(entry.info.resources),
            "statuses": [MesosJSON.taskStatus(status)],
        ]
    }

    var tasks: Object {
        let live = core.tasks.values.sorted { ($0.frameworkID, $0.info.taskID) < ($1.frameworkID, $1.info.taskID) }
        return [
            "tasks": live.filter { $0.state != .unreachable }.map(render),
            "unreachable_tasks": live.filter { $0.state == .unreachable }.map(render),
            "completed_tasks": core.frameworks.values.flatMap { $0.completedTasks.map(render) },
        ]
    }
}
