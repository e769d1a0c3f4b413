public import Logging
public import NIOCore
import NIOPosix
import Synchronization

/// A round-robin TCP load balancer for virtual services, like kube-proxy or marathon-lb inside the one binary.
///
///     client ─▶ listener address:port ─▶ ServicePool (round robin) ─▶ backend host:port
///                                           │ refused/timeout: next backend, each once
///     bytes flow through two glued channels on one event loop; counters are relaxed atomics
///
/// `apply` is level-triggered: give it every service each time and it makes the listeners match. Listeners and
/// connections never wait for the control plane: each accepted connection takes the pool's lock once to pick its
/// backends and never again.
public final class LoadBalancer: Sendable {
    let group: any EventLoopGroup
    private let logger: Logger
    let dialer: BackendDialer
    private let state = Mutex(State())

    private struct State {
        var listeners: [ServiceEndpoint: Listener] = [:]
        /// Listeners of removed services that `apply` is closing; their pools retire once they are closed.
        var closing: [Listener] = []
        /// Pools of removed services whose connections still drain; reported by `statistics()` until closed.
        var retired: [ServicePool] = []
        var isShutDown = false

        mutating func pruneRetired() { retired.removeAll { !$0.hasOpenConnections } }
    }

    /// - Parameters:
    ///   - group: runs the listeners and connections; each connection stays on the event loop that accepted it,
    ///     backend side included.
    ///   - connectTimeout: how long a backend may take to accept before the next one is tried.
    public init(group: any EventLoopGroup, logger: Logger, connectTimeout: Duration = .seconds(1)) {
        self.group = group
        self.logger = logger
        dialer = BackendDialer(connectTimeout: TimeAmount(connectTimeout), logger: logger)
    }

    /// Makes the listeners and backend lists match `services`, matched by endpoint (address:port): binds new
    /// listeners, closes those of services no longer listed, and swaps backend lists in place. Closing a listener
    /// closes no connection: those open drain until either side closes them, and so do connections to removed
    /// backends. Returns the services whose listener could not be opened (bad port, duplicate endpoint, bind
    /// error), without failing the others; when it returns, every other listed service is listening and every
    /// unlisted one has stopped listening.
    public func apply(_ services: [VirtualService]) async -> [ListenerFailure] {
        let (plan, opening, closing) = state.withLock { state in
            transition(&state, to: services)
        }
        guard let plan else {
            return services.map { ListenerFailure(service: $0, error: LoadBalancerError.shutDown) }
        }
        for listener in closing {
            await listener.close()
            state.withLock { state in
                state.closing.removeAll { $0 === listener }
                state.retired.append(listener.pool)
            }
            logger.info("stopped listening", metadata: listener.pool.metadata)
        }
        var failures = plan.rejected.map { ListenerFailure(service: $0.service, error: $0.reason) }
        for (service, listener) in opening { bind(listener, service: service) }
        for (service, listener) in opening {
            do {
                _ = try await listener.channel.get()
                logger.info("listening", metadata: listener.pool.metadata)
            } catch {
                state.withLock { state in
                    if state.listeners[service.endpoint] === listener { state.listeners[service.endpoint] = nil }
                }
                logger.warning("cannot listen", metadata: listener.pool.metadata.merging(["error": "\(error)"]) { $1 })
                failures.append(ListenerFailure(service: service, error: error))
            }
        }
        return failures
    }

    /// Per service, then per backend, sorted by endpoint; removed services and backends appear (not listening, not
    /// current) while connections to them remain open. `isListening` is the socket's own state: false while a new
    /// listener is still binding, true while a removed one is still closing.
    public func statistics() -> [ServiceStatistics] {
        let pools = state.withLock { state in
            state.pruneRetired()
            return (Array(state.listeners.values) + state.closing).map { ($0.pool, $0.isListening) }
                + state.retired.map { ($0, false) }
        }
        return pools.map { $0.statistics(isListening: $1) }.sorted {
            ($0.endpoint, $0.isListening ? 0 : 1) < ($1.endpoint, $1.isListening ? 0 : 1)
        }
    }

    /// Closes every listener, then every open connection (both sides), and refuses later `apply`s. Idempotent.
    public func shutdown() async {
        let (listeners, pools) = state.withLock { state in
            state.isShutDown = true
            let listeners = Array(state.listeners.values)
            let pools = (listeners + state.closing).map(\.pool) + state.retired
            state.listeners = [:]
            state.retired = []
            return (listeners, pools)
        }
        for listener in listeners { await listener.close() }
        let connections = pools.flatMap { $0.close() }
        for connection in connections {
            // As an error, so the glue closes the backend side at once rather than after its pending writes.
            connection.pipeline.fireErrorCaught(LoadBalancerError.shutDown)
        }
        for connection in connections { try? await connection.closeFuture.get() }
        if !listeners.isEmpty { logger.info("load balancer shut down") }
    }

    // MARK: - Helpers

    /// The synchronous half of `apply`: decides and records, then `apply` does the IO. nil plan after shutdown.
    private func transition(_ state: inout State, to services: [VirtualService]) -> (
        ListenerPlan?, opening: [(VirtualService, Listener)], closing: [Listener]
    ) {
        guard !state.isShutDown else { return (nil, [], []) }
        let plan = ListenerPlan(listening: Set(state.listeners.keys), desired: services)
        for service in plan.update {
            state.listeners[service.endpoint]!.pool.update(service)
        }
        let closing = plan.close.map { state.listeners.removeValue(forKey: $0)! }
        for listener in closing {
            _ = listener.pool.close()  // refuse what the listener still accepts; open connections drain
        }
        state.pruneRetired()
        state.closing += closing
        let opening = plan.bind.map { service in
            let listener = Listener(pool: ServicePool(service), promise: group.next().makePromise())
            state.listeners[service.endpoint] = listener
            return (service, listener)
        }
        return (plan, opening, closing)
    }
}
