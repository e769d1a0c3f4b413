import BoxCore
import BoxMaster
import Hummingbird

/// The Mesos operator endpoints: health, version, state and its subsets, redirect, metrics.
struct MasterRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        for path in ["/health", "/master/health"] {
            router.get(RouterPath(path)) { _, _ in Response(status: .ok) }
        }
        router.get("/version") { _, _ in
            JSON.response([
                "version": MesosVersion.version, "git_sha": MesosVersion.gitSHA, "build_date": MesosVersion.buildDate,
                "build_time": "0", "build_user": "clusterbox", "git_tag": MesosVersion.version,
            ])
        }
        for path in ["/master/state", "/master/state.json", "/state", "/state.json"] {
            router.get(RouterPath(path)) { _, _ in JSON.response(try await state()) }
        }
        router.get("/master/frameworks") { _, _ in
            let state = try await state()
            return JSON.response(
                FrameworksView(frameworks: state.frameworks, completed_frameworks: state.completed_frameworks))
        }
        router.get("/master/slaves") { _, _ in
            JSON.response(SlavesView(slaves: try await state().slaves, recovered_slaves: []))
        }
        router.get("/master/tasks") { _, _ in
            let state = try await state()
            return JSON.response([
                "tasks": state.frameworks.flatMap { $0.tasks + $0.unreachable_tasks + $0.completed_tasks }
            ])
        }
        for path in ["/master/redirect", "/redirect"] {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .temporaryRedirect,
                    headers: [.location: "//\(cluster.config.host):\(cluster.config.masterPort)"])
            }
        }
        router.get("/metrics") { _, _ in
            let core = await cluster.master.snapshot()
            let timings = await cluster.master.allocationSeconds
            let text =
                MetricsText.render(core: core, timings: timings, listeners: cluster.master.events.listenerCount)
                + MetricsText.discovery(
                    dns: await cluster.discovery.dnsStatistics, services: cluster.discovery.balancer.statistics())
                + MetricsText.tasks(await cluster.usage())
            return JSON.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        for path in ["/monitor/statistics", "/monitor/statistics.json"] {
            router.get(RouterPath(path)) { _, _ in
                let usage = await cluster.usage()
                return JSON.response(MonitorStatistics.entries(usage, core: await cluster.master.snapshot()))
            }
        }
        router.get("/metrics/snapshot") { _, _ in
            let core = await cluster.master.snapshot()
            return JSON.response(MetricsText.snapshot(core: core))
        }
    }

    /// The state with the running tasks' statistics, read now.
    private func state() async throws -> MesosState {
        let usage = await cluster.usage()
        return MesosState(
            core: await cluster.master.snapshot(), host: cluster.config.host, port: cluster.config.masterPort,
            usage: usage)
    }

    struct SlavesView: Encodable {
        var slaves: [MesosState.Agent]
        var recovered_slaves: [MesosState.Agent]
    }

    struct FrameworksView: Encodable {
        var frameworks: [MesosState.Framework]
        var completed_frameworks: [MesosState.Framework]
    }
}
