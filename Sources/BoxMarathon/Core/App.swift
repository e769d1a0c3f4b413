public import BoxCore

/// A Marathon app's configuration: what to run, how many, where, how to check it and how to roll it out. The
/// JSON form (`AppJSON`) uses Marathon's field names; this is the checked, defaulted value the scheduler uses.
public struct App: Hashable, Sendable, Codable {
    public var id: PathID
    /// Run with `/bin/sh -c`; exactly one of `cmd` and `args`.
    public var cmd: String?
    /// argv without a shell; with a `container`, the arguments to the image's entrypoint.
    public var args: [String]?
    /// The image the tasks run in (Marathon's `container.docker.image`), by the agent's container executor.
    public var container: AppContainer?
    public var cpus = 1.0
    /// MiB, as Marathon's `mem`.
    public var mem = 128.0
    public var disk = 0.0
    public var gpus = 0
    public var instances = 1
    public var portDefinitions: [PortDefinition] = [PortDefinition(port: 0, name: "default")]
    public var requirePorts = false
    public var env: [String: String] = [:]
    public var labels: [String: String] = [:]
    public var constraints: [Constraint] = []
    public var healthChecks: [HealthCheck] = []
    public var upgradeStrategy = UpgradeStrategy()
    public var backoffSeconds = 1.0
    public var backoffFactor = 1.15
    public var maxLaunchDelaySeconds = 300.0
    public var dependencies: [PathID] = []
    public var killSelection = KillSelection.youngestFirst
    public var taskKillGracePeriodSeconds: Double?
    public var user: String?
    /// Set by the scheduler: the time of the last change (`version`), of the last change other than scaling
    /// (`lastConfigChangeAt`, the version tasks are launched with) and of the last scaling.
    public var version: Instant = .epoch
    public var lastConfigChangeAt: Instant = .epoch
    public var lastScalingAt: Instant = .epoch

    public init(id: PathID) { self.id = id }

    /// The shell command the task runs.
    public var commandLine: String {
        if let cmd { return cmd }
        return (args ?? []).map(Self.shellQuoted).joined(separator: " ")
    }

    public var resources: Resources {
        Resources(
            cpus: cpus, memoryMiB: Int(mem.rounded(.up)), diskMiB: Int(disk.rounded(.up)), gpus: gpus)
    }

    /// Equal but for the fields that scaling changes (and the version stamps): a change of anything else
    /// replaces the tasks (a rolling restart).
    public func sameConfig(as other: App) -> Bool { configOnly == other.configOnly }

    private var configOnly: App {
        var app = self
        app.instances = 0
        app.version = .epoch
        app.lastConfigChangeAt = .epoch
        app.lastScalingAt = .epoch
        return app
    }

    static func shellQuoted(_ word: String) -> String {
        let safe = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return safe ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

public struct PortDefinition: Hashable, Sendable, Codable {
    /// The service port; 0 = Marathon picks one (10000–20000).
    public var port: Int
    public var `protocol` = "tcp"
    public var name: String?
    public var labels: [String: String] = [:]

    public init(port: Int, protocol: String = "tcp", name: String? = nil, labels: [String: String] = [:]) {
        self.port = port
        self.protocol = `protocol`
        self.name = name
        self.labels = labels
    }
}

public struct UpgradeStrategy: Hashable, Sendable, Codable {
    public var minimumHealthCapacity = 1.0
    public var maximumOverCapacity = 1.0

    public init(minimumHealthCapacity: Double = 1.0, maximumOverCapacity: Double = 1.0) {
        self.minimumHealthCapacity = minimumHealthCapacity
        self.maximumOverCapacity = maximumOverCapacity
    }
}

public enum KillSelection: String, Hashable, Sendable, Codable {
    case youngestFirst = "YOUNGEST_FIRST"
    case oldestFirst = "OLDEST_FIRST"
}

/// `[field, operator, value?]`.
public struct Constraint: Hashable, Sendable, Codable {
    public enum Operator: String, Hashable, Sendable, Codable, CaseIterable {
        case unique = "UNIQUE"
        case cluster = "CLUSTER"
        case groupBy = "GROUP_BY"
        case like = "LIKE"
        case unlike = "UNLIKE"
        case maxPer = "MAX_PER"
        case `is` = "IS"
    }

    public var field: String
    public var op: Operator
    public var value: String?

    public init(field: String, op: Operator, value: String? = nil) {
        self.field = field
        self.op = op
        self.value = value
    }
}

public struct HealthCheck: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case http = "HTTP"
        case https = "HTTPS"
        case tcp = "TCP"
        case command = "COMMAND"
        case mesosHTTP = "MESOS_HTTP"
        case mesosHTTPS = "MESOS_HTTPS"
        case mesosTCP = "MESOS_TCP"
    }

    public var `protocol` = Kind.http
    public var path = "/"
    public var portIndex: Int? = 0
    /// A fixed port instead of `portIndex`.
    public var port: Int?
    /// For COMMAND: run with `/bin/sh -c` in the task's environment.
    public var command: String?
    public var gracePeriodSeconds = 300.0
    public var intervalSeconds = 60.0
    public var timeoutSeconds = 20.0
    public var maxConsecutiveFailures = 3
    public var delaySeconds = 15.0
    public var ignoreHttp1xx = false

    public init(protocol: Kind = .http) { self.protocol = `protocol` }
}

/// Marathon's `container`, as far as clusterbox runs it: an image, with host networking and no volumes. `type`
/// `DOCKER` (Marathon's default) and `MESOS` both run through clusterbox's own container executor, as the Mesos
/// containerizer runs Docker images.
public struct AppContainer: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case docker = "DOCKER"
        case mesos = "MESOS"
    }
    public var type = Kind.docker
    public var image: String

    public init(type: Kind = .docker, image: String) {
        self.type = type
        self.image = image
    }
}
