import BoxServer
import Foundation

/// Lesson 6: the same web server deployed through Marathon (an app of 2) and through Kubernetes (a Deployment of 2
/// and a Service), then what each layer knows: the master only tasks and resources per framework, Marathon its app
/// and health, Kubernetes its objects, labels, owners and endpoints; and who decided where each task runs.
struct SideBySideLesson: Lesson {
    let number = 6
    let title = "Mesos vs Kubernetes, side by side"
    let summary = "one app through Marathon and as a Deployment: what the master, Marathon and Kubernetes each know"

    static let appID = "/tour/same"
    static let name = "tour-same"

    func run(_ session: TourSession) throws {
        let marathon = session.marathon
        let kube = try session.kubeClient()
        try session.step("Deploy the same web server twice")
        session.say(
            """
            Through Marathon: an app "\(Self.appID)" of 2 instances (0.1 CPU, 64 MB each, HTTP health check).
            Through Kubernetes: a Deployment "\(Self.name)" of 2 replicas (100m CPU, 64Mi each, readiness probe)
            and a Service "\(Self.name)" in front of it. Both frameworks get their resources from the same master.
            """)
        let start = Date()
        try Workloads.createApp(session, Workloads.marathonApp(Self.appID, instances: 2))
        try Workloads.createObject(
            session, KubernetesLesson.deployments,
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": Self.name],
                "spec": [
                    "replicas": 2, "selector": ["matchLabels": ["app": Self.name]],
                    "template": Workloads.podTemplate(labels: ["app": Self.name]),
                ],
            ])
        try Workloads.createObject(
            session, "/api/v1/namespaces/default/services",
            [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": Self.name],
                "spec": ["selector": ["app": Self.name], "ports": [["port": 80, "targetPort": 8000]]],
            ])
        let appTasks = try Workloads.waitHealthy(marathon, Self.appID, count: 2)
        let pods = try Workloads.waitReadyPods(kube, selector: "app=\(Self.name)", count: 2)
        session.check(
            "both are up: 2 healthy Marathon tasks and 2 ready pods", appTasks != nil && pods != nil,
            measured: "\(appTasks?.count ?? 0) tasks, \(pods?.count ?? 0) pods, after \(elapsed(since: start))")
        guard let appTasks, let pods else { return }

