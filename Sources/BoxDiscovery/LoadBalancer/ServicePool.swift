import NIOCore
import Synchronization

/// One backend as a connection sees it: where to connect and what to count.
struct BackendEntry: Equatable, Sendable {
    let backend: Backend
    /// nil when `backend.host` is not an IP literal: then it is resolved per connection.
    let address: SocketAddress?
    let counters: BackendCounters

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.backend == rhs.backend && lhs.counters === rhs.counters }
}

/// The live state of one virtual service: its backends in rotation, backends removed while connections to them
/// drain, and the open client connections (so `shutdown` can close them). Connections on every event loop share it;
/// the lock is taken once when a connection is accepted and once when it closes, never per read.
final class ServicePool: Sendable {
    let endpoint: ServiceEndpoint
    let counters = ServiceCounters()
    private let state: Mutex<State>

    private struct State {
        var name: String
        var rotation: BackendRotation<BackendEntry>
        /// Removed backends, kept for statistics until their last connection closes.
        var draining: [BackendEntry] = []
        var connections: [ObjectIdentifier: any Channel] = [:]
        var isClosed = false
    }

    init(_ service: VirtualService) {
        endpoint = service.endpoint
        state = Mutex(
            State(name: service.name, rotation: BackendRotation(Self.entries(for: service.backends, reusing: []))))
    }

    /// Takes the service's new name and backend list. A backend that stays keeps its counters (a removed one that
    /// comes back while draining gets its old ones back); a removed one gets no new connections and drains.
    func update(_ service: VirtualService) {
        precondition(service.endpoint == endpoint, "a pool serves one endpoint")
        state.withLock { state in
            let known = state.rotation.elements + state.draining
            let entries = Self.entries(for: service.backends, reusing: known)
            let kept = Set(entries.map(\.backend))
            state.name = service.name
            state.rotation.replace(with: entries)
            state.draining = known.filter {
                !kept.contains($0.backend) && $0.counters.connectionsActive.load(ordering: .relaxed) > 0
            }
        }
    }

    /// Registers an accepted client connection and picks the backends it tries, in order. nil once the pool is
    /// closed: the caller then closes the connection.
    func accept(_ channel: any Channel) -> ConnectAttempts<BackendEntry>? {
        let attempts: ConnectAttempts<BackendEntry>? = state.withLock { state in
            guard !state.isClosed else { return nil }
            state.connections[ObjectIdentifier(channel)] = channel
            return state.rotation.nextAttempts()
        }
        guard attempts != nil else { return nil }
        counters.connectionsTotal.add(1, ordering: .relaxed)
        counters.connectionsActive.add(1, ordering: .relaxed)
        return attempts
    }

    /// Called once per accepted connection, when it has closed.
    func connectionClosed(_ channel: any Channel) {
        counters.connectionsActive.subtract(1, ordering: .relaxed)
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Refuses connections from now on and returns the open ones, for the caller to close.
    func close() -> [any Channel] {
        state.withLock { state in
            state.isClosed = true
            return Array(state.connections.values)
        }
    }

    var name: String { state.withLock { $0.name } }

    var hasOpenConnections: Bool { counters.connectionsActive.load(ordering: .relaxed) > 0 }

    func statistics(isListening: Bool) -> ServiceStatistics {
        let (name, current, draining) = state.withLock { state in
            state.draining.removeAll { $0.counters.connectionsActive.load(ordering: .relaxed) == 0 }
            return (state.name, state.rotation.elements, state.draining)
        }
        return ServiceStatistics(
            name: name, endpoint: endpoint, isListening: isListening,
            connectionsTotal: counters.connectionsTotal.load(ordering: .relaxed),
            connectionsActive: counters.connectionsActive.load(ordering: .relaxed),
            connectionsFailed: counters.connectionsFailed.load(ordering: .relaxed),
            backends: current.map { Self.statistics(of: $0, isCurrent: true) }
                + draining.map { Self.statistics(of: $0, isCurrent: false) })
    }

    // MARK: - Helpers

    private static func entries(for backends: [Backend], reusing known: [BackendEntry]) -> [BackendEntry] {
        let countersByBackend = Dictionary(
            known.map { ($0.backend, $0.counters) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<Backend> = []
        return backends.compactMap { backend in
            guard seen.insert(backend).inserted else { return nil }  // listed twice: one turn, not two
            let counters = countersByBackend[backend] ?? BackendCounters()
            let address = try? SocketAddress(ipAddress: backend.host, port: backend.port)
            return BackendEntry(backend: backend, address: address, counters: counters)
        }
    }

    private static func statistics(of entry: BackendEntry, isCurrent: Bool) -> BackendStatistics {
        let counters = entry.counters
        return BackendStatistics(
            backend: entry.backend, isCurrent: isCurrent,
            connectionsTotal: counters.connectionsTotal.load(ordering: .relaxed),
            connectionsActive: counters.connectionsActive.load(ordering: .relaxed),
            bytesIn: counters.bytesIn.load(ordering: .relaxed), bytesOut: counters.bytesOut.load(ordering: .relaxed),
            connectErrors: counters.connectErrors.load(ordering: .relaxed))
    }
}
