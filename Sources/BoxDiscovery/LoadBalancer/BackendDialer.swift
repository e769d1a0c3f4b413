import Logging
import NIOCore
import NIOPosix

/// Carries an accepted client connection to a backend: tries the backends the pool picked, in order, each with a
/// connect timeout, counting refusals per backend; then glues the two channels together. The client channel is
/// accepted with autoRead off, so bytes the client sends meanwhile wait in its socket (or, after its end of input,
/// in its half of the glue) until the backend is connected.
///
///     accepted ─▶ pool.accept ─▶ connect #1 ─refused/timeout─▶ connect #2 … ─all failed─▶ close client
///                                     └──────────connected──────────┴─▶ glue, autoRead on both sides
struct BackendDialer: Sendable {
    let connectTimeout: TimeAmount
    let logger: Logger

    /// Starts proxying `client` for `pool`; runs on the client's event loop, and every backend channel uses it too.
    /// `clientHalf` is in the client's pipeline already.
    func start(client: any Channel, clientHalf: ProxyGlueHandler, pool: ServicePool) {
        guard let attempts = pool.accept(client) else {
            client.close(promise: nil)
            return
        }
        client.closeFuture.whenComplete { _ in pool.connectionClosed(client) }
        dial(client: client, clientHalf: clientHalf, pool: pool, attempts: attempts)
    }

    private func dial(
        client: any Channel, clientHalf: ProxyGlueHandler, pool: ServicePool, attempts: ConnectAttempts<BackendEntry>
    ) {
        var attempts = attempts
        guard let entry = attempts.next() else {
            pool.counters.connectionsFailed.add(1, ordering: .relaxed)
            logger.debug(
                "no backend accepted the connection", metadata: ["service.endpoint": "\(pool.endpoint)"])
            client.close(promise: nil)
            return
        }
        let bootstrap = ClientBootstrap(group: client.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(ChannelOptions.autoRead, value: false)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
        let connected =
            if let address = entry.address {
                bootstrap.connect(to: address)
            } else {
                bootstrap.connect(host: entry.backend.host, port: entry.backend.port)
            }
        // On the client's loop, where the connect completes too: the callback may touch the client's handler.
        connected.assumeIsolated().whenComplete { [attempts] result in
            switch result {
            case .success(let backend):
                logger.trace(
                    "proxying",
                    metadata: ["service.endpoint": "\(pool.endpoint)", "backend.id": "\(entry.backend.id)"])
                glue(client: client, clientHalf: clientHalf, backend: backend, entry: entry)
            case .failure(let error):
                entry.counters.connectErrors.add(1, ordering: .relaxed)
                logger.debug(
                    "backend connect failed, trying the next",
                    metadata: [
                        "service.endpoint": "\(pool.endpoint)", "backend.id": "\(entry.backend.id)",
                        "error": "\(error)",
                    ])
                guard client.isActive else { return }  // closed meanwhile (shutdown): stop trying
                dial(client: client, clientHalf: clientHalf, pool: pool, attempts: attempts)
            }
        }
    }

    private func glue(client: any Channel, clientHalf: ProxyGlueHandler, backend: any Channel, entry: BackendEntry) {
        backend.eventLoop.preconditionInEventLoop()
        guard client.isActive else {
            backend.close(promise: nil)
            return
        }
        let counters = entry.counters
        counters.connectionsTotal.add(1, ordering: .relaxed)
        counters.connectionsActive.add(1, ordering: .relaxed)
        backend.closeFuture.whenComplete { _ in counters.connectionsActive.subtract(1, ordering: .relaxed) }
        let backendHalf = ProxyGlueHandler(side: .backend)
        do {
            try backend.pipeline.syncOperations.addHandler(backendHalf)
        } catch {
            client.close(promise: nil)
            backend.close(promise: nil)
            return
        }
        clientHalf.glue(to: backendHalf, counters: counters)
        guard backend.isActive else {  // went away before its half of the glue could notice
            client.close(promise: nil)
            return
        }
        client.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in client.close(promise: nil) }
        backend.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in backend.close(promise: nil) }
    }
}
