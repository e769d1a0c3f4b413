import BoxCore
import BoxStore
import Foundation

@testable import BoxKube

/// One run of the Kubernetes simulation (see `KubeSimulationTests`): deploy, roll out twice while agents are lost
/// and come back, check, delete, check. Every wait is bounded by one overall deadline; a failure names the seed.
struct KubeSimulationRun {
    struct Failure: Error, CustomStringConvertible {
        var seed: UInt64
        var elapsed: Duration
        var message: String
        var description: String {
            "kube simulation seed 0x\(String(seed, radix: 16)) failed after \(elapsed): \(message) "
                + "(replay with KUBE_SIM_SEED=0x\(String(seed, radix: 16)))"
        }
    }

    /// What the run measured, for the summary line.
    struct Report: Sendable {
        var deployed: Duration = .zero
        var rolledOut: Duration = .zero
        var deleted: Duration = .zero
        var total: Duration = .zero
        var agentsLost = 0
        var agentsBack = 0
        var checker = KubeSimulationChecker.Summary()
    }

    let plan: KubeSimulationPlan
    let cluster: KubeSimulationCluster
    let checker: KubeSimulationChecker
    let began = ContinuousClock.now
    let deadline: ContinuousClock.Instant
    /// The last rolling update's version (v1 is the first deployment).
    static let finalVersion = 3
    /// The second update comes this long after the first, while many rollouts are still under way.
    static let secondUpdateAfter: Duration = .seconds(8)
    /// KUBE_SIM_LOG set: a progress line every 15 s while rollouts are awaited.
    static let progress = ProcessInfo.processInfo.environment["KUBE_SIM_LOG"] != nil

    init(plan: KubeSimulationPlan, limit: Duration) {
        self.plan = plan
        cluster = KubeSimulationCluster(agentCount: plan.config.agentCount)
        checker = KubeSimulationChecker()
        deadline = began + limit
    }

    var seed: UInt64 { plan.config.seed }
    var elapsed: Duration { ContinuousClock.now - began }

    func fail(_ message: String) -> Failure { Failure(seed: seed, elapsed: elapsed, message: message) }

    // MARK: - Phases

    /// Runs every phase, always stopping the cluster and the checker before returning.
    func execute() async throws(Failure) -> Report {
        let checker = checker
        let store = cluster.store
        let checking = Task { await checker.run(store: store, after: 0) }
        var report = Report()
        var failure: Failure?
        do {
            try await cluster.start()
            try await phases(&report)
        } catch let error as Failure {
            failure = error
        } catch {
            failure = fail("\(error)")
        }
        await cluster.stop()
        checking.cancel()
        await checking.value
        report.checker = checker.summary
        report.total = elapsed
        if let failure { throw failure }
        return report
    }

    private func phases(_ report: inout Report) async throws {
        try await waitFor("\(plan.config.agentCount) Ready nodes") {
            let nodes = try await cluster.api.list(.node, namespace: nil).items
            return nodes.filter(Self.isReady).count == plan.config.agentCount ? () : nil
        }
        for index in 0..<plan.config.deploymentCount {
            try await cluster.api.create(.deployment, namespace: "default", plan.deployment(index, version: 1))
        }
        try await waitForRollouts(version: 1)
        report.deployed = elapsed

        let faults = Task { await injectFaults() }
        let rolloutStart = ContinuousClock.now
        try await updateAll(version: 2)
        try await Task.sleep(until: rolloutStart + Self.secondUpdateAfter)
        try await updateAll(version: Self.finalVersion)
        let (lost, back) = await faults.value
        report.agentsLost = lost
        report.agentsBack = back
        // The agents still away must have been noticed (their nodes not Ready) before completion means anything:
        // until then their pods count as Running and Ready.
        let down = Set(await cluster.agents.down.map(SimulatedAgentPool.name))
        try await waitForRollouts(version: Self.finalVersion, downNodes: down)
        report.rolledOut = elapsed
        let final = try await snapshot()
        try checkFinalState(final, version: Self.finalVersion)

        for index in 0..<plan.config.deploymentCount {
            try await cluster.api.delete(
                .deployment, namespace: "default", name: KubeSimulationPlan.deploymentName(index),
                options: DeleteOptions(propagationPolicy: .background))
        }
        try await waitFor("no ReplicaSets and no pods after deleting every Deployment") {
            let sets = try await cluster.api.list(.replicaSet, namespace: nil).items.count
            let pods = try await cluster.api.list(.pod, namespace: nil).items.count
            return sets == 0 && pods == 0 ? () : nil
        }
        try await waitFor("no task on any live agent") {
            let busy = await cluster.liveAgentTasks().filter { $0.tasks > 0 }
            return busy.isEmpty ? () : nil
        }
        report.deleted = elapsed
    }

