import BoxCore
import BoxMarathon
import Foundation
import HTTPTypes
import Hummingbird

/// `/v2/apps…` and `/v2/tasks…`.
extension MarathonRoutes {
    func apps(_ method: HTTPRequest.Method, _ rest: [String], _ query: Query, _ request: Request) async throws
        -> Response
    {
        let force = query.bool("force")
        if rest.isEmpty {
            switch method {
            case .get: return try await listApps(query)
            case .post:
                let app = try AppJSON.decode(try await Self.body(request), id: nil, base: nil, now: marathon.now)
                return try await create(app, force: force)
            case .put, .patch:
                let partial = method == .patch || query.bool("partialUpdate", true)
                let bytes = try await Self.body(request)
                var bases: [PathID: App] = [:]
                for app in await marathon.apps() { bases[app.id] = app }
                let apps = try AppJSON.decodeList(bytes, now: marathon.now) { partial ? bases[$0] : nil }
                for app in apps { try await checkFits(app) }
                let deployment = try await marathon.deploy(
                    Dictionary(uniqueKeysWithValues: apps.map { ($0.id, Optional($0)) }), force: force)
                return Self.deploymentResult(deployment)
            default: throw MarathonError.notFound("Not found")
            }
        }
        // Read from the right: the app id is everything before a known sub-resource.
        if rest.last == "restart", method == .post {
            let deployment = try await marathon.restart(try Self.pathID(rest.dropLast()), force: force)
            return Self.deploymentResult(deployment)
        }
        if rest.last == "tasks" {
            let id = try Self.pathID(rest.dropLast())
            guard await marathon.app(id) != nil else { throw MarathonError.notFound("App '\(id)' does not exist") }
            if method == .delete {
                let host = query.string("host")
                let ids = await marathon.tasks(of: id).filter { host == nil || $0.host == host }.map(\.id)
                return try await kill(ids, query, single: false)
            }
            return try await taskList(await marathon.tasks(of: id))
        }
        if rest.count >= 2, rest[rest.count - 2] == "tasks", method == .delete {
            let id = try Self.pathID(rest.dropLast(2))
            let taskID = TaskID(rest.last!)
            guard await marathon.task(taskID)?.appID == id else {
                throw MarathonError.notFound("Task '\(taskID)' does not exist")
            }
            return try await kill([taskID], query, single: true)
        }
        if rest.last == "versions" {
            let id = try Self.pathID(rest.dropLast())
            guard await marathon.app(id) != nil else { throw MarathonError.notFound("App '\(id)' does not exist") }
            return Self.json(MarathonJSON.versionsJSON(await marathon.versions(of: id)))
        }
        if rest.count >= 2, rest[rest.count - 2] == "versions" {
            let id = try Self.pathID(rest.dropLast(2))
            guard let version = MarathonJSON.parseTimestamp(rest.last!),
                let app = await marathon.version(of: id, at: version)
            else { throw MarathonError.notFound("App '\(id)' does not exist in version \(rest.last!)") }
            return Self.json(MarathonJSON.appJSON(app))
        }
        let id = try Self.pathID(rest)
        switch method {
        case .get:
            guard let app = await marathon.app(id) else {
                // `/v2/apps/<group>/*` lists a group's apps.
                if rest.last == "*" { return try await listApps(query, under: try Self.pathID(rest.dropLast())) }
                throw MarathonError.notFound("App '\(id)' does not exist")
            }
            return Self.json(["app": await view(app, AppEmbed.single.union(AppEmbed(queryValues: query.all("embed"))))])
        case .put, .patch:
            let bytes = try await Self.body(request)
            let existing = await marathon.app(id)
            if let version = try AppJSON.rollbackVersion(bytes) {
                guard let old = await marathon.version(of: id, at: version) else {
                    throw MarathonError.notFound(
                        "App '\(id)' does not exist in version \(MarathonJSON.timestamp(version))")
                }
                return Self.deploymentResult(try await marathon.deploy([id: old], force: force))
            }
            let partial = method == .patch || query.bool("partialUpdate", true)
            let app = try AppJSON.decode(bytes, id: id, base: partial ? existing : nil, now: marathon.now)
            try await checkFits(app)
            let deployment = try await marathon.deploy([id: app], force: force)
            var response = Self.deploymentResult(deployment)
            if existing == nil { response.status = .created }
            return response
        case .delete:
            guard await marathon.app(id) != nil else { throw MarathonError.notFound("App '\(id)' does not exist") }
            return Self.deploymentResult(try await marathon.deploy([id: nil], force: force))
        default:
            throw MarathonError.notFound("Not found")
        }
    }

