import BoxCore
import BoxDiscovery
import BoxKube
import BoxMarathon
import BoxMaster

/// Reading the running cluster: the master (a copy of its core), Marathon, the Kubernetes objects in the store and
/// the discovery registry. Each read is one `await` per component; the shaping is the pure code of
/// `DashboardSnapshot` and `KubeTree`.
extension DashboardSnapshot {
    static func current(_ cluster: Cluster) async -> DashboardSnapshot {
        let core = await cluster.master.snapshot()
        let (frameworks, agents, tasks) = resources(of: core)
        return DashboardSnapshot(
            time: cluster.clock.now.secondsSinceEpoch, total: vector(core.clusterTotal), frameworks: frameworks,
            agents: agents, tasks: tasks, apps: await apps(cluster.marathon), kube: await kube(cluster.kube),
            services: await services(cluster.discovery),
            timeline: await kubeEvents(cluster.kube).suffix(100).map(\.sentence))
    }

    /// Every Marathon app with its task counts, health and deployments in progress.
    static func apps(_ marathon: MarathonService) async -> [MarathonApp] {
        let deployments = await marathon.deployments()
        var out: [MarathonApp] = []
        for app in await marathon.apps().sorted(by: { $0.id < $1.id }) {
            let tasks = await marathon.tasks(of: app.id)
            let mine = deployments.filter { $0.affectedApps.contains(app.id) }.sorted { $0.id < $1.id }
            out.append(
                MarathonApp(
                    id: app.id.description, instances: app.instances,
                    staged: tasks.count { $0.state == .staging || $0.state == .starting },
                    running: tasks.count(where: \.isRunning), healthy: tasks.count(where: \.isHealthy),
                    unhealthy: tasks.count { $0.isRunning && $0.health.contains { $0.alive == false } },
                    has_health_checks: !app.healthChecks.isEmpty, cpus: app.cpus, mem: app.mem,
                    deployments: mine.map { deployment in
                        Deployment(
                            id: deployment.id, step: min(deployment.currentStep + 1, deployment.steps.count),
                            steps: deployment.steps.count,
                            actions: deployment.currentActions.map { TimelineNarrator.describe($0) })
                    }))
        }
        return out
    }

    /// The Kubernetes workloads and Services as trees. A kind that cannot be listed is left out.
    static func kube(_ api: KubeAPI) async -> [KubeTree.Node] {
        func list(_ type: ResourceType) async -> [JSONValue] {
            (try? await api.list(type, namespace: nil).items) ?? []
        }
        var objects = KubeTree.Objects()
        objects.deployments = await list(.deployment)
        objects.replicaSets = await list(.replicaSet)
        objects.replicationControllers = await list(.replicationController)
        objects.jobs = await list(.job)
        objects.pods = await list(.pod)
        objects.services = await list(.service)
        objects.endpoints = await list(.endpoints)
        return KubeTree.build(objects)
    }

    /// The Kubernetes Events in the store, oldest first, each with a key that changes when it repeats.
    static func kubeEvents(_ api: KubeAPI) async -> [(key: String, sentence: TimelineNarrator.Sentence)] {
        let events = (try? await api.list(.event, namespace: nil).items) ?? []
        return events.compactMap { event -> (String, TimelineNarrator.Sentence)? in
            let stamp = event["lastTimestamp"]?.stringValue ?? event["firstTimestamp"]?.stringValue ?? ""
            let time = KubeTime.parse(stamp)?.secondsSinceEpoch ?? 0
            guard let sentence = TimelineNarrator.sentence(forKubeEvent: event, time: time) else { return nil }
            return ("\(event.namespace)/\(event.name)#\(event["count"]?.intValue ?? 1)", sentence)
        }.sorted { ($0.1.time, $0.0) < ($1.1.time, $1.0) }
    }

    /// The load balancer's virtual services with their DNS names, VIPs, current endpoints and counters.
    static func services(_ discovery: DiscoveryService) async -> [Service] {
        let counters = Dictionary(
            discovery.balancer.statistics().map { ("\($0.endpoint)", $0) }, uniquingKeysWith: { first, _ in first })
        return await discovery.virtualServices.map { entry in
            let counted = counters["\(VirtualService(entry).endpoint)"]
            return Service(
                name: entry.name, framework: entry.framework, dns: "\(entry.dnsName)", vip: "\(entry.address)",
                port: Int(entry.port), listening: counted?.isListening ?? false,
                connections_total: counted?.connectionsTotal ?? 0,
                connections_active: counted?.connectionsActive ?? 0,
                endpoints: (counted?.backends ?? []).filter(\.isCurrent).map { "\($0.backend.host):\($0.backend.port)" }
                    .sorted())
        }.sorted { ($0.name, $0.port) < ($1.name, $1.port) }
    }
}