    /// Loses and brings back agents on the plan's schedule, from now; answers how many were lost and came back.
    private func injectFaults() async -> (lost: Int, back: Int) {
        let start = ContinuousClock.now
        var lost = 0
        var back = 0
        for step in plan.schedule {
            guard (try? await Task.sleep(until: start + step.at)) != nil else { break }
            if step.lost {
                checker.nodeLost(SimulatedAgentPool.name(step.agent))
                await cluster.agents.lose(step.agent)
                lost += 1
            } else {
                await cluster.agents.start(step.agent)
                back += 1
            }
        }
        return (lost, back)
    }

    /// Changes every Deployment's pod template to `version` (a rolling update each).
    private func updateAll(version: Int) async throws {
        for index in 0..<plan.config.deploymentCount {
            let name = KubeSimulationPlan.deploymentName(index)
            let template = plan.deployment(index, version: version)[path: ["spec", "template"]]
            var attempts = 0
            while try await !update(name, template: template) {
                attempts += 1
                if attempts >= 10 { throw fail("\(name): 10 conflicts in a row updating its template") }
            }
        }
    }

    /// One read-modify-write of a Deployment's template; false on a conflict.
    private func update(_ name: String, template: JSONValue?) async throws -> Bool {
        var current = try await cluster.api.get(.deployment, namespace: "default", name: name)
        current.set(["spec", "template"], template)
        do {
            try await cluster.api.update(.deployment, namespace: "default", name: name, current)
            return true
        } catch {
            if error.code == 409 { return false }
            throw error
        }
    }

    // MARK: - Waiting and checking

