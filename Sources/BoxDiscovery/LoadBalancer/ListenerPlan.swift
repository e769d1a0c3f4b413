/// What `LoadBalancer.apply` must do to make its listeners match the desired services. Pure: the load balancer
/// computes it under its lock from the endpoints it listens on, then carries it out.
struct ListenerPlan: Equatable, Sendable {
    /// A service refused before any socket is touched.
    struct Rejection: Equatable, Sendable {
        var service: VirtualService
        var reason: LoadBalancerError
    }

    /// Endpoints with no listener yet, in the order given.
    var bind: [VirtualService] = []
    /// Endpoints already listening: their backends (and name) are swapped in place.
    var update: [VirtualService] = []
    /// Listening endpoints no longer desired, sorted.
    var close: [ServiceEndpoint] = []
    var rejected: [Rejection] = []

    init(listening: Set<ServiceEndpoint>, desired: [VirtualService]) {
        var seen: Set<ServiceEndpoint> = []
        for service in desired {
            let endpoint = service.endpoint
            guard (1...65535).contains(endpoint.port) else {
                rejected.append(Rejection(service: service, reason: .invalidPort(endpoint.port)))
                continue
            }
            guard seen.insert(endpoint).inserted else {
                rejected.append(Rejection(service: service, reason: .duplicateEndpoint(endpoint)))
                continue
            }
            if listening.contains(endpoint) {
                update.append(service)
            } else {
                bind.append(service)
            }
        }
        close = listening.subtracting(seen).sorted()
    }
}
