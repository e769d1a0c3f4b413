import BoxCore

/// A node as the scheduler sees it in one cycle: its labels and taints, what is free on it now and what it has in
/// all, and how many pods of each controller owner it runs.
struct NodeCandidate: Sendable {
    var name: String
    var agentID: AgentID
    var labels: [String: String]
    var taints: [Taint]
    var unschedulable: Bool
    /// Free now: the held offer's resources, less what this cycle placed on it.
    var free: Resources
    var capacity: Resources
    var ownerCounts: [String: Int]
    /// Whether the scheduler holds an offer of this node (it can only launch on those).
    var offered: Bool
}

/// Why a pod does not fit a node, worded as upstream's scheduler words it in `FailedScheduling`.
enum FitFailure: Hashable, Sendable, Comparable {
    case insufficientCPU
    case insufficientMemory
    case selectorMismatch
    case untoleratedTaint(String)
    case hostPorts
    case unschedulable

    var reason: String {
        switch self {
        case .insufficientCPU: "Insufficient cpu"
        case .insufficientMemory: "Insufficient memory"
        case .selectorMismatch: "node(s) didn't match Pod's node affinity/selector"
        case .untoleratedTaint(let taint): "node(s) had untolerated taint {\(taint)}"
        case .hostPorts: "node(s) didn't have free ports for the requested pod ports"
        case .unschedulable: "node(s) were unschedulable"
        }
    }
}

/// Filtering and scoring as pure functions over a snapshot (Nomad's "scheduler as a function").
enum NodeFit {
    /// Why `pod` cannot run on `node` (empty: it fits). As upstream, the filters run in order (unschedulable,
    /// taints, node selector and affinity, host ports, resources) and the first that fails gives the reasons (the
    /// resources filter may give two: cpu and memory). Resources are checked against `node.free`.
    static func failures(_ pod: PodRequirements, on node: NodeCandidate) -> [FitFailure] {
        let unschedulableTaint = Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")
        if node.unschedulable && !pod.tolerations.contains(where: { $0.tolerates(unschedulableTaint) }) {
            return [.unschedulable]
        }
        for taint in node.taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !pod.tolerations.contains(where: { $0.tolerates(taint) }) {
                return [.untoleratedTaint(taint.value.isEmpty ? "\(taint.key): " : "\(taint.key): \(taint.value)")]
            }
        }
        let matchesSelector = pod.nodeSelector.allSatisfy { node.labels[$0.key] == $0.value }
        let matchesAffinity =
            pod.requiredTerms.isEmpty
            || pod.requiredTerms.contains { $0.matches(labels: node.labels, name: node.name) }
        if !matchesSelector || !matchesAffinity { return [.selectorMismatch] }
        if ports(for: pod, from: node.free.ports) == nil { return [.hostPorts] }
        var failures: [FitFailure] = []
        let request = pod.resources
        if request.milliCPUs > node.free.milliCPUs { failures.append(.insufficientCPU) }
        if request.memoryMiB > node.free.memoryMiB { failures.append(.insufficientMemory) }
        return failures
    }

    /// Host ports for each container's declared ports, in order: a `hostPort` must be free in `available`; other
    /// ports take the lowest free ones. Nil when the ports cannot be had.
    static func ports(for pod: PodRequirements, from available: PortRanges) -> [[UInt16]]? {
        var left = available
        for port in pod.hostPorts {
            guard left.contains(port) else { return nil }
            left = left - PortRanges(ports: [port])
        }
        var result: [[UInt16]] = []
        for container in pod.containers {
            var chosen: [UInt16] = []
            for port in container.ports {
                if let host = port.hostPort {
                    chosen.append(host)
                } else {
                    guard let first = left.first(1)?.ports.first else { return nil }
                    left = left - PortRanges(ports: [first])
                    chosen.append(first)
                }
            }
            result.append(chosen)
        }
        return result
    }

    /// Least-allocated (0…100: the mean free fraction of CPU and memory left after placing the pod) plus
    /// spreading (0…100: fewer pods of the same owner than the busiest node scores higher).
    static func score(_ pod: PodRequirements, on node: NodeCandidate, maxOwnerCount: Int) -> Double {
        let request = pod.resources
        func fraction(_ free: Int, _ want: Int, _ capacity: Int) -> Double {
            capacity > 0 ? Double(max(0, free - want)) / Double(capacity) : 0
        }
        let least =
            (fraction(node.free.milliCPUs, request.milliCPUs, node.capacity.milliCPUs)
                + fraction(node.free.memoryMiB, request.memoryMiB, node.capacity.memoryMiB)) * 50
        guard let owner = pod.ownerUID, maxOwnerCount > 0 else { return least + 100 }
        let count = node.ownerCounts[owner] ?? 0
        return least + 100 * Double(maxOwnerCount - count) / Double(maxOwnerCount)
    }

    /// The outcome of placing one pod.
    enum Placement: Equatable {
        /// On `candidates[index]`.
        case node(Int)
        /// It fits a node whose offer the scheduler does not hold now: wait for offers.
        case wait
        /// No node fits; the upstream-style message.
        case unschedulable(String)
    }

    /// Picks the best offered node for `pod`; ties go to the lower name, so equal inputs give equal placements.
    static func place(_ pod: PodRequirements, among candidates: [NodeCandidate]) -> Placement {
        var counts: [FitFailure: Int] = [:]
        var best: (index: Int, score: Double)?
        var fitsElsewhere = false
        let maxOwnerCount = pod.ownerUID.map { owner in candidates.map { $0.ownerCounts[owner] ?? 0 }.max() ?? 0 } ?? 0
        for (index, node) in candidates.enumerated() {
            let failures = failures(pod, on: node)
            guard failures.isEmpty else {
                for failure in failures { counts[failure, default: 0] += 1 }
                continue
            }
            guard node.offered else {
                fitsElsewhere = true
                continue
            }
            let score = score(pod, on: node, maxOwnerCount: maxOwnerCount)
            if let current = best {
                let better =
                    score > current.score || (score == current.score && node.name < candidates[current.index].name)
                if better { best = (index, score) }
            } else {
                best = (index, score)
            }
        }
        if let best { return .node(best.index) }
        if fitsElsewhere { return .wait }
        return .unschedulable(message(counts, total: candidates.count))
    }

    /// `0/3 nodes are available: 1 Insufficient memory, 3 Insufficient cpu.` (reasons sorted as upstream sorts
    /// the strings).
    static func message(_ counts: [FitFailure: Int], total: Int) -> String {
        if total == 0 { return "no nodes available to schedule pods" }
        let reasons = counts.map { "\($0.value) \($0.key.reason)" }.sorted()
        return "0/\(total) nodes are available: " + reasons.joined(separator: ", ") + "."
    }
}
