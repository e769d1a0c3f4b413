import BoxCore

/// One of a container's probes, as its spec declares it (`readinessProbe`, `livenessProbe`, `startupProbe`), with
/// Kubernetes' defaults: period 10 s, timeout 1 s, success threshold 1, failure threshold 3.
struct PodProbe: Hashable, Sendable {
    enum Kind: String, Hashable, Sendable, CaseIterable {
        case startup, liveness, readiness

        /// `Liveness`: how the kubelet's events name it.
        var title: String {
            switch self {
            case .startup: "Startup"
            case .liveness: "Liveness"
            case .readiness: "Readiness"
            }
        }

        var field: String { rawValue + "Probe" }
    }

    /// A port as written: a number, or the name of a container port.
    enum Port: Hashable, Sendable {
        case number(Int)
        case name(String)
    }

    enum Action: Hashable, Sendable {
        case http(host: String?, port: Port, path: String, scheme: String, headers: [String: String])
        case tcp(host: String?, port: Port)
        case exec(command: [String])
        /// A probe with no handler, or one the kubelet part cannot carry out: fails with this message.
        case invalid(String)
    }

    var kind: Kind
    var action: Action
    var initialDelay: Duration = .zero
    var period: Duration = .seconds(10)
    var timeout: Duration = .seconds(1)
    var successThreshold = 1
    var failureThreshold = 3

    /// The container's probe of this kind, or nil when it declares none.
    static func parse(_ container: JSONValue, kind: Kind) -> PodProbe? {
        guard let spec = container[kind.field], spec.objectValue != nil else { return nil }
        var probe = PodProbe(kind: kind, action: action(spec))
        func seconds(_ key: String, default value: Int, minimum: Int) -> Duration {
            .seconds(max(minimum, spec[key]?.intValue ?? value))
        }
        probe.initialDelay = seconds("initialDelaySeconds", default: 0, minimum: 0)
        probe.period = seconds("periodSeconds", default: 10, minimum: 1)
        probe.timeout = seconds("timeoutSeconds", default: 1, minimum: 1)
        // Liveness and startup probes must use a success threshold of 1 (the API server enforces it).
        probe.successThreshold = kind == .readiness ? max(1, spec["successThreshold"]?.intValue ?? 1) : 1
        probe.failureThreshold = max(1, spec["failureThreshold"]?.intValue ?? 3)
        return probe
    }

    private static func action(_ spec: JSONValue) -> Action {
        if let http = spec["httpGet"] {
            guard let port = port(http["port"]) else { return .invalid("httpGet probe has no port") }
            var headers: [String: String] = [:]
            for header in http["httpHeaders"]?.arrayValue ?? [] {
                if let name = header["name"]?.stringValue { headers[name] = header["value"]?.stringValue ?? "" }
            }
            var path = http["path"]?.stringValue ?? "/"
            if !path.hasPrefix("/") { path = "/" + path }
            return .http(
                host: nonEmpty(http["host"]?.stringValue), port: port, path: path,
                scheme: (http["scheme"]?.stringValue ?? "HTTP").uppercased(), headers: headers)
        }
        if let tcp = spec["tcpSocket"] {
            guard let port = port(tcp["port"]) else { return .invalid("tcpSocket probe has no port") }
            return .tcp(host: nonEmpty(tcp["host"]?.stringValue), port: port)
        }
        if let exec = spec["exec"] {
            let command = exec["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return command.isEmpty ? .invalid("exec probe has no command") : .exec(command: command)
        }
        if spec["grpc"] != nil { return .invalid("grpc probes are not supported by clusterbox") }
        return .invalid("probe has no handler (httpGet, tcpSocket or exec)")
    }

    private static func port(_ value: JSONValue?) -> Port? {
        if let number = value?.intValue { return .number(number) }
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        if let number = Int(text) { return .number(number) }
        return .name(text)
    }

    private static func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

    /// The host port to probe. Pods share the host's network and every declared container port is mapped to a
    /// host port, so a port given by number or name is looked up among the declared ports (the container's own
    /// first, then its pod's); an undeclared number is probed as is.
    static func hostPort(
        _ port: Port, container: [(name: String?, containerPort: Int, host: UInt16)],
        pod: [(name: String?, containerPort: Int, host: UInt16)]
    ) -> Result<UInt16, ProbeFailure> {
        switch port {
        case .number(let number):
            if let mapped = (container + pod).first(where: { $0.containerPort == number }) {
                return .success(mapped.host)
            }
            guard let direct = UInt16(exactly: number), direct > 0 else {
                return .failure(ProbeFailure("invalid port number: \(number)"))
            }
            return .success(direct)
        case .name(let name):
            if let mapped = (container + pod).first(where: { $0.name == name }) { return .success(mapped.host) }
            return .failure(ProbeFailure("port \"\(name)\" not found in the container's ports"))
        }
    }
}

/// Why a probe failed, worded as the kubelet's `Unhealthy` events word it.
struct ProbeFailure: Error, Hashable, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
