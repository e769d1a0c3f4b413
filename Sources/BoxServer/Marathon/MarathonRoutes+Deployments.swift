import BoxCore
import BoxMarathon
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/v2/deployments`, `/v2/groups`, `/v2/queue` and `/v2/events`.
extension MarathonRoutes {
    func deployments(_ method: HTTPRequest.Method, _ rest: [String], _ query: Query) async throws -> Response {
        if rest.isEmpty, method == .get {
            return Self.json(.array(await marathon.deployments().map(MarathonJSON.deploymentJSON)))
        }
        guard rest.count == 1, method == .delete else { throw MarathonError.notFound("Not found") }
        let force = query.bool("force")
        let rollback = try await marathon.cancelDeployment(rest[0], rollback: !force)
        guard let rollback else { return Response(status: .accepted) }
        return Self.deploymentResult(rollback)
    }

    func groups(_ method: HTTPRequest.Method, _ rest: [String], _ query: Query, _ request: Request) async throws
        -> Response
    {
        let apps = await marathon.apps()
        let version = apps.map(\.version).max() ?? .epoch
        if rest.last == "versions", method == .get {
            return Self.json(MarathonJSON.versionsJSON([version]))
        }
        let id = try Self.pathID(rest)
        let exists = id.isRoot || apps.contains { id.isPrefix(of: $0.id) && $0.id != id }
        switch method {
        case .get:
            guard exists else { throw MarathonError.notFound("Group '\(id)' does not exist") }
            return Self.json(MarathonJSON.groupJSON(id, apps: apps, version: version))
        case .delete:
            guard exists else { throw MarathonError.notFound("Group '\(id)' does not exist") }
            let targets = Dictionary(
                uniqueKeysWithValues: apps.filter { id.isPrefix(of: $0.id) }.map { ($0.id, App?.none) })
            return Self.deploymentResult(try await marathon.deploy(targets, force: query.bool("force")))
        case .post, .put:
            let body = try Self.document(try await Self.body(request))
            // `{"scaleBy": f}` multiplies every app's instances (rounded up).
            if let factor = body["scaleBy"]?.number {
                guard exists else { throw MarathonError.notFound("Group '\(id)' does not exist") }
                var targets: [PathID: App?] = [:]
                for var app in apps where id.isPrefix(of: app.id) {
                    app.instances = Int((Double(app.instances) * factor).rounded(.up))
                    targets[app.id] = app
                }
                return Self.deploymentResult(try await marathon.deploy(targets, force: query.bool("force")))
            }
            let groupID =
                try body["id"].map { value throws(MarathonError) -> PathID in
                    guard case .string(let text) = value, let parsed = try? PathID(text, relativeTo: id) else {
                        throw .invalid(
                            message: MarathonError.notValid,
                            details: [FieldError(path: "/id", errors: ["error.expected.jsstring"])])
                    }
                    return parsed
                } ?? id
            if method == .post, apps.contains(where: { groupID.isPrefix(of: $0.id) }) {
                throw MarathonError.conflict(
                    message: "Group \(groupID) is already created. Use PUT to change this group.", deployments: [])
            }
            var targets: [PathID: App?] = [:]
            for app in try groupApps(body, in: groupID, existing: apps) {
                try await checkFits(app)
                targets[app.id] = app
            }
            let deployment = try await marathon.deploy(targets, force: query.bool("force"))
            if method == .post {
                return Self.json(
                    [
                        "version": .string(MarathonJSON.timestamp(deployment.version)),
                        "deploymentId": .string(deployment.id),
                    ],
                    status: 201)
            }
            return Self.deploymentResult(deployment)
        default:
            throw MarathonError.notFound("Not found")
        }
    }

    /// The apps of a group body, with ids resolved against their groups, nested groups included.
    private func groupApps(_ body: JSONValue, in group: PathID, existing: [App]) throws(MarathonError) -> [App] {
        var result: [App] = []
        if case .array(let apps)? = body["apps"] {
            for app in apps {
                guard case .string(let text)? = app["id"], let id = try? PathID(text, relativeTo: group) else {
                    throw .invalid(
                        message: MarathonError.notValid,
                        details: [FieldError(path: "/apps/id", errors: ["error.path.missing"])])
                }
                result.append(
                    try AppJSON.decode(
                        Array(app.text.utf8), id: id, base: existing.first { $0.id == id }, now: marathon.now))
            }
        }
        if case .array(let groups)? = body["groups"] {
            for child in groups {
                guard case .string(let text)? = child["id"], let id = try? PathID(text, relativeTo: group) else {
                    throw .invalid(
                        message: MarathonError.notValid,
                        details: [FieldError(path: "/groups/id", errors: ["error.path.missing"])])
                }
                result += try groupApps(child, in: id, existing: existing)
            }
        }
        return result
    }

    func queue(_ method: HTTPRequest.Method, _ rest: [String], _ query: Query) async throws -> Response {
        if rest.last == "delay", method == .delete {
            try await marathon.resetDelay(try Self.pathID(rest.dropLast()))
            return Response(status: .noContent)
        }
        guard rest.isEmpty, method == .get else { throw MarathonError.notFound("Not found") }
        var items: [JSONValue] = []
        let now = marathon.now
        for app in await marathon.apps() {
            let (count, delayUntil) = await marathon.pending(of: app.id)
            guard count > 0 || delayUntil.map({ $0 > now }) == true else { continue }
            let left = delayUntil.map { max(0, Int(($0 - now).seconds.rounded(.up))) } ?? 0
            items.append(
                MarathonJSON.queueItemJSON(
                    app: app, count: max(count, app.instances - (await marathon.tasks(of: app.id)).count),
                    since: app.version, delaySecondsLeft: left, overdue: left == 0))
        }
        return Self.json(["queue": .array(items)])
    }

    /// Server-sent events, one chunk per event; `event_stream_attached` first; `?event_type=` filters.
    func events(_ request: Request, _ query: Query, _ context: ClusterRequestContext) async throws -> Response {
        let wanted = Set(query.all("event_type"))
        let stream = marathon.events.subscribe()
        let remote = context.channel.remoteAddress?.ipAddress ?? "127.0.0.1"
        let attached = MarathonJSON.eventJSON(
            type: "event_stream_attached", at: marathon.now, fields: ["remoteAddress": .string(remote)])
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { [channel = context.channel] writer in
                try await EventStream.serve(
                    stream, hello: Self.frame(attached, wanted), to: &writer, hangUp: channel
                ) { event in
                    Self.frame(MarathonJSON.eventJSON(event), wanted)
                }
                try await writer.finish(nil)
            })
    }

    static func frame(_ event: (type: String, json: JSONValue)?, _ wanted: Set<String>) -> ByteBuffer? {
        guard let event, wanted.isEmpty || wanted.contains(event.type) else { return nil }
        return ByteBuffer(string: "event: \(event.type)\ndata: \(event.json.text)\n\n")
    }
}
