/// A service whose listener `LoadBalancer.apply` could not open. The other services are unaffected, and the next
/// `apply` that lists it tries again.
public struct ListenerFailure: Sendable, CustomStringConvertible {
    public var service: VirtualService
    /// A `LoadBalancerError`, or the socket error of the bind (an `IOError` such as EADDRINUSE or EADDRNOTAVAIL).
    public var error: any Error

    public init(service: VirtualService, error: any Error) {
        self.service = service
        self.error = error
    }

    public var description: String { "\(service.name) at \(service.endpoint): \(error)" }
}

/// Why the load balancer refused a service before trying to bind it.
public enum LoadBalancerError: Error, Hashable, Sendable {
    /// An earlier service in the same `apply` has this endpoint; the first one wins.
    case duplicateEndpoint(ServiceEndpoint)
    /// Listener ports are 1…65535 (a listener on port 0 could not be matched by endpoint).
    case invalidPort(Int)
    /// `shutdown()` has run.
    case shutDown
}
