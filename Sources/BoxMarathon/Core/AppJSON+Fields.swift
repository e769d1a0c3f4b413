import BoxCore

/// The fields of §3, each read onto the app only when present and of the right type. Rules about values (ranges,
/// operators needing values, port indices) are `App.validationErrors()`'s job, on the merged app.
extension AppReader {
    mutating func readFields(into app: inout App) {
        readCommand(into: &app)
        if let v = present("cpus"), let x = double(v, "/cpus") { app.cpus = x }
        if let v = present("mem"), let x = double(v, "/mem") { app.mem = x }
        if let v = present("disk"), let x = double(v, "/disk") { app.disk = x }
        if let v = present("gpus"), let x = int(v, "/gpus") { app.gpus = x }
        if let v = present("instances"), let x = int(v, "/instances") { app.instances = x }
        readPorts(into: &app)
        if let v = present("requirePorts"), let x = bool(v, "/requirePorts") { app.requirePorts = x }
        if let v = present("env"), let x = env(v) { app.env = x }
        if let v = present("labels"), let x = stringMap(v, "/labels") { app.labels = x }
        if let v = present("constraints"), let x = constraints(v) { app.constraints = x }
        if let v = present("healthChecks"), let x = healthChecks(v) { app.healthChecks = x }
        if let v = present("upgradeStrategy"), let x = upgradeStrategy(v) { app.upgradeStrategy = x }
        if let v = present("backoffSeconds"), let x = double(v, "/backoffSeconds") { app.backoffSeconds = x }
        if let v = present("backoffFactor"), let x = double(v, "/backoffFactor") { app.backoffFactor = x }
        if let v = present("maxLaunchDelaySeconds"), let x = double(v, "/maxLaunchDelaySeconds") {
            app.maxLaunchDelaySeconds = x
        }
        if let v = present("dependencies"), let x = dependencies(v, of: app.id) { app.dependencies = x }
        if let v = present("killSelection"), let text = string(v, "/killSelection") {
            if let x = KillSelection(rawValue: text) {
                app.killSelection = x
            } else {
                fail("/killSelection", "must be YOUNGEST_FIRST or OLDEST_FIRST")
            }
        }
        if let v = present("taskKillGracePeriodSeconds"), let x = double(v, "/taskKillGracePeriodSeconds") {
            app.taskKillGracePeriodSeconds = x
        }
        if let v = present("user"), let x = string(v, "/user") { app.user = x }
        if let v = present("container") { app.container = container(v) }
        readUnsupported()
        // Accepted and ignored, as the reference allows: `version` (rollback is `AppJSON.rollbackVersion`), `fetch`,
        // `uris`, `acceptedResourceRoles`, `role`, `unreachableStrategy`, `readinessChecks`, `residency`,
        // `ipAddress`, `secrets` (nothing refers to them once `env` secrets are refused), `storeUrls`,
        // `taskRateLimit`, and the read-only keys of a GET answer sent back (`tasks`, `deployments`, `versionInfo`…).
    }

    /// Setting one of `cmd` and `args` in an update drops the other from the base, so switching between them is
    /// one PUT; giving both in one body is the error.
    private mutating func readCommand(into app: inout App) {
        let cmd = present("cmd").flatMap { string($0, "/cmd") }
        let args = present("args").flatMap { strings($0, "/args") }
        if let cmd {
            app.cmd = cmd
            if present("args") == nil { app.args = nil }
        }
        if let args {
            app.args = args
            if present("cmd") == nil { app.cmd = nil }
        }
    }

    // MARK: - Ports

    private mutating func readPorts(into app: inout App) {
        let definitions = present("portDefinitions")
        let ports = present("ports")
        if definitions != nil, ports != nil {
            fail("/ports", "give either ports or portDefinitions, not both")
            return
        }
        if let definitions, let list = portDefinitions(definitions) { app.portDefinitions = list }
        // The legacy form: numbers only, as Marathon converts them (tcp, no name).
        if let ports, let elements = array(ports, "/ports") {
            let numbers = elements.enumerated().map { int($1, "/ports(\($0))") }
            if !numbers.contains(nil) { app.portDefinitions = numbers.map { PortDefinition(port: $0!) } }
        }
    }

