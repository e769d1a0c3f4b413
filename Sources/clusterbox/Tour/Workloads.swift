import Foundation

/// The small web server the lessons deploy, and the Marathon and Kubernetes calls they share.
enum Workloads {
    /// A shell command running a tiny HTTP server on `$PORT0` (Marathon) or `$PORT` (Kubernetes): `GET /` answers
    /// `<task or pod name> on port <port>`, anything else `ok`. Python's standard library only.
    static let webServer = """
        exec python3 - <<'PY'
        import http.server, os, socketserver
        NAME = os.environ.get("MESOS_TASK_ID") if "PORT0" in os.environ else os.environ.get("HOSTNAME", "?")
        PORT = int(os.environ.get("PORT0") or os.environ.get("PORT"))
        VERSION = os.environ.get("VERSION", "v1")
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (f"{NAME} on port {PORT} ({VERSION})\\n" if self.path == "/" else "ok\\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads, allow_reuse_address = True, True
        Server(("127.0.0.1", PORT), Handler).serve_forever()
        PY
        """

    // MARK: - Marathon

    /// A Marathon app of `instances` web servers with an HTTP health check on `/health`; `portLabels` go on its port.
    static func marathonApp(_ id: String, instances: Int, portLabels: [String: String] = [:]) -> [String: Any] {
        [
            "id": id, "cmd": webServer, "cpus": 0.1, "mem": 64, "instances": instances,
            "portDefinitions": [["port": 0, "name": "http", "labels": portLabels]],
            "healthChecks": [
                [
                    "protocol": "HTTP", "path": "/health", "portIndex": 0, "gracePeriodSeconds": 15,
                    "intervalSeconds": 1, "timeoutSeconds": 2, "maxConsecutiveFailures": 3,
                ]
            ],
        ]
    }

    /// `/tour/web` → `tour/web`.
    static func appPath(_ id: String) -> String { id.split(separator: "/").joined(separator: "/") }

    /// Creates the app; registers its deletion with the session.
    static func createApp(_ session: TourSession, _ app: [String: Any]) throws {
        let id = app["id"] as? String ?? ""
        session.onCleanup("app \(id)") { try deleteApp(session.marathon, id) }
        var (status, body) = try jsonRequest(session.marathon, "POST", "/v2/apps?force=true", app)
        if status == 409 {
            // Left over from an earlier tour that was interrupted: the tour's app ids are its own.
            session.say("(app \(id) is left over from an earlier tour: deleting it first)")
            try deleteApp(session.marathon, id)
            (status, body) = try jsonRequest(session.marathon, "POST", "/v2/apps?force=true", app)
        }
        guard status == 201 || status == 200 else {
            throw CLIError("creating \(id) answered HTTP \(status): \(String(describing: body))")
        }
    }

    /// Deletes an app and waits (up to 30 s) until Marathon no longer knows it.
    static func deleteApp(_ marathon: HTTPClient, _ id: String) throws {
        _ = try marathon.request("DELETE", "/v2/apps/\(appPath(id))?force=true")
        _ = poll(timeoutSeconds: 30, intervalSeconds: 0.2) {
            (try? marathon.get("/v2/apps/\(appPath(id))").status) == 404 ? true : nil
        }
    }

    /// The app's JSON object (`GET /v2/apps/ID` → `app`).
    static func app(_ marathon: HTTPClient, _ id: String) throws -> [String: Any] {
        let (status, body) = try jsonRequest(marathon, "GET", "/v2/apps/\(appPath(id))")
        guard status == 200, let app = (body as? [String: Any])?["app"] as? [String: Any] else {
            throw CLIError("GET /v2/apps/\(appPath(id)) answered HTTP \(status)")
        }
        return app
    }

    /// The app's tasks (`GET /v2/apps/ID/tasks`).
    static func tasks(_ marathon: HTTPClient, _ id: String) throws -> [[String: Any]] {
        let (_, body) = try jsonRequest(marathon, "GET", "/v2/apps/\(appPath(id))/tasks")
        return (body as? [String: Any])?["tasks"] as? [[String: Any]] ?? []
    }

    /// Waits (up to 30 s) until no deployment of the app is in progress: Marathon answers a change to an app
    /// in a deployment with 409.
    static func waitDeployed(_ marathon: HTTPClient, _ id: String) throws {
        _ = try poll(timeoutSeconds: 30, intervalSeconds: 0.1) {
            ((try app(marathon, id))["deployments"] as? [Any] ?? []).isEmpty ? true : nil
        }
    }

    /// True for a running task whose every health check has passed.
    static func healthy(_ task: [String: Any]) -> Bool {
        let results = task["healthCheckResults"] as? [[String: Any]] ?? []
        return task["state"] as? String == "TASK_RUNNING" && !results.isEmpty
            && results.allSatisfy { $0["alive"] as? Bool == true }
    }

