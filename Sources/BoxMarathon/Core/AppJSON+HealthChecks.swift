import BoxCore

/// Health checks (§3.2). The Python client sends `command` as `{"value": "…"}`; Marathon also took a bare string
/// once, so both are read.
extension AppReader {
    mutating func healthChecks(_ value: JSONValue) -> [HealthCheck]? {
        guard let elements = array(value, "/healthChecks") else { return nil }
        var result: [HealthCheck] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            if let check = healthCheck(element, "/healthChecks(\(index))") {
                result.append(check)
            } else {
                ok = false
            }
        }
        return ok ? result : nil
    }

    private mutating func healthCheck(_ value: JSONValue, _ path: String) -> HealthCheck? {
        guard let members = object(value, path) else { return nil }
        let errorsBefore = errors.list
        func field(_ key: String) -> JSONValue? {
            guard let value = members[key], value != .null else { return nil }
            return value
        }
        var check = HealthCheck()
        if let v = field("protocol"), let text = string(v, path + "/protocol") {
            if let kind = HealthCheck.Kind(rawValue: text.uppercased()) {
                check.protocol = kind
            } else {
                let names = HealthCheck.Kind.allCases.map(\.rawValue).joined(separator: ", ")
                fail(path + "/protocol", "must be one of \(names)")
            }
        }
        if let v = field("path"), let x = string(v, path + "/path") { check.path = x }
        let portIndex = field("portIndex").flatMap { int($0, path + "/portIndex") }
        let port = field("port").flatMap { int($0, path + "/port") }
        if portIndex != nil, port != nil { fail(path, "give either port or portIndex, not both") }
        // portIndex 0 is the default only for checks that use a port; a COMMAND check has none.
        check.port = port
        check.portIndex = portIndex ?? (port == nil && check.protocol != .command ? 0 : nil)
        if let v = field("command") { check.command = command(v, path + "/command") }
        if let v = field("gracePeriodSeconds"), let x = double(v, path + "/gracePeriodSeconds") {
            check.gracePeriodSeconds = x
        }
        if let v = field("intervalSeconds"), let x = double(v, path + "/intervalSeconds") { check.intervalSeconds = x }
        if let v = field("timeoutSeconds"), let x = double(v, path + "/timeoutSeconds") { check.timeoutSeconds = x }
        if let v = field("delaySeconds"), let x = double(v, path + "/delaySeconds") { check.delaySeconds = x }
        if let v = field("maxConsecutiveFailures"), let x = int(v, path + "/maxConsecutiveFailures") {
            check.maxConsecutiveFailures = x
        }
        if let v = field("ignoreHttp1xx"), let x = bool(v, path + "/ignoreHttp1xx") { check.ignoreHttp1xx = x }
        // Checked but not stored: a probe goes to the agent's address in whichever family the host has.
        if let v = field("ipProtocol"), let text = string(v, path + "/ipProtocol"), text != "IPv4", text != "IPv6" {
            fail(path + "/ipProtocol", "must be IPv4 or IPv6")
        }
        return errors.list == errorsBefore ? check : nil
    }

    private mutating func command(_ value: JSONValue, _ path: String) -> String? {
        switch value {
        case .string(let text): return text
        case .object(let members):
            guard let inner = members["value"] else {
                fail(path + "/value", "error.path.missing")
                return nil
            }
            return string(inner, path + "/value")
        default:
            fail(path, "error.expected.jsobject")
            return nil
        }
    }
}