    private func create(_ app: App, force: Bool) async throws -> Response {
        guard await marathon.app(app.id) == nil else {
            throw MarathonError.conflict(message: "An app with id [\(app.id)] already exists.", deployments: [])
        }
        try await checkFits(app)
        let deployment = try await marathon.deploy([app.id: app], force: force)
        let stored = await marathon.app(app.id) ?? app
        return Self.json(
            await view(stored, .list), status: 201,
            headers: [.location: "/v2/apps\(app.id)", Self.deploymentHeader: deployment.id])
    }

    private func listApps(_ query: Query, under group: PathID = .root) async throws -> Response {
        let embed = AppEmbed.list.union(AppEmbed(queryValues: query.all("embed")))
        let cmd = query.string("cmd")
        let idFilter = query.string("id")
        let label = try query.string("label").map { text throws(MarathonError) -> LabelSelector in
            do throws(SelectorParseError) {
                return try LabelSelector(parsing: text)
            } catch {
                throw .badRequest(message: "label: \(error)")
            }
        }
        var views: [JSONValue] = []
        for app in await marathon.apps() where group.isPrefix(of: app.id) {
            if let cmd, !(app.cmd ?? "").contains(cmd) { continue }
            if let idFilter, !app.id.description.contains(idFilter) { continue }
            if let label, !label.matches(app.labels) { continue }
            views.append(await view(app, embed))
        }
        return Self.json(["apps": .array(views)])
    }

    func view(_ app: App, _ embed: AppEmbed) async -> JSONValue {
        MarathonJSON.appJSON(
            app, tasks: await marathon.tasks(of: app.id), deployments: await marathon.deployments(of: app.id).map(\.id),
            lastTaskFailure: await marathon.lastTaskFailure(of: app.id), embed: embed, now: marathon.now)
    }

    private func taskList(_ tasks: [AppTask]) async throws -> Response {
        var views: [JSONValue] = []
        for task in tasks {
            views.append(MarathonJSON.taskJSON(task, healthChecks: await marathon.app(task.appID)?.healthChecks ?? []))
        }
        return Self.json(["tasks": .array(views)])
    }

    private func kill(_ ids: [TaskID], _ query: Query, single: Bool) async throws -> Response {
        var killed: [JSONValue] = []
        for id in ids {
            if let task = await marathon.task(id) {
                killed.append(
                    MarathonJSON.taskJSON(task, healthChecks: await marathon.app(task.appID)?.healthChecks ?? []))
            }
        }
        let deployment = try await marathon.kill(ids, scale: query.bool("scale"), force: query.bool("force"))
        if let deployment { return Self.deploymentResult(deployment) }
        if single, let first = killed.first { return Self.json(["task": first]) }
        return Self.json(["tasks": .array(killed)])
    }

    func tasks(_ method: HTTPRequest.Method, _ rest: [String], _ query: Query, _ request: Request) async throws
        -> Response
    {
        if rest == ["delete"], method == .post {
            let body = try Self.document(try await Self.body(request))
            guard case .array(let values)? = body["ids"] else {
                throw MarathonError.badRequest(
                    message: "Invalid JSON", details: [FieldError(path: "/ids", errors: ["error.path.missing"])])
            }
            let ids = values.compactMap { if case .string(let id) = $0 { TaskID(id) } else { nil } }
            for id in ids where await marathon.task(id) == nil {
                throw MarathonError.badRequest(message: "Task '\(id)' does not exist")
            }
            return try await kill(ids, query, single: false)
        }
        guard rest.isEmpty, method == .get else { throw MarathonError.notFound("Not found") }
        let status = query.string("status").map { "TASK_" + $0.uppercased() }
        return try await taskList(await marathon.allTasks().filter { status == nil || $0.state.rawValue == status })
    }

    /// More than any agent has is refused now (a clusterbox addition: Marathon would wait forever).
    func checkFits(_ app: App) async throws {
        let core = await cluster.master.snapshot()
        let agents = core.agents.values.filter(\.isActive)
        let needed = app.resources
        guard !agents.contains(where: { $0.total.contains(needed) }) else { return }
        let largest = Set(agents.map(\.total.scalars.description)).sorted().joined(separator: ", ")
        throw MarathonError.invalid(
            message: MarathonError.notValid,
            details: [
                FieldError(
                    path: "/",
                    errors: [
                        "no agent can ever fit \(needed): agents offer at most \(largest.isEmpty ? "nothing" : largest)"
                    ])
            ])
    }
}