    /// Polls `check` every half second until it answers non-nil; fails at the run's deadline.
    @discardableResult
    private func waitFor<T>(_ what: String, _ check: () async throws -> T?) async throws -> T {
        while ContinuousClock.now < deadline {
            if let value = try await check() { return value }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw fail("timed out waiting for \(what)")
    }

    private func waitForRollouts(version: Int, downNodes: Set<String> = []) async throws {
        var last: [String] = []
        var lastProgress = ContinuousClock.now
        while ContinuousClock.now < deadline {
            let snapshot = try await snapshot()
            last = Self.incomplete(snapshot, version: version)
            let stillReady = snapshot.readyNodes.intersection(downNodes)
            if !stillReady.isEmpty { last.append("nodes of lost agents still Ready: \(stillReady.sorted())") }
            if last.isEmpty { return }
            if Self.progress, ContinuousClock.now - lastProgress >= .seconds(15) {
                lastProgress = .now
                let phases = Dictionary(grouping: snapshot.pods) { $0[path: ["status", "phase"]]?.stringValue ?? "-" }
                print(
                    "kube sim \(elapsed): v\(version) \(last.count) incomplete; pods "
                        + "\(phases.mapValues(\.count).sorted { $0.key < $1.key }); KubeNodes \(await cluster.nodes.counts())"
                )
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let counts = await cluster.nodes.counts()
        let pods = (try? await cluster.api.list(.pod, namespace: nil).items) ?? []
        var phases: [String: Int] = [:]
        for pod in pods { phases[pod[path: ["status", "phase"]]?.stringValue ?? "none", default: 0] += 1 }
        let sample = pods.first { !$0.isReadyPod }.map { "\($0.name): \($0["status"]?.text ?? "no status")" } ?? "-"
        let (runs, pending) = await cluster.nodes.tracked()
        var known: [String: Int] = [:]
        for pod in pods {
            let key = "\(pod.namespace)/\(pod.name)"
            let state =
                if let run = runs[key], run.uid == pod.uid {
                    "run(bound \(run.bound), deleting \(run.deleting))"
                } else if pending[key] == pod.uid {
                    "pending"
                } else {
                    "unknown"
                }
            known[state, default: 0] += 1
        }
        let apiKeys = Set(pods.map { "\($0.namespace)/\($0.name)" })
        let stale = runs.filter { !apiKeys.contains($0.key) }
        let staleDeleting = stale.values.filter(\.deleting).count
        throw fail(
            "timed out waiting for every rollout to v\(version) to complete; \(last.count) incomplete: "
                + last.prefix(10).joined(separator: "; ") + "; pods by phase \(phases.sorted { $0.key < $1.key }); "
                + "a pod not ready: \(sample); KubeNodes holds \(counts); the API's pods as KubeNodes knows them: "
                + "\(known.sorted { $0.key < $1.key }); runs of pods no longer in the API: \(stale.count) "
                + "(\(staleDeleting) deleting)")
    }

    struct Snapshot {
        var deployments: [JSONValue]
        var replicaSets: [JSONValue]
        var pods: [JSONValue]
        var readyNodes: Set<String>
    }

    private func snapshot() async throws -> Snapshot {
        let api = cluster.api
        return Snapshot(
            deployments: try await api.list(.deployment, namespace: "default").items,
            replicaSets: try await api.list(.replicaSet, namespace: "default").items,
            pods: try await api.list(.pod, namespace: "default").items,
            readyNodes: Set(try await api.list(.node, namespace: nil).items.filter(Self.isReady).map(\.name)))
    }

    static func isReady(_ node: JSONValue) -> Bool {
        (node[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }

    private func checkFinalState(_ snapshot: Snapshot, version: Int) throws {
        let problems = Self.incomplete(snapshot, version: version)
        guard problems.isEmpty else { throw fail("rollouts incomplete: " + problems.joined(separator: "; ")) }
        guard snapshot.deployments.count == plan.config.deploymentCount else {
            throw fail("\(snapshot.deployments.count) Deployments, expected \(plan.config.deploymentCount)")
        }
    }

    /// Why each Deployment has not completed its rollout to `version` (empty when all have): observedGeneration
    /// equals generation; updated, available and total replicas equal the desired 20; Progressing says
    /// NewReplicaSetAvailable; exactly one ReplicaSet has replicas, of the current template; its pods are all
    /// Running and Ready on Ready nodes, and no other pod of the Deployment is active.
    static func incomplete(_ snapshot: Snapshot, version: Int) -> [String] {
        snapshot.deployments.compactMap { deployment in
            let name = deployment.name
            let replicas = deployment[path: ["spec", "replicas"]]?.intValue ?? 1
            let status = deployment["status"]
            let counts = ["replicas", "updatedReplicas", "availableReplicas", "readyReplicas"].map {
                status?[$0]?.intValue ?? 0
            }
            if status?["observedGeneration"]?.intValue != deployment.generation {
                return "\(name): observedGeneration \(status?["observedGeneration"]?.intValue ?? -1) ≠ "
                    + "generation \(deployment.generation)"
            }
            if counts.contains(where: { $0 != replicas }) {
                return "\(name): replicas/updated/available/ready = \(counts), want \(replicas)"
            }
            let progressing = status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
            if progressing?["reason"]?.stringValue != "NewReplicaSetAvailable" {
                return "\(name): Progressing reason \(progressing?["reason"]?.stringValue ?? "none")"
            }
            let sets = snapshot.replicaSets.filter { $0.controllerReference?.uid == deployment.uid }
            let scaled = sets.filter { ($0[path: ["spec", "replicas"]]?.intValue ?? 0) > 0 }
            guard scaled.count == 1, let current = scaled.first else {
                return "\(name): \(scaled.count) ReplicaSets with replicas (\(scaled.map(\.name)))"
            }
            let wanted = "v\(version)"
            if current[path: ["spec", "template", "metadata", "annotations", "sim/version"]]?.stringValue != wanted {
                return "\(name): the scaled ReplicaSet \(current.name) is not of \(wanted)"
            }
            let owned = Set(sets.map(\.uid))
            let active = snapshot.pods.filter { owned.contains($0.controllerReference?.uid ?? "") && $0.isActivePod }
            let good = active.filter {
                $0.controllerReference?.uid == current.uid && $0[path: ["status", "phase"]]?.stringValue == "Running"
                    && $0.isReadyPod
                    && snapshot.readyNodes.contains($0[path: ["spec", "nodeName"]]?.stringValue ?? "")
            }
            if good.count != replicas || active.count != replicas {
                let stray = active.filter { pod in !good.contains { $0.uid == pod.uid } }.prefix(3).map { pod in
                    "\(pod.name) on \(pod[path: ["spec", "nodeName"]]?.stringValue ?? "-") "
                        + "\(pod[path: ["status", "phase"]]?.stringValue ?? "-") ready=\(pod.isReadyPod)"
                }
                return "\(name): \(good.count) pods Running and Ready on Ready nodes of \(active.count) active; "
                    + "for example \(stray)"
            }
            return nil
        }
    }
}
