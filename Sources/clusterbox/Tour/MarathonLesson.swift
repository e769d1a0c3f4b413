import Foundation

/// Lesson 3: Marathon keeps N instances alive: deploy an app of 2 health-checked web servers, scale it to 3, kill a
/// task and time its replacement, and read the health check results.
struct MarathonLesson: Lesson {
    let number = 3
    let title = "Marathon: scale an app, kill a task, watch the replacement"
    let summary = "deploy 2 health-checked instances, scale to 3, kill one, time the replacement"

    static let id = "/tour/web"

    func run(_ session: TourSession) throws {
        let marathon = session.marathon
        try session.step("Deploy an app of 2 instances")
        session.say(
            """
            Marathon is a framework on the master like any other: it gets resources only through offers. You tell
            it *what* should run (an app: a command, cpus, mem, instances, health checks) and it keeps that many
            tasks running. POST /v2/apps {"id": "\(Self.id)", "instances": 2, "cpus": 0.1, "mem": 64,
            "healthChecks": [{"protocol": "HTTP", "path": "/health", "intervalSeconds": 1}], …}
            """)
        let start = Date()
        try Workloads.createApp(session, Workloads.marathonApp(Self.id, instances: 2))
        let first = try Workloads.waitHealthy(marathon, Self.id, count: 2)
        session.check(
            "2 tasks run and pass their HTTP health checks", first != nil,
            measured: first != nil ? "2/2 healthy after \(elapsed(since: start))" : try Self.progress(marathon))
        guard let first else { return }
        for task in first { session.say("  \(Self.describe(task))") }

        try session.step("Scale to 3")
        session.say(
            "PUT /v2/apps\(Self.id) {\"instances\": 3}: Marathon waits for an offer that fits, and launches one more.")
        try Workloads.waitDeployed(marathon, Self.id)
        let scaleStart = Date()
        let (status, _) = try jsonRequest(marathon, "PUT", "/v2/apps/\(Workloads.appPath(Self.id))", ["instances": 3])
        guard status == 200 else { throw CLIError("scaling answered HTTP \(status)") }
        let scaled = try Workloads.waitHealthy(marathon, Self.id, count: 3)
        session.check(
            "the app has 3 healthy tasks", scaled != nil,
            measured: scaled != nil ? "3/3 healthy after \(elapsed(since: scaleStart))" : try Self.progress(marathon))
        guard let scaled else { return }

        try session.step("Kill a task and watch the replacement")
        let victim = scaled[0]["id"] as? String ?? ""
        session.say(
            """
            DELETE /v2/apps\(Self.id)/tasks/\(victim)
            The task ends (TASK_KILLED); the app still wants 3 instances, so Marathon launches a replacement on
            the next offer that fits: it reconciles what runs with what was asked for.
            """)
        let killStart = Date()
        let killed = try marathon.request("DELETE", "/v2/apps/\(Workloads.appPath(Self.id))/tasks/\(victim)")
        guard killed.status == 200 else { throw CLIError("killing the task answered HTTP \(killed.status)") }
        let replaced = try poll(timeoutSeconds: 90, intervalSeconds: 0.05) { () -> [[String: Any]]? in
            let tasks = try Workloads.tasks(marathon, Self.id).filter(Workloads.healthy)
            return tasks.count == 3 && !tasks.contains { $0["id"] as? String == victim } ? tasks : nil
        }
        let fresh = replaced?.first { task in !scaled.contains { $0["id"] as? String == task["id"] as? String } }
        session.check(
            "a new task replaced the killed one: 3 healthy again, the killed one gone", replaced != nil && fresh != nil,
            measured: replaced != nil
                ? "replacement healthy \(elapsed(since: killStart)) after the kill" : try Self.progress(marathon))

        try session.step("Health checks")
        if let fresh {
            let results = fresh["healthCheckResults"] as? [[String: Any]] ?? []
            session.say("the replacement: \(Self.describe(fresh))")
            for result in results {
                session.say(
                    "  healthCheckResults: alive \((result["alive"] as? Bool).map(String.init) ?? "?"), consecutiveFailures "
                        + "\(result["consecutiveFailures"] ?? "?"), firstSuccess \(result["firstSuccess"] ?? "?")")
            }
        }
        let app = try Workloads.app(marathon, Self.id)
        let healthy = app["tasksHealthy"] as? Int ?? -1
        let running = app["tasksRunning"] as? Int ?? -1
        session.check(
            "Marathon counts 3 running and 3 healthy tasks", healthy == 3 && running == 3,
            measured: "tasksRunning \(running), tasksHealthy \(healthy)")
        session.say(
            """
            A task is only "healthy" once its check has passed; one that fails maxConsecutiveFailures (3) checks
            in a row is killed and replaced like the one above. Try it: clusterbox app tasks \(Self.id)
            """)
    }

    static func describe(_ task: [String: Any]) -> String {
        let ports = (task["ports"] as? [Int] ?? []).map(String.init).joined(separator: ",")
        let health = Workloads.healthy(task) ? "healthy" : "not healthy yet"
        return "\(task["id"] as? String ?? "?")  \(task["host"] as? String ?? "?"):\(ports)  "
            + "\(task["state"] as? String ?? "?")  \(health)"
    }

    static func progress(_ marathon: HTTPClient) throws -> String {
        let app = try Workloads.app(marathon, id)
        return "tasksRunning \(app["tasksRunning"] ?? "?"), tasksHealthy \(app["tasksHealthy"] ?? "?")"
    }
}
