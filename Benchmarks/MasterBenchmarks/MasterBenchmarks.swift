import Benchmark
import BoxCore
import BoxMaster

/// Tasks per second from submission (or first offer) to the last TASK_RUNNING, one value per iteration.
let tasksPerSecond = BenchmarkMetric.custom("tasks/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    // The whole suite runs in well under two minutes after building on a 2-core machine.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 1_000)

    // MARK: a. One DRF allocation pass

    // Built on the first (warm-up) iteration rather than at registration, so that listing or filtering benchmarks
    // does not pay for it; the measured part is only `allocate(now:)`.
    var allocationCluster: CoreCluster?
    Benchmark(
        "DRF allocation pass (1000 agents x 20 frameworks)",
        configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(3))
    ) { benchmark in
        if allocationCluster == nil { allocationCluster = makeAllocationCluster() }
        benchmark.startMeasurement()
        let effects = allocationCluster!.allocateOnly()
        benchmark.stopMeasurement()
        // Not measured: decline everything with refuse_seconds 0, so that the next pass offers every agent again.
        var offered = 0
        for (frameworkID, offers) in effects.offerBatches {
            offered += offers.count
            allocationCluster!.call(
                .decline(offerIDs: offers.map(\.id), filters: Filters(refuseSeconds: 0)), from: frameworkID)
        }
        if offered != Workload.agentCount {
            benchmark.error("the pass offered \(offered) agents, expected \(Workload.agentCount)")
        }
    }

    // MARK: b. The offer path in the core

    Benchmark(
        "Offer path: 10,000 tasks onto 1,000 simulated agents (core)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, tasksPerSecond], maxDuration: .seconds(10), maxIterations: 20)
    ) { benchmark in
        var cluster = CoreCluster(agentCount: Workload.agentCount)  // not measured: 1,000 agents register
        let models = Workload.offerPathFrameworks()
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        cluster.subscribe(models)
        let settled = cluster.runUntilRunning(Workload.offerPathTasks)
        let elapsed = started.duration(to: .now)
        benchmark.stopMeasurement()
        let running = cluster.tasksRunningInMaster
        guard settled, running == Workload.offerPathTasks else {
            benchmark.error("\(running) tasks running in the master after \(cluster.allocationPasses) passes")
            return
        }
        benchmark.measurement(tasksPerSecond, Int((Double(Workload.offerPathTasks) / elapsed.seconds).rounded()))
        blackHole(cluster)
    }

    // MARK: d. Tasks ending, in the core

    // The other half of churn: the 10,000 tasks of (b) end (TASK_KILLED from their agents, acknowledged at once),
    // so the master frees their resources and moves them to the frameworks' completed tasks.
    Benchmark(
        "Task completion: 10,000 tasks end on 1,000 simulated agents (core)",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, tasksPerSecond], maxDuration: .seconds(10), maxIterations: 10)
    ) { benchmark in
        var cluster = CoreCluster(agentCount: Workload.agentCount)  // not measured: (b) in full
        cluster.subscribe(Workload.offerPathFrameworks())
        guard cluster.runUntilRunning(Workload.offerPathTasks) else {
            benchmark.error("setup: only \(cluster.runningCount) tasks reached TASK_RUNNING")
            return
        }
        benchmark.startMeasurement()
        let started = ContinuousClock.now
        let ended = cluster.endAllTasks()
        let elapsed = started.duration(to: .now)
        benchmark.stopMeasurement()
        guard ended == Workload.offerPathTasks, cluster.core.tasks.isEmpty else {
            benchmark.error("\(ended) tasks ended; the master still tracks \(cluster.core.tasks.count)")
            return
        }
        benchmark.measurement(tasksPerSecond, Int((Double(ended) / elapsed.seconds).rounded()))
        blackHole(cluster)
    }

    // MARK: c. The offer path through the actor hosts

    Benchmark(
        "Offer path through the actor hosts",
        configuration: .init(metrics: [.wallClock, tasksPerSecond], maxDuration: .seconds(60), maxIterations: 5)
    ) { benchmark async in
        // Not measured: the master, 1,000 agents and their registration.
        guard let cluster = await HostedCluster.start(agentCount: Workload.agentCount, tickInterval: .milliseconds(1))
        else {
            benchmark.error("the agents did not all register within 60 s")
            return
        }
        let handle = UncheckedSendable(value: benchmark)
        let progress = HostedProgress(
            target: Workload.offerPathTasks,
            onFirstOffer: { handle.value.startMeasurement() },
            onDone: { handle.value.stopMeasurement() })
        let transport = InProcessSchedulerTransport(master: cluster.master)
        let frameworks = Workload.offerPathFrameworks().map { model in
            let framework = HostedFramework(model: model, transport: transport, progress: progress)
            return Task { await framework.run() }
        }
        let watchdog = Task {
            try? await Task.sleep(for: .seconds(120))
            if !Task.isCancelled { progress.finish(false) }
        }
        let reached = await progress.wait()
        watchdog.cancel()
        if reached, let elapsed = progress.elapsed {
            benchmark.measurement(tasksPerSecond, Int((Double(Workload.offerPathTasks) / elapsed.seconds).rounded()))
        } else {
            benchmark.stopMeasurement()
            benchmark.error(
                "only \(progress.running) of \(Workload.offerPathTasks) tasks reached TASK_RUNNING in 120 s")
        }
        // Not measured: stopping the master ends the frameworks' streams; then the agents stop.
        await cluster.shutdown()
        for framework in frameworks { await framework.value }
    }
}

/// 1,000 agents, 20 frameworks of different shapes and weights with 2,100 tasks running between them, every
/// framework revived (unsuppressed, no filters) and no offer outstanding.
func makeAllocationCluster() -> CoreCluster {
    var cluster = CoreCluster(agentCount: Workload.agentCount)
    let models = Workload.allocationFrameworks()
    cluster.subscribe(models)
    let total = models.reduce(0) { $0 + $1.demand }
    guard cluster.runUntilRunning(total) else { fatalError("the allocation fixture did not settle") }
    for id in cluster.frameworkIDs { cluster.call(.revive, from: id) }
    precondition(cluster.core.offers.isEmpty)
    return cluster
}
