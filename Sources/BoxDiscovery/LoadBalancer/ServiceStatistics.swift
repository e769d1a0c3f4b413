/// Counters of one virtual service, from `LoadBalancer.statistics()`.
public struct ServiceStatistics: Hashable, Sendable {
    public var name: String
    public var endpoint: ServiceEndpoint
    /// false for a service that `apply` removed and whose connections are still draining.
    public var isListening: Bool
    /// Client connections accepted.
    public var connectionsTotal: Int
    /// Client connections still open, including those still connecting to a backend.
    public var connectionsActive: Int
    /// Client connections closed because no backend accepted them (or the service had none).
    public var connectionsFailed: Int
    /// The current backends in round-robin order, then removed ones that still have open connections.
    public var backends: [BackendStatistics]

    public init(
        name: String, endpoint: ServiceEndpoint, isListening: Bool, connectionsTotal: Int, connectionsActive: Int,
        connectionsFailed: Int, backends: [BackendStatistics]
    ) {
        self.name = name
        self.endpoint = endpoint
        self.isListening = isListening
        self.connectionsTotal = connectionsTotal
        self.connectionsActive = connectionsActive
        self.connectionsFailed = connectionsFailed
        self.backends = backends
    }
}

/// Counters of one backend of one service. Bytes are counted as HAProxy does: in from the client, out to it.
public struct BackendStatistics: Hashable, Sendable {
    public var backend: Backend
    /// false once `apply` removed the backend; it is reported until its last connection closes.
    public var isCurrent: Bool
    /// Connections proxied to this backend.
    public var connectionsTotal: Int
    public var connectionsActive: Int
    /// Bytes read from clients and forwarded to this backend.
    public var bytesIn: Int
    /// Bytes read from this backend and forwarded to clients.
    public var bytesOut: Int
    /// Connection attempts that were refused or timed out (the next backend was tried).
    public var connectErrors: Int

    public init(
        backend: Backend, isCurrent: Bool, connectionsTotal: Int, connectionsActive: Int, bytesIn: Int, bytesOut: Int,
        connectErrors: Int
    ) {
        self.backend = backend
        self.isCurrent = isCurrent
        self.connectionsTotal = connectionsTotal
        self.connectionsActive = connectionsActive
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.connectErrors = connectErrors
    }
}
