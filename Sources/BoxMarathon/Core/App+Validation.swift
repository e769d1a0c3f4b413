import BoxCore

/// Marathon's rules for an app definition (reference §3), checked on the whole app: after a partial update too, so
/// `{"instances": -1}` or a `portDefinitions: []` that strands a health check's `portIndex` are caught. Messages
/// follow Marathon's wording where it has one (Accord's `got X, expected Y or more`, the constraint texts).
extension App {
    /// Every broken rule, one `FieldError` per path, in field order; empty when the app is valid. Paths are as in
    /// the JSON (`/healthChecks(0)/portIndex`).
    public func validationErrors() -> [FieldError] {
        var errors = FieldErrors()
        if id.isRoot { errors.add("/id", "must name an app, not the root group '/'") }
        validateCommand(&errors)
        atLeast(cpus, 0.001, "/cpus", &errors)
        atLeast(mem, 0, "/mem", &errors)
        atLeast(disk, 0, "/disk", &errors)
        atLeast(Double(gpus), 0, "/gpus", &errors)
        atLeast(Double(instances), 0, "/instances", &errors)
        validatePorts(&errors)
        for (index, constraint) in constraints.enumerated() {
            for message in constraint.problems() { errors.add("/constraints(\(index))", message) }
        }
        for (index, check) in healthChecks.enumerated() { validate(check, "/healthChecks(\(index))", &errors) }
        within01(upgradeStrategy.minimumHealthCapacity, "/upgradeStrategy/minimumHealthCapacity", &errors)
        within01(upgradeStrategy.maximumOverCapacity, "/upgradeStrategy/maximumOverCapacity", &errors)
        atLeast(backoffSeconds, 0, "/backoffSeconds", &errors)
        atLeast(backoffFactor, 1, "/backoffFactor", &errors)
        atLeast(maxLaunchDelaySeconds, 0, "/maxLaunchDelaySeconds", &errors)
        if let taskKillGracePeriodSeconds {
            atLeast(taskKillGracePeriodSeconds, 0, "/taskKillGracePeriodSeconds", &errors)
        }
        for (index, dependency) in dependencies.enumerated() where dependency == id {
            errors.add("/dependencies(\(index))", "an app cannot depend on itself")
        }
        return errors.list
    }

    private func validateCommand(_ errors: inout FieldErrors) {
        let hasArgs = !(args ?? []).isEmpty
        if cmd != nil, hasArgs { errors.add("/", "AppDefinition must contain either 'cmd' or 'args', not both") }
        if cmd == nil, !hasArgs, container == nil {
            errors.add("/", "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'.")
        }
        if cmd?.isEmpty == true { errors.add("/cmd", "must not be empty") }
    }

    private func validatePorts(_ errors: inout FieldErrors) {
        for (index, definition) in portDefinitions.enumerated() {
            let path = "/portDefinitions(\(index))"
            if !(0...65535).contains(definition.port) {
                errors.add(path + "/port", "got \(definition.port), expected 0 to 65535")
            }
            if !["tcp", "udp", "udp,tcp"].contains(definition.protocol) {
                errors.add(path + "/protocol", "must be tcp, udp or udp,tcp")
            }
        }
        let fixed = portDefinitions.map(\.port).filter { $0 != 0 }
        if Set(fixed).count != fixed.count { errors.add("/portDefinitions", "Ports must be unique.") }
        let names = portDefinitions.compactMap(\.name)
        if Set(names).count != names.count { errors.add("/portDefinitions", "Port names must be unique.") }
    }

    private func validate(_ check: HealthCheck, _ path: String, _ errors: inout FieldErrors) {
        if check.protocol == .command {
            if (check.command ?? "").isEmpty { errors.add(path + "/command", "COMMAND health checks need a command") }
        } else if let portIndex = check.portIndex, !portDefinitions.indices.contains(portIndex) {
            errors.add(
                path + "/portIndex",
                "Health check port indices must address an element of the ports array or container port mappings.")
        } else if check.portIndex == nil, check.port == nil {
            errors.add(path, "a \(check.protocol.rawValue) health check needs port or portIndex")
        }
        if let port = check.port, !(1...65535).contains(port) {
            errors.add(path + "/port", "got \(port), expected 1 to 65535")
        }
        greaterThanZero(check.intervalSeconds, path + "/intervalSeconds", &errors)
        greaterThanZero(check.timeoutSeconds, path + "/timeoutSeconds", &errors)
        atLeast(check.gracePeriodSeconds, 0, path + "/gracePeriodSeconds", &errors)
        atLeast(check.delaySeconds, 0, path + "/delaySeconds", &errors)
        atLeast(Double(check.maxConsecutiveFailures), 0, path + "/maxConsecutiveFailures", &errors)
    }

    private func atLeast(_ value: Double, _ minimum: Double, _ path: String, _ errors: inout FieldErrors) {
        if !(value >= minimum) { errors.add(path, "got \(number(value)), expected \(number(minimum)) or more") }
    }

    private func greaterThanZero(_ value: Double, _ path: String, _ errors: inout FieldErrors) {
        if !(value > 0) { errors.add(path, "got \(number(value)), expected more than 0") }
    }

    /// The reference's example message for `upgradeStrategy` (§10).
    private func within01(_ value: Double, _ path: String, _ errors: inout FieldErrors) {
        if value > 1 { errors.add(path, "is greater than 1") }
        if value < 0 { errors.add(path, "is less than 0") }
    }

    private func number(_ value: Double) -> String { JSONValue.numberText(value) }
}

extension Constraint {
    /// What is wrong with the operator's value (§3.1), as Marathon words it; empty when nothing is.
    func problems() -> [String] {
        switch op {
        case .unique:
            return value == nil ? [] : ["Value was specified but is not used by this operator"]
        case .cluster:
            return value?.isEmpty == true ? ["Missing value"] : []
        case .groupBy:
            guard let value else { return [] }
            return Int(value).map { $0 >= 1 } == true ? [] : ["Value was specified but is not a number"]
        case .maxPer:
            guard let value else { return ["Missing value"] }
            return Int(value).map { $0 >= 0 } == true ? [] : ["Value was specified but is not a number"]
        case .like, .unlike:
            guard let value else { return ["Missing value"] }
            return (try? Regex(value)) == nil ? ["'\(value)' is not a valid regular expression"] : []
        case .is:
            return value == nil ? ["Missing value"] : []
        }
    }
}
