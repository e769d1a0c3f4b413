import BoxCore
import BoxMarathon
import Testing

@Suite struct MarathonSchedulerTests {
    func app(_ id: String, instances: Int = 3, cmd: String = "sleep 1000", checks: Bool = false) throws -> App {
        var app = App(id: try PathID(id))
        app.cmd = cmd
        app.cpus = 0.5
        app.mem = 64
        app.instances = instances
        if checks {
            var check = HealthCheck(protocol: .http)
            check.gracePeriodSeconds = 5
            check.intervalSeconds = 1
            check.maxConsecutiveFailures = 3
            app.healthChecks = [check]
        }
        return app
    }

    /// Create is [Start][Scale]: three tasks run, each with a host port from its offer, and the deployment ends.
    @Test func createScaleAndDelete() throws {
        var cluster = MarathonOnMaster()
        let web = try app("/prod/web")
        let deployment = try cluster.deploy([web.id: web])
        #expect(deployment.steps.map { $0.map(\.action) } == [[.start], [.scale]])
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.runningCount(web.id) == 3)
        let tasks = cluster.marathon.liveTasks(web.id)
        #expect(tasks.allSatisfy { $0.ports.count == 1 && $0.id.value.hasPrefix("prod_web.") })
        #expect(cluster.events.contains { if case .deploymentSuccess = $0.event { true } else { false } })