    /// Waits (up to `timeoutSeconds`) until the app has `count` running, healthy tasks; returns them.
    static func waitHealthy(_ marathon: HTTPClient, _ id: String, count: Int, timeoutSeconds: Double = 90) throws
        -> [[String: Any]]?
    {
        try poll(timeoutSeconds: timeoutSeconds, intervalSeconds: 0.1) {
            let tasks = try Self.tasks(marathon, id).filter(healthy)
            return tasks.count == count ? tasks : nil
        }
    }

    // MARK: - Kubernetes

    /// A pod template of the web server (`image: host`, one container port, a readiness probe on `/health`).
    static func podTemplate(labels: [String: String], version: String = "v1") -> [String: Any] {
        [
            "metadata": ["labels": labels],
            "spec": [
                "containers": [
                    [
                        "name": "web", "image": "host", "command": ["sh", "-c", webServer],
                        "env": [["name": "VERSION", "value": version]],
                        "ports": [["containerPort": 8000, "name": "http"]],
                        "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]],
                        "readinessProbe": [
                            "httpGet": ["path": "/health", "port": 8000], "periodSeconds": 1,
                        ],
                    ]
                ]
            ],
        ]
    }

    /// Creates a Kubernetes object at `collection`; registers its deletion (with its dependents) with the session.
    @discardableResult
    static func createObject(_ session: TourSession, _ collection: String, _ object: [String: Any]) throws
        -> [String: Any]
    {
        let kube = try session.kubeClient()
        let name = (object["metadata"] as? [String: Any])?["name"] as? String ?? ""
        let kind = object["kind"] as? String ?? "object"
        // Workload controllers are deleted in the foreground, so that their pods are gone when the delete is done.
        let foreground = ["Deployment", "ReplicaSet", "ReplicationController"].contains(kind)
        session.onCleanup("\(kind) \(name)") { try deleteObject(kube, "\(collection)/\(name)", foreground: foreground) }
        var response = try kube.request("POST", collection, body: object)
        if response.status == 409 {
            // Left over from an earlier tour that was interrupted: the tour's names are its own.
            session.say("(\(kind) \(name) is left over from an earlier tour: deleting it first)")
            try deleteObject(kube, "\(collection)/\(name)", foreground: foreground)
            response = try kube.request("POST", collection, body: object)
        }
        guard response.status == 201 || response.status == 200 else {
            throw CLIError("creating \(name) answered HTTP \(response.status): \(response.message)")
        }
        return response.object
    }

    /// Deletes an object (with `foreground`, after its dependents), and waits up to 30 s until it is gone.
    static func deleteObject(_ kube: KubeClient, _ path: String, foreground: Bool) throws {
        let response = try kube.request("DELETE", path + (foreground ? "?propagationPolicy=Foreground" : ""))
        guard response.status != 404 else { return }
        _ = poll(timeoutSeconds: 30, intervalSeconds: 0.2) { (try? kube.get(path).status) == 404 ? true : nil }
    }

    /// The items of a list (`GET path`).
    static func items(_ kube: KubeClient, _ path: String) throws -> [[String: Any]] {
        let response = try kube.get(path)
        guard response.status == 200 else { throw CLIError("GET \(path) answered HTTP \(response.status)") }
        return response.object["items"] as? [[String: Any]] ?? []
    }

    static func name(_ object: [String: Any]) -> String {
        (object["metadata"] as? [String: Any])?["name"] as? String ?? "?"
    }

    /// True for a Running pod whose Ready condition is True and that is not being deleted.
    static func podReady(_ pod: [String: Any]) -> Bool {
        let metadata = pod["metadata"] as? [String: Any] ?? [:]
        let status = pod["status"] as? [String: Any] ?? [:]
        let conditions = status["conditions"] as? [[String: Any]] ?? []
        return metadata["deletionTimestamp"] == nil && status["phase"] as? String == "Running"
            && conditions.contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }
    }

    /// Waits (up to `timeoutSeconds`) until exactly `count` pods match `selector` and are ready; returns them.
    static func waitReadyPods(_ kube: KubeClient, selector: String, count: Int, timeoutSeconds: Double = 90) throws
        -> [[String: Any]]?
    {
        let encoded = selector.replacingOccurrences(of: "=", with: "%3D").replacingOccurrences(of: ",", with: "%2C")
        let path = "/api/v1/namespaces/default/pods?labelSelector=\(encoded)"
        return try poll(timeoutSeconds: timeoutSeconds, intervalSeconds: 0.2) {
            let pods = try items(kube, path)
            let live = pods.filter { ($0["metadata"] as? [String: Any])?["deletionTimestamp"] == nil }
            return live.count == count && live.allSatisfy(podReady) ? live : nil
        }
    }
}
