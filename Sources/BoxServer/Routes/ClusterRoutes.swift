import BoxCore
import BoxMaster
import Foundation
import Hummingbird
import NIOCore

/// clusterbox's own endpoints: DRF shares, the live event stream (server-sent events) and task output.
struct ClusterRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        router.get("/clusterbox/v1/shares") { _, _ in
            JSON.response(SharesView(core: await cluster.master.snapshot()))
        }
        router.get("/clusterbox/v1/roles") { _, _ in
            JSON.response(RolesView(core: await cluster.master.snapshot()))
        }
        router.put("/clusterbox/v1/roles/{name}") { request, context in
            let name = try context.parameters.require("name")
            let body = try await request.body.collect(upTo: 1 << 16)
            let change = try RoleRequest.parse(Data(buffer: body))
            guard !name.isEmpty, name != "*", name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            else {
                throw APIError(.badRequest, "invalid role name '\(name)': letters, digits, '-', '_' and '.' only")
            }
            await cluster.updateRole(name, weight: change.weight, quota: change.quota)
            return JSON.response(RolesView(core: await cluster.master.snapshot()))
        }
        router.get("/clusterbox/v1/events") { _, context in
            let events = cluster.master.events.subscribe()
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { [channel = context.channel] writer in
                    try await EventStream.serve(events, to: &writer, hangUp: channel) { event in
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.sortedKeys]
                        var frame = ByteBuffer(string: "event: \(event.kind.rawValue)\ndata: ")
                        frame.writeBytes((try? encoder.encode(EventView(event))) ?? Data())
                        frame.writeString("\n\n")
                        return frame
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("/clusterbox/v1/tasks/{id}/logs") { request, context in
            let id = try context.parameters.require("id")
            let query = request.uri.queryParameters
            let stream = query.get("stream") ?? "stdout"
            guard stream == "stdout" || stream == "stderr" else {
                throw APIError(.badRequest, "stream must be stdout or stderr, not '\(stream)'")
            }
            guard let offset = Int(query.get("offset") ?? "0"), offset >= 0 else {
                throw APIError(.badRequest, "offset must be a non-negative integer")
            }
            let length = min(Int(query.get("length") ?? "") ?? 1 << 20, 1 << 20)
            guard let sandbox = await cluster.sandbox(of: TaskID(id)) else {
                throw APIError(.notFound, "task \(id) has no sandbox on any agent (unknown task, or a simulated one)")
            }
            let chunk = TaskLog.read(sandbox + "/" + stream, offset: offset, length: length)
            let core = await cluster.master.snapshot()
            let state =
                core.tasks.first { $0.key.taskID.value == id }?.value.state
                ?? core.frameworks.values.lazy.compactMap {
                    $0.completedTasks.last { $0.info.taskID.value == id }?.state
                }.first
            return JSON.response(
                LogChunk(data: chunk.text, offset: chunk.next, state: state?.rawValue, sandbox: sandbox))
        }
    }
}

/// Server-sent events: one frame per cluster event, and a comment every 15 s so that a client that went away is
/// noticed (the write fails) even when the cluster is idle. The stream ends when the cluster shuts down (the
/// `Cluster` finishes every listener first, so that the HTTP server's graceful shutdown does not wait on it).
/// A server-sent event stream: frames as events arrive, a comment every 15 s to keep idle connections, and an
/// end when the client hangs up (the channel closes) or the stream finishes.
enum EventStream {
    static func serve<Event: Sendable>(
        _ events: AsyncStream<Event>, hello: ByteBuffer? = ByteBuffer(string: ": clusterbox event stream\n\n"),
        to writer: inout any ResponseBodyWriter, hangUp channel: any Channel,
        frame: @escaping @Sendable (Event) -> ByteBuffer?
    ) async throws {
        let (frames, sink) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        channel.onHangUp { sink.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    if let bytes = frame(event) { sink.yield(bytes) }
                }
                sink.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(15))
                    sink.yield(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            if let hello { try await writer.write(hello) }
            defer { group.cancelAll() }
            for await frame in frames { try await writer.write(frame) }
        }
    }
}

/// One cluster event as JSON on the event stream.
public struct EventView: Codable, Sendable {
    public var kind: String
    public var time: Double
    public var framework_id: String?
    public var agent_id: String?
    public var offer_id: String?
    public var task_id: String?
    public var state: String?
    public var resources: String?
    public var message: String

    init(_ event: ClusterEvent) {
        kind = event.kind.rawValue
        time = event.time.secondsSinceEpoch
        framework_id = event.frameworkID?.value
        agent_id = event.agentID?.value
        offer_id = event.offerID?.value
        task_id = event.taskID?.value
        state = event.state?.rawValue
        resources = event.resources?.description
        message = event.message
    }
}