        try session.step("What the master knows")
        let state = try session.master.json(MesosState.self, "/master/state")
        let hosts = Dictionary(state.slaves.map { ($0.id, $0.hostname) }, uniquingKeysWith: { a, _ in a })
        let appTaskIDs = Set(appTasks.compactMap { $0["id"] as? String })
        let podNames = pods.map(Workloads.name)
        var masterTasks: [(framework: String, task: MesosState.Task)] = []
        for framework in state.frameworks {
            for task in framework.tasks
            where appTaskIDs.contains(task.id) || podNames.contains(where: { task.id.hasPrefix("default.\($0).") }) {
                masterTasks.append((framework.name, task))
            }
        }
        session.say("GET /master/state: the master's tasks for both (framework, task, agent, resources):")
        for (framework, task) in masterTasks {
            session.say(
                "  \(framework.padding(toLength: 11, withPad: " ", startingAt: 0)) \(task.id)  "
                    + "\(hosts[task.slave_id] ?? "?")  cpus \(task.resources.cpus) mem \(Int(task.resources.mem))  \(task.state)"
            )
        }
        let byFramework = Dictionary(grouping: masterTasks, by: \.framework).mapValues(\.count)
        session.check(
            "the master runs 2 tasks for framework marathon and 2 for framework kubernetes, all TASK_RUNNING",
            byFramework["marathon"] == 2 && byFramework["kubernetes"] == 2
                && masterTasks.allSatisfy { $0.task.state == "TASK_RUNNING" },
            measured: byFramework.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        let marathonAgents = masterTasks.filter { $0.framework == "marathon" }.map { hosts[$0.task.slave_id] ?? "?" }
        let kubeAgents = masterTasks.filter { $0.framework == "kubernetes" }.map { hosts[$0.task.slave_id] ?? "?" }
        session.say(
            "placed by Marathon on \(marathonAgents.sorted().joined(separator: ", ")); by the Kubernetes scheduler "
                + "on \(kubeAgents.sorted().joined(separator: ", ")) (it spreads one owner's replicas over nodes)")
        session.say(
            """
            That is all the master knows: tasks, the resources they hold, and whose they are. It has no idea that
            they are "2 instances of an app" or "2 replicas of a Deployment": it only divides resources (DRF) and
            offers them.
            """)

        try session.step("What Marathon knows")
        let app = try Workloads.app(marathon, Self.appID)
        session.say(
            "app \(Self.appID): instances \(app["instances"] ?? "?"), tasksRunning \(app["tasksRunning"] ?? "?"), "
                + "tasksHealthy \(app["tasksHealthy"] ?? "?"), version \(app["version"] ?? "?")")
        let marathonPlaces = Set(
            appTasks.compactMap { task in (task["id"] as? String).map { "\($0)@\(task["slaveId"] ?? "")" } })
        let masterPlaces = Set(
            masterTasks.filter { $0.framework == "marathon" }.map { "\($0.task.id)@\($0.task.slave_id)" })
        session.check(
            "Marathon's tasks are the master's marathon tasks, on the agents Marathon chose from its offers",
            marathonPlaces == masterPlaces, measured: "\(marathonPlaces.count) of \(masterPlaces.count) match")

        try session.step("What Kubernetes knows")
        for pod in pods {
            let labels = ((pod["metadata"] as? [String: Any])?["labels"] as? [String: String] ?? [:])
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let node = (pod["spec"] as? [String: Any])?["nodeName"] as? String ?? "?"
            session.say(
                "  Pod \(Workloads.name(pod)) on node \(node), owner \(KubernetesLesson.owner(of: pod)), labels \(labels)"
            )
        }
        let placements = pods.map { pod -> (String, String) in
            let node = (pod["spec"] as? [String: Any])?["nodeName"] as? String ?? "?"
            let task = masterTasks.first { $0.task.id.hasPrefix("default.\(Workloads.name(pod)).") }
            return (node, task.flatMap { hosts[$0.task.slave_id] } ?? "none")
        }
        session.check(
            "each pod's node (the Kubernetes scheduler's choice) is the agent where the master runs its task",
            placements.allSatisfy { $0.0 == $0.1 },
            measured: placements.map { "node \($0.0) = agent \($0.1)" }.joined(separator: ", "))
        let endpoints = try kube.get("/api/v1/namespaces/default/endpoints/\(Self.name)").object
        let addresses = (endpoints["subsets"] as? [[String: Any]] ?? []).flatMap {
            $0["addresses"] as? [[String: Any]] ?? []
        }
        let service = try kube.get("/api/v1/namespaces/default/services/\(Self.name)").object
        let clusterIP = (service["spec"] as? [String: Any])?["clusterIP"] as? String ?? "?"
        session.check(
            "the Service's Endpoints list the 2 ready pods (found by its selector app=\(Self.name))",
            addresses.count == 2, measured: "\(addresses.count) addresses, cluster IP \(clusterIP)")
        if let address = session.info.dnsAddress, let port = session.info.dnsPort {
            let dns = DNSLookup(server: address, port: port)
            let name = "\(Self.name).default.svc.cluster.local"
            let answer = try dns.lookup(name, .a)
            session.say("\(dns.command(name, .a))\n  \(answer.joined(separator: "\n  "))")
            session.check(
                "\(name) resolves to the Service's cluster IP", answer == [clusterIP],
                measured: answer.joined(separator: ", "))
        }

        try session.step("Who decides what")
        session.say(
            """
                                 Mesos + Marathon                  Kubernetes (on this master)
              divides resources  the master (DRF offers)           the master (DRF offers)
              places a task      Marathon, from its offers         the kube scheduler, from its offers
              keeps N alive      Marathon (app instances)          ReplicaSet controller (replicas)
              groups tasks by    app id                            labels + selectors
              health             Marathon health checks            readiness/liveness probes
              stable name        VIP label + Mesos-DNS             Service + cluster.local DNS
            Mesos is resource-oriented: it only shares out the cluster. Kubernetes is application-oriented:
            its objects describe the app, and controllers make the world match them.
            """)
    }
}