    private mutating func portDefinitions(_ value: JSONValue) -> [PortDefinition]? {
        guard let elements = array(value, "/portDefinitions") else { return nil }
        var result: [PortDefinition] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            let path = "/portDefinitions(\(index))"
            guard let members = object(element, path) else {
                ok = false
                continue
            }
            // `port` may be absent (Marathon's default 0: pick one).
            var definition = PortDefinition(port: 0)
            if let v = members["port"], v != .null {
                if let port = int(v, path + "/port") { definition.port = port } else { ok = false }
            }
            if let v = members["protocol"], v != .null {
                if let text = string(v, path + "/protocol") { definition.protocol = text } else { ok = false }
            }
            if let v = members["name"], v != .null {
                if let text = string(v, path + "/name") { definition.name = text } else { ok = false }
            }
            if let v = members["labels"], v != .null {
                if let labels = stringMap(v, path + "/labels") { definition.labels = labels } else { ok = false }
            }
            result.append(definition)
        }
        return ok ? result : nil
    }

    // MARK: - Env, constraints, strategy, dependencies

    private mutating func env(_ value: JSONValue) -> [String: String]? {
        guard let members = object(value, "/env") else { return nil }
        var result: [String: String] = [:]
        var ok = true
        for (name, member) in members {
            switch member {
            case .string(let text): result[name] = text
            case .object(let reference) where reference["secret"] != nil:
                fail("/env/\(name)", "secrets are not supported")
                ok = false
            default:
                _ = string(member, "/env/\(name)")
                ok = false
            }
        }
        return ok ? result : nil
    }

    /// `[field, operator]` or `[field, operator, value]`; a value the client sends as a number (`2`) is kept as
    /// its text (`"2"`), as Marathon compares values as strings. Operators are matched case-insensitively.
    private mutating func constraints(_ value: JSONValue) -> [Constraint]? {
        guard let elements = array(value, "/constraints") else { return nil }
        var result: [Constraint] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            let path = "/constraints(\(index))"
            guard let parts = array(element, path) else {
                ok = false
                continue
            }
            guard parts.count == 2 || parts.count == 3 else {
                fail(path, "Each constraint must have either 2 or 3 fields")
                ok = false
                continue
            }
            let field = string(parts[0], path + "(0)")
            let opText = string(parts[1], path + "(1)")
            var constraintValue: String?
            if parts.count == 3 {
                switch parts[2] {
                case .null: break
                case .string(let text): constraintValue = text
                case .int, .double: constraintValue = parts[2].text
                default: _ = string(parts[2], path + "(2)")
                }
            }
            guard let field, let opText, parts.count < 3 || parts[2] == .null || constraintValue != nil else {
                ok = false
                continue
            }
            guard let op = Constraint.Operator(rawValue: opText.uppercased()) else {
                fail(
                    path,
                    "Constraint operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER or IS"
                )
                ok = false
                continue
            }
            result.append(Constraint(field: field, op: op, value: constraintValue))
        }
        return ok ? result : nil
    }

    /// Missing keys take Marathon's defaults (1.0), not the base's: the object is replaced as a whole.
    private mutating func upgradeStrategy(_ value: JSONValue) -> UpgradeStrategy? {
        guard let members = object(value, "/upgradeStrategy") else { return nil }
        var strategy = UpgradeStrategy()
        var ok = true
        if let v = members["minimumHealthCapacity"], v != .null {
            if let x = double(v, "/upgradeStrategy/minimumHealthCapacity") {
                strategy.minimumHealthCapacity = x
            } else {
                ok = false
            }
        }
        if let v = members["maximumOverCapacity"], v != .null {
            if let x = double(v, "/upgradeStrategy/maximumOverCapacity") {
                strategy.maximumOverCapacity = x
            } else {
                ok = false
            }
        }
        return ok ? strategy : nil
    }

    /// Relative dependencies resolve against the app's parent group, as Marathon resolves them.
    private mutating func dependencies(_ value: JSONValue, of id: PathID) -> [PathID]? {
        guard let texts = strings(value, "/dependencies") else { return nil }
        var result: [PathID] = []
        for (index, text) in texts.enumerated() {
            do {
                result.append(try PathID(text, relativeTo: id.parent))
            } catch {
                fail("/dependencies(\(index))", error.description)
            }
        }
        return result.count == texts.count ? result : nil
    }

    // MARK: - What needs a runtime clusterbox does not have

    private mutating func readUnsupported() {
        if let v = present("executor"), let text = string(v, "/executor"), !(text.isEmpty || text == "//cmd") {
            fail("/executor", "custom executors are not supported; leave executor empty or \"//cmd\"")
        }
        if let v = present("networks"), let elements = array(v, "/networks") {
            for (index, element) in elements.enumerated() {
                guard let members = object(element, "/networks(\(index))") else { continue }
                guard let mode = members["mode"], mode != .null else { continue }  // Marathon's default: host
                if let text = string(mode, "/networks(\(index))/mode"), text != "host" {
                    fail(
                        "/networks(\(index))/mode",
                        "only host networking is supported (container networks need a container)")
                }
            }
        }
    }

    /// `container`: `docker.image` runs the tasks in that image (type `DOCKER`, the default, or `MESOS`). A `MESOS`
    /// container without an image asks for nothing (exported definitions often carry one). Volumes, port mappings,
    /// privileged mode and docker parameters need more than clusterbox's executor does, and are refused by name.
    private mutating func container(_ value: JSONValue) -> AppContainer? {
        if value == .null || Self.isEmptyMesosContainer(value) { return nil }
        guard let members = object(value, "/container") else { return nil }
        var kind = AppContainer.Kind.docker
        if let v = members["type"], v != .null, let text = string(v, "/container/type") {
            guard let parsed = AppContainer.Kind(rawValue: text) else {
                fail("/container/type", "must be DOCKER or MESOS, not \(text)")
                return nil
            }
            kind = parsed
        }
        for key in ["volumes", "portMappings"] {
            if let v = members[key], v != .null, v != .array([]) {
                fail("/container/\(key)", "\(key) are not supported: tasks use host networking and their sandbox")
            }
        }
        guard let dockerValue = members["docker"], dockerValue != .null,
            let docker = object(dockerValue, "/container/docker")
        else {
            fail("/container/docker/image", "a container needs docker.image (an image from `clusterbox image ls`)")
            return nil
        }
        if docker["privileged"] == .bool(true) {
            fail("/container/docker/privileged", "privileged containers are not supported")
        }
        if let v = docker["parameters"], v != .null, v != .array([]) {
            fail("/container/docker/parameters", "docker parameters are not supported")
        }
        guard let imageValue = docker["image"], let image = string(imageValue, "/container/docker/image") else {
            if docker["image"] == nil { fail("/container/docker/image", "must be given") }
            return nil
        }
        guard !image.isEmpty else {
            fail("/container/docker/image", "must not be empty")
            return nil
        }
        return AppContainer(type: kind, image: image)
    }

    /// `{"type": "MESOS"}` with no image, volumes or port mappings asks for nothing beyond a command, which is what
    /// definitions exported from a real Marathon often carry; anything more needs the container executor.
    private static func isEmptyMesosContainer(_ value: JSONValue) -> Bool {
        guard case .object(let members) = value, members["type"] == .string("MESOS") else { return false }
        return members.allSatisfy { key, member in
            switch key {
            case "type": true
            case "volumes", "portMappings": member == .null || member == .array([])
            default: member == .null
            }
        }
    }
}
