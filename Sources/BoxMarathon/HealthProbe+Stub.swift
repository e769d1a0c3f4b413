// Temporary: replaced by HealthProbe.swift when it lands.
public struct ProbeResult: Hashable, Sendable {
    public var alive: Bool
    public var cause: String?
}

public struct HealthProbe: Sendable {
    public init() {}
    public func probe(
        _ check: HealthCheck, host: String, ports: [UInt16], environment: [String: String], sandbox: String?
    ) async -> ProbeResult {
        ProbeResult(alive: true, cause: nil)
    }
}
