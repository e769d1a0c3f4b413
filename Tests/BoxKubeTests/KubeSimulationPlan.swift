import BoxCore
import BoxKube

/// The seeded part of the Kubernetes simulation: which agents are lost, when, and for how long; and the
/// Deployments' rolling-update parameters. Pure: the same seed gives the same plan (the cluster's timing is real,
/// so the same plan may still play out differently).
struct KubeSimulationPlan: Sendable, Equatable {
    struct Config: Sendable, Equatable {
        var seed: UInt64
        var agentCount = 200
        var deploymentCount = 50
        var replicas = 20
        /// Agents lost over the run (each at most once).
        var losses: ClosedRange<Int> = 10...16
        /// Losses happen in this window after the first rolling update starts.
        var lossWindow: Duration = .seconds(40)
        /// The share of lost agents that come back (as a fresh agent of the same name: its tasks are gone).
        var returnShare = 0.5
        /// How long an agent that comes back stays away, in seconds.
        var downtime: ClosedRange<Double> = 6...30

        init(seed: UInt64) { self.seed = seed }
    }

    /// One agent lost `at` after the first rolling update starts; back `downFor` later, or never (nil).
    struct Loss: Sendable, Equatable, CustomStringConvertible {
        var at: Duration
        var agent: Int
        var downFor: Duration?

        var description: String {
            "sim-\(agent + 1)@\(Self.seconds(at))" + (downFor.map { "+\(Self.seconds($0))" } ?? "(gone)")
        }

        static func seconds(_ duration: Duration) -> String {
            let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            return "\(millis / 1000).\(zeroPadded3(Int(millis % 1000)))s"
        }
    }

    /// A Deployment's RollingUpdate strategy and `minReadySeconds`.
    struct Rollout: Sendable, Equatable {
        var maxSurge: JSONValue
        var maxUnavailable: JSONValue
        var minReadySeconds: Int
    }

    /// The strategies cycled through: percentages (surge rounds up, unavailable down) and absolute numbers.
    static let strategies: [(JSONValue, JSONValue)] = [
        ("25%", "25%"), (0, 1), (2, 0), ("50%", 0), (1, 1), ("10%", "10%"), (0, "30%"),
    ]

    let config: Config
    let losses: [Loss]
    let rollouts: [Rollout]

    init(config: Config) {
        self.config = config
        var random = SeededGenerator(seed: config.seed)
        let count = Int.random(in: config.losses, using: &random)
        var agents = Array(0..<config.agentCount)
        agents.shuffle(using: &random)
        let windowMillis = Int(config.lossWindow.components.seconds * 1000)
        losses = agents.prefix(count).map { agent in
            let at = Duration.milliseconds(Int.random(in: 0..<windowMillis, using: &random))
            let back = Double.random(in: 0..<1, using: &random) < config.returnShare
            let downtime = Double.random(in: config.downtime, using: &random)
            return Loss(at: at, agent: agent, downFor: back ? .milliseconds(Int(downtime * 1000)) : nil)
        }.sorted { ($0.at, $0.agent) < ($1.at, $1.agent) }
        rollouts = (0..<config.deploymentCount).map { index in
            let (surge, unavailable) = Self.strategies[index % Self.strategies.count]
            return Rollout(maxSurge: surge, maxUnavailable: unavailable, minReadySeconds: index % 3 == 2 ? 1 : 0)
        }
    }

    /// Every loss and every return, in time order: (offset from the first update, agent, lost or back).
    var schedule: [(at: Duration, agent: Int, lost: Bool)] {
        var steps: [(at: Duration, agent: Int, lost: Bool)] = []
        for loss in losses {
            steps.append((loss.at, loss.agent, true))
            if let down = loss.downFor { steps.append((loss.at + down, loss.agent, false)) }
        }
        return steps.sorted { ($0.at, $0.agent, $0.lost ? 0 : 1) < ($1.at, $1.agent, $1.lost ? 0 : 1) }
    }

    static func deploymentName(_ index: Int) -> String { "dep-\(zeroPadded3(index))" }

    /// A Deployment of `replicas` pods of one container, with the plan's strategy; `version` goes into the pod
    /// template (an env variable and an annotation), so changing it starts a rolling update.
    func deployment(_ index: Int, version: Int) -> JSONValue {
        let name = Self.deploymentName(index)
        let rollout = rollouts[index]
        let container: JSONValue = [
            "name": "app", "image": "busybox", "command": ["sleep", "3600"],
            "env": [["name": "VERSION", "value": .string("v\(version)")]],
            "resources": ["requests": ["cpu": "50m", "memory": "32Mi"]],
        ]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(config.replicas), "minReadySeconds": .int(rollout.minReadySeconds),
                "selector": ["matchLabels": ["app": .string(name)]],
                "strategy": [
                    "type": "RollingUpdate",
                    "rollingUpdate": ["maxSurge": rollout.maxSurge, "maxUnavailable": rollout.maxUnavailable],
                ],
                "template": [
                    "metadata": [
                        "labels": ["app": .string(name)],
                        "annotations": ["sim/version": .string("v\(version)")],
                    ],
                    "spec": ["containers": [container], "terminationGracePeriodSeconds": 5],
                ],
            ],
        ]
    }
}

/// `n` with leading zeros to three digits.
func zeroPadded3(_ n: Int) -> String {
    let text = String(n)
    return String(repeating: "0", count: max(0, 3 - text.count)) + text
}