/// Each framework's dominant share, per resource and overall, as DRF sees it.
public struct SharesView: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var framework_id: String
        public var name: String
        public var role: String
        public var weight: Double
        public var allocated: String
        public var shares: [String: Double]
        public var dominant_share: Double
        public var dominant_resource: String
        public var weighted_share: Double
        public var role_weight: Double
        public var role_quota: String
    }

    public var total: String
    public var frameworks: [Entry]

    init(core: MasterCore) {
        let total = core.clusterTotal
        self.total = total.description
        frameworks = core.frameworks.values.map { framework in
            let a = framework.allocated
            func share(_ used: Int, _ all: Int) -> Double { all > 0 ? Double(used) / Double(all) : 0 }
            let (dominant, resource) = DRFSorter.dominantShare(of: a, in: total)
            let policy = core.policy(of: framework.info.role)
            let weight = core.effectiveWeight(framework)
            return Entry(
                framework_id: framework.id.value, name: framework.info.name, role: framework.info.role,
                weight: weight, allocated: a.description,
                shares: [
                    "cpus": share(a.milliCPUs, total.milliCPUs), "mem": share(a.memoryMiB, total.memoryMiB),
                    "disk": share(a.diskMiB, total.diskMiB), "gpus": share(a.gpus, total.gpus),
                ],
                dominant_share: dominant, dominant_resource: resource,
                weighted_share: dominant / weight, role_weight: policy.weight,
                role_quota: policy.quota.isEmpty ? "" : policy.quota.description)
        }
    }
}

/// `PUT /clusterbox/v1/roles/NAME` body: `{"weight": 2, "quota": "cpus:2;mem:1024"}`; a field left out keeps
/// its current value (`"quota": ""` removes the quota).
enum RoleRequest {
    static func parse(_ data: Data) throws -> (weight: Double?, quota: Resources?) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(
                .badRequest, "the body must be a JSON object such as {\"weight\": 2, \"quota\": \"cpus:2;mem:1024\"}")
        }
        let unknown = Set(object.keys).subtracting(["weight", "quota"])
        if let key = unknown.sorted().first {
            throw APIError(.badRequest, "unknown field '\(key)' (known: quota, weight)")
        }
        var weight: Double?
        if let value = object["weight"] {
            guard let number = value as? Double, number > 0, number.isFinite else {
                throw APIError(.badRequest, "weight: must be a positive number")
            }
            weight = number
        }
        var quota: Resources?
        if let text = object["quota"] {
            guard let text = text as? String else {
                throw APIError(.badRequest, "quota: must be text such as cpus:2;mem:1024")
            }
            do { quota = text.isEmpty ? .zero : try Resources(parsing: text) } catch {
                throw APIError(.badRequest, "quota: \(error)")
            }
            if quota?.ports.isEmpty == false {
                throw APIError(.badRequest, "quota: ports cannot be guaranteed, only cpus, mem, disk, gpus")
            }
        }
        return (weight, quota)
    }
}

/// Every role with a policy or a framework: weight, quota, what it holds, its frameworks.
public struct RolesView: Codable, Sendable {
    public struct Role: Codable, Sendable {
        public var name: String
        public var weight: Double
        public var quota: String
        public var allocated: String
        public var frameworks: [String]
    }

    public var roles: [Role]

    init(core: MasterCore) {
        roles = core.roleNames.map { name in
            let policy = core.policy(of: name)
            return Role(
                name: name, weight: policy.weight, quota: policy.quota.isEmpty ? "" : policy.quota.description,
                allocated: core.allocated(toRole: name).description,
                frameworks: core.frameworks(inRole: name).map(\.info.name))
        }
    }
}

/// A piece of a task's output file.
public struct LogChunk: Codable, Sendable {
    public var data: String
    /// Where the next read starts.
    public var offset: Int
    /// The task's state, when the master still knows it; a follower stops once it is terminal and no data is left.
    public var state: String?
    public var sandbox: String
}

enum TaskLog {
    static func read(_ path: String, offset: Int, length: Int) -> (text: String, next: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ("", offset) }
        defer { try? handle.close() }
        do {
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: length) ?? Data()
            let bytes = [UInt8](data)
            let end = completeUTF8Prefix(bytes)
            return (String(decoding: bytes[..<end], as: UTF8.self), offset + end)
        } catch {
            return ("", offset)
        }
    }

    /// The length of `bytes` without a trailing, incomplete UTF-8 sequence, so that a character cut by the read
    /// length is read whole next time.
    static func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
        var lead = bytes.count - 1
        while lead >= 0, lead >= bytes.count - 4, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 else { return bytes.count }
        let byte = bytes[lead]
        let expected = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        return bytes.count - lead < expected ? lead : bytes.count
    }
}
