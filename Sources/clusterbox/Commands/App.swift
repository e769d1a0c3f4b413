import ArgumentParser
import BoxServer
import Foundation
import Yams

/// `clusterbox app deploy|list|show|scale|restart|delete|tasks|versions`: Marathon apps through the `/v2` API.
struct AppCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Deploy and manage Marathon apps (long-running services).",
        subcommands: [
            Deploy.self, List.self, Show.self, Scale.self, Restart.self, Delete.self, Tasks.self, Versions.self,
        ],
        defaultSubcommand: List.self)

    struct Deploy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or update apps from a Marathon app definition (JSON or YAML; one app or a list).")

        @OptionGroup var cluster: ClusterOptions

        @Option(name: .shortAndLong, help: "The app definition file (.json, .yaml or .yml; - for stdin).")
        var file: String

        @Flag(name: .long, help: "Cancel deployments in progress on the same apps.")
        var force = false

        @Flag(name: .long, inversion: .prefixedNo, help: "Wait until the deployment has finished.")
        var wait = true

        func run() throws {
            let (info, _) = try cluster.connect()
            let marathon = info.marathon
            for app in try Self.read(file) {
                guard let id = app["id"] as? String else { throw CLIError("\(file): every app needs an \"id\"") }
                let body = try JSONSerialization.data(withJSONObject: app)
                let exists = try marathon.get("/v2/apps/\(Self.path(id))").status == 200
                let response =
                    exists
                    ? try marathon.request("PUT", "/v2/apps/\(Self.path(id))?force=\(force)", json: body)
                    : try marathon.request("POST", "/v2/apps?force=\(force)", json: body)
                guard [200, 201].contains(response.status) else { throw CLIError("\(id): \(response.errorMessage)") }
                let deployment = response.headers["marathon-deployment-id"] ?? Self.deploymentID(response.body)
                print("\(exists ? "updated" : "created") \(id) (deployment \(deployment ?? "none"))")
                if wait, let deployment { try Self.waitFor(deployment, app: id, marathon) }
            }
        }

        /// JSON or YAML, one app or a list of apps.
        static func read(_ file: String) throws -> [[String: Any]] {
            let data: Data
            do {
                data =
                    file == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CLIError("cannot read \(file): \((error as NSError).localizedDescription)")
            }
            let text = String(decoding: data, as: UTF8.self)
            let parsed: Any?
            if let json = try? JSONSerialization.jsonObject(with: data) {
                parsed = json
            } else {
                do {
                    parsed = try Yams.load(yaml: text)
                } catch {
                    throw CLIError("\(file) is neither JSON nor YAML: \(error)")
                }
            }
            if let one = parsed as? [String: Any] { return [one] }
            if let many = parsed as? [[String: Any]] { return many }
            throw CLIError("\(file): expected an app definition (an object) or a list of them")
        }

        static func deploymentID(_ body: Data) -> String? {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
            return object["deploymentId"] as? String ?? (object["deployments"] as? [[String: Any]])?.first?["id"]
                as? String
        }

        /// Polls until the deployment is gone from `/v2/deployments`, showing the app's progress: a line per change,
        /// each with the seconds since the wait began.
        static func waitFor(_ deployment: String, app id: String, _ marathon: HTTPClient) throws {
            let started = Date()
            var last = ""
            while Date().timeIntervalSince(started) < 600 {
                let list = try JSONSerialization.jsonObject(with: try marathon.get("/v2/deployments").body)
                let active = (list as? [[String: Any]] ?? []).first { $0["id"] as? String == deployment }
                let app =
                    try? JSONSerialization.jsonObject(with: try marathon.get("/v2/apps/\(path(id))").body)
                    as? [String: Any]
                let detail = (app?["app"] as? [String: Any]).map(progress) ?? ""
                let elapsed = " " + Terminal.dim("(\(Terminal.seconds(Date().timeIntervalSince(started))))")
                guard let active else {
                    print("  done: \(detail)" + elapsed)
                    return
                }
                let step = "step \(active["currentStep"] ?? "?")/\(active["totalSteps"] ?? "?")"
                let actions = (active["currentActions"] as? [[String: Any]] ?? []).compactMap {
                    $0["action"] as? String
                }
                let line = "  \(step) \(actions.joined(separator: ",")): \(detail)"
                if line != last { print(line + elapsed) }  // each change, with the time since the deploy began
                last = line
                usleep(200_000)
            }
            throw CLIError("deployment \(deployment) has not finished after 10 minutes")
        }

        static func progress(_ app: [String: Any]) -> String {
            let instances = app["instances"] as? Int ?? 0
            let running = app["tasksRunning"] as? Int ?? 0
            let healthy = app["tasksHealthy"] as? Int ?? 0
            let checks = (app["healthChecks"] as? [Any])?.isEmpty == false
            return "\(running)/\(instances) running" + (checks ? ", \(healthy)/\(instances) healthy" : "")
        }

        /// `/prod/web` → `prod/web` for a URL path.
        static func path(_ id: String) -> String { id.split(separator: "/").joined(separator: "/") }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List apps with their instances and health.")

        /// The listing's API document: Marathon's apps with their task counts and deployments.
        static let path = "/v2/apps?embed=apps.counts&embed=apps.deployments"

        @OptionGroup var cluster: ClusterOptions

        @Flag(name: .long, help: "Print JSON: the document of GET \(List.path).")
        var json = false

        func run() throws {
            let (info, _) = try cluster.connect()
            let body = try info.marathon.get(Self.path)
            guard body.status == 200 else { throw CLIError(body.errorMessage) }
            if json { return try Terminal.printJSON(body: body.body) }
            let apps =
                (try JSONSerialization.jsonObject(with: body.body) as? [String: Any])?["apps"] as? [[String: Any]]
            printTable(
                ["ID", "INSTANCES", "RUNNING", "HEALTHY", "CPUS", "MEM", "DEPLOYING", "CMD"],
                (apps ?? []).map { app in
                    [
                        app["id"] as? String ?? "?", "\(app["instances"] ?? 0)", "\(app["tasksRunning"] ?? 0)",
                        (app["healthChecks"] as? [Any])?.isEmpty == false ? "\(app["tasksHealthy"] ?? 0)" : "-",
                        format(app["cpus"] as? Double ?? 0), format(app["mem"] as? Double ?? 0),
                        (app["deployments"] as? [Any])?.isEmpty == false ? "yes" : "no",
                        app["cmd"] as? String ?? (app["args"] as? [String])?.joined(separator: " ") ?? "",
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an app's definition and state as JSON.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id, e.g. /prod/web.") var id: String

        func run() throws {
            let (info, _) = try cluster.connect()
            let response = try info.marathon.get("/v2/apps/\(Deploy.path(id))")
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            let object = try JSONSerialization.jsonObject(with: response.body)
            let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: pretty, as: UTF8.self))
        }
    }

    struct Scale: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an app's number of instances.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id.") var id: String
        @Argument(help: "Instances wanted.") var instances: Int
        @Flag(name: .long, help: "Cancel deployments in progress on the app.") var force = false

        func run() throws {
            let (info, _) = try cluster.connect()
            try change("PUT", "/v2/apps/\(Deploy.path(id))?force=\(force)", ["instances": instances], info, id)
        }
    }

    struct Restart: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace every task of an app, rolling, as its upgrade strategy allows.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id.") var id: String
        @Flag(name: .long, help: "Cancel deployments in progress on the app.") var force = false

        func run() throws {
            let (info, _) = try cluster.connect()
            try change("POST", "/v2/apps/\(Deploy.path(id))/restart?force=\(force)", nil, info, id)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an app and kill its tasks.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id.") var id: String
        @Flag(name: .long, help: "Cancel deployments in progress on the app.") var force = false

        func run() throws {
            let (info, _) = try cluster.connect()
            try change("DELETE", "/v2/apps/\(Deploy.path(id))?force=\(force)", nil, info, id)
        }
    }

    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An app's tasks: where, which ports, health.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id.") var id: String
        @Flag(name: .long, help: "Print JSON: the document of GET /v2/apps/ID/tasks.") var json = false

        func run() throws {
            let (info, _) = try cluster.connect()
            let response = try info.marathon.get("/v2/apps/\(Deploy.path(id))/tasks")
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            if json { return try Terminal.printJSON(body: response.body) }
            let tasks =
                (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["tasks"] as? [[String: Any]]
            printTable(
                ["TASK", "HOST", "PORTS", "STATE", "HEALTHY", "STARTED", "VERSION"],
                (tasks ?? []).map { task in
                    let results = task["healthCheckResults"] as? [[String: Any]] ?? []
                    let healthy =
                        results.isEmpty ? "-" : results.allSatisfy { $0["alive"] as? Bool == true } ? "yes" : "no"
                    return [
                        task["id"] as? String ?? "?", task["host"] as? String ?? "",
                        (task["ports"] as? [Int] ?? []).map(String.init).joined(separator: ","),
                        task["state"] as? String ?? "", healthy, task["startedAt"] as? String ?? "-",
                        task["version"] as? String ?? "",
                    ]
                })
        }
    }

    struct Versions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An app's stored versions, newest first.")

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The app id.") var id: String
        @Flag(name: .long, help: "Print JSON: the document of GET /v2/apps/ID/versions.") var json = false

        func run() throws {
            let (info, _) = try cluster.connect()
            let response = try info.marathon.get("/v2/apps/\(Deploy.path(id))/versions")
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            if json { return try Terminal.printJSON(body: response.body) }
            let versions =
                (try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["versions"] as? [String]
            for version in versions ?? [] { print(version) }
        }
    }
}

/// Sends a deployment-making request and waits for the deployment.
private func change(_ method: String, _ path: String, _ body: [String: Any]?, _ info: ClusterInfo, _ id: String)
    throws
{
    let json = try body.map { try JSONSerialization.data(withJSONObject: $0) }
    let response = try info.marathon.request(method, path, json: json)
    guard response.status == 200 else { throw CLIError(response.errorMessage) }
    guard let deployment = AppCommand.Deploy.deploymentID(response.body) else { return }
    print("deployment \(deployment)")
    if method != "DELETE" { try AppCommand.Deploy.waitFor(deployment, app: id, info.marathon) }
}