        var five = web
        five.instances = 5
        let scaling = try cluster.deploy([web.id: five])
        #expect(scaling.steps.map { $0.map(\.action) } == [[.scale]])
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.runningCount(web.id) == 5)
        // Scaling keeps the config version: no task was replaced.
        #expect(Set(cluster.marathon.liveTasks(web.id).map(\.id)).isSuperset(of: tasks.map(\.id)))

        var one = web
        one.instances = 1
        _ = try cluster.deploy([web.id: one])
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.marathon.liveTasks(web.id).map(\.id) == [tasks[0].id], "youngest killed first")

        let delete = try cluster.deploy([web.id: App?.none])
        #expect(delete.steps.map { $0.map(\.action) } == [[.stop]])
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.marathon.liveTasks(web.id).isEmpty)
        #expect(cluster.marathon.apps[web.id] == nil)
        #expect(cluster.events.contains { $0.event == .appTerminated(web.id) })
    }

    /// A rolling upgrade with minimumHealthCapacity 1 never has fewer healthy tasks than instances, and never
    /// more running than the over-capacity allows.
    @Test(arguments: [(1.0, 0.0), (1.0, 1.0), (0.5, 0.0), (0.0, 0.5)])
    func rollingUpgrade(minimumHealth: Double, overCapacity: Double) throws {
        var cluster = MarathonOnMaster(agents: 3, cpus: 8)
        var web = try app("/web", instances: 4, checks: true)
        web.upgradeStrategy = UpgradeStrategy(minimumHealthCapacity: minimumHealth, maximumOverCapacity: overCapacity)
        _ = try cluster.deploy([web.id: web])
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.healthyCount(web.id) == 4)
        let oldIDs = Set(cluster.marathon.liveTasks(web.id).map(\.id))

        var fewestHealthy = Int.max
        var mostLive = 0
        cluster.observe = { marathon in
            let live = marathon.liveTasks(web.id)
            fewestHealthy = min(fewestHealthy, live.filter(\.isHealthy).count)
            mostLive = max(mostLive, live.count)
        }
        var upgraded = web
        upgraded.cmd = "sleep 2000"
        let deployment = try cluster.deploy([web.id: upgraded])
        #expect(deployment.steps.map { $0.map(\.action) } == [[.restart]])
        cluster.settle(until: { $0.deployments.isEmpty })
        let live = cluster.marathon.liveTasks(web.id)
        #expect(live.count == 4 && live.allSatisfy { $0.isHealthy && !oldIDs.contains($0.id) })
        let minHealthy = Int((4 * minimumHealth).rounded(.up))
        let maxCapacity = max(Int((4 * (1 + overCapacity)).rounded(.down)), minHealthy + 1)
        #expect(fewestHealthy >= minHealthy, "healthy fell to \(fewestHealthy)")
        #expect(mostLive <= maxCapacity, "\(mostLive) tasks ran at once")
    }

    /// A crashed task is replaced at once; crashing again and again, the replacements wait longer each time.
    @Test func replacementAndBackoff() throws {
        var cluster = MarathonOnMaster()
        var web = try app("/web", instances: 1)
        web.backoffSeconds = 2
        web.backoffFactor = 2
        _ = try cluster.deploy([web.id: web])
        cluster.settle(until: { $0.liveTasks(web.id).first?.isRunning == true })
        var waits: [Duration] = []
        for _ in 0..<4 {
            let task = cluster.marathon.liveTasks(web.id)[0]
            cluster.crash(task.id)
            let crashed = cluster.now
            cluster.settle(until: { $0.liveTasks(web.id).first?.isRunning == true })
            waits.append(cluster.now - crashed)
        }
        #expect(waits[0] <= .milliseconds(200), "first replacement at once: \(waits)")
        #expect(waits[1] >= .seconds(2) && waits[1] < .seconds(3))
        #expect(waits[2] >= .seconds(4) && waits[2] < .seconds(5))
        #expect(waits[3] >= .seconds(8) && waits[3] < .seconds(9))
        #expect(cluster.marathon.lastTaskFailure[web.id]?.state == .failed)
    }

    /// A task failing its checks `maxConsecutiveFailures` times in a row is killed and replaced.
    @Test func unhealthyTaskIsReplaced() throws {
        var cluster = MarathonOnMaster()
        let web = try app("/web", instances: 2, checks: true)
        _ = try cluster.deploy([web.id: web])
        cluster.settle(until: { $0.deployments.isEmpty })
        let victim = cluster.marathon.liveTasks(web.id)[0].id
        cluster.sick.insert(victim)
        let start = cluster.now
        cluster.settle(until: { $0.task(victim) == nil })
        // Three failed checks a second apart, plus a step.
        #expect(cluster.now - start <= .milliseconds(3200))
        cluster.step(for: .seconds(3))
        #expect(cluster.healthyCount(web.id) == 2)
        #expect(cluster.events.contains { if case .unhealthyInstanceKill = $0.event { true } else { false } })
    }

    /// An app in a deployment is locked (409) unless forced; a forced change cancels the older deployment.
    @Test func locksAndForce() throws {
        var cluster = MarathonOnMaster(agents: 1, cpus: 1)
        let web = try app("/web", instances: 4)  // only 2 fit: the deployment cannot finish
        let first = try cluster.deploy([web.id: web])
        cluster.step(for: .seconds(1))
        var two = web
        two.instances = 2
        #expect(throws: MarathonError.self) { try cluster.deploy([web.id: two]) }
        _ = try cluster.deploy([web.id: two], force: true)
        #expect(cluster.marathon.deployments[first.id] == nil)
        cluster.settle(until: { $0.deployments.isEmpty })
        #expect(cluster.runningCount(web.id) == 2)
    }

    /// `/restart` replaces every task with the same definition.
    @Test func restartReplacesTasks() throws {
        var cluster = MarathonOnMaster()
        let web = try app("/web", instances: 2)
        _ = try cluster.deploy([web.id: web])
        cluster.settle(until: { $0.deployments.isEmpty })
        let before = Set(cluster.marathon.liveTasks(web.id).map(\.id))
        let (_, calls) = try cluster.marathon.restart(web.id, force: false, now: cluster.now)
        cluster.send(calls)
        cluster.settle(until: { $0.deployments.isEmpty })
        let after = Set(cluster.marathon.liveTasks(web.id).map(\.id))
        #expect(after.count == 2 && after.isDisjoint(with: before))
    }

    /// Dependencies come up first: the database's scale step ends before the web app starts.
    @Test func dependenciesOrderSteps() throws {
        var cluster = MarathonOnMaster()
        let db = try app("/shop/db", instances: 1)
        var web = try app("/shop/web", instances: 1)
        web.dependencies = [db.id]
        let deployment = try cluster.deploy([db.id: db, web.id: web])
        #expect(
            deployment.steps.map { $0.map(\.app.description) } == [
                ["/shop/db"], ["/shop/web"], ["/shop/db"], ["/shop/web"],
            ])
        cluster.settle(until: { $0.deployments.isEmpty })
        let dbStart = cluster.marathon.liveTasks(db.id)[0].stagedAt
        let webStart = cluster.marathon.liveTasks(web.id)[0].stagedAt
        #expect(dbStart < webStart)
    }

    /// A task Marathon no longer knows (it replaced it while the agent was unreachable) is killed when the master
    /// reports it running again after its agent reregistered, but not while it is still unreachable (the kill could
    /// not reach it, and the master would answer TASK_UNREACHABLE again).
    @Test func unknownTaskIsKilledWhenItsAgentComesBack() {
        var marathon = MarathonScheduler(seed: 1)
        let now = Instant(nanosecondsSinceEpoch: 1_800_000_000_000_000_000)
        func status(_ state: TaskState) -> TaskStatus {
            TaskStatus(
                taskID: "web.old", state: state, agentID: "a-S1", message: "Agent reregistered", source: .master,
                timestamp: now)
        }
        #expect(marathon.update(status(.running), now: now).contains(.kill(taskID: "web.old", agentID: "a-S1")))
        #expect(
            !marathon.update(status(.unreachable), now: now).contains { if case .kill = $0 { true } else { false } })
        #expect(!marathon.update(status(.lost), now: now).contains { if case .kill = $0 { true } else { false } })
    }

    /// A task that ends while Marathon is suppressed (nothing was left to launch) is replaced at once: the update
    /// itself REVIVEs, rather than the next tick.
    @Test func crashRevivesAtOnce() throws {
        var cluster = MarathonOnMaster()
        let web = try app("/web", instances: 2)
        _ = try cluster.deploy([web.id: web])
        cluster.settle(until: { $0.deployments.isEmpty })
        cluster.step(for: .seconds(1))
        let task = cluster.marathon.liveTasks(web.id)[0]
        let status = TaskStatus(
            taskID: task.id, state: .failed, agentID: task.agentID, message: "exit 1", timestamp: cluster.now)
        let calls = cluster.marathon.update(status, now: cluster.now)
        #expect(calls.contains(.revive))
        #expect(cluster.marathon.pending[web.id] == 1)
    }
}
