public import BoxCore

/// One task behind a virtual service: where the load balancer connects.
public struct Backend: Hashable, Sendable {
    /// The task the backend belongs to; names the backend in statistics and logs.
    public var id: TaskID
    /// An IP literal (resolved once per `apply`) or a host name (resolved per connection, so prefer literals).
    public var host: String
    public var port: Int

    public init(id: TaskID, host: String, port: Int) {
        self.id = id
        self.host = host
        self.port = port
    }
}

/// A virtual IP and port (the service's endpoint) that spreads connections over its backends, like a kube-proxy
/// ClusterIP or a marathon-lb service port. On Linux the whole of 127.0.0.0/8 is on `lo`, so any 127.x.y.z address
/// binds without an alias.
public struct VirtualService: Hashable, Sendable {
    public var name: String
    /// An IP literal to listen on, such as "127.96.0.5".
    public var address: String
    public var port: Int
    /// In round-robin order.
    public var backends: [Backend]

    public init(name: String, address: String, port: Int, backends: [Backend]) {
        self.name = name
        self.address = address
        self.port = port
        self.backends = backends
    }

    /// The key `LoadBalancer.apply` matches listeners by.
    public var endpoint: ServiceEndpoint { ServiceEndpoint(address: address, port: port) }
}

/// "address:port" of a virtual service: at most one listener each.
public struct ServiceEndpoint: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: String
    public var port: Int

    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }

    public var description: String { "\(address):\(port)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.address, lhs.port) < (rhs.address, rhs.port) }
}
