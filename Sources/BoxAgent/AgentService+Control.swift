public import BoxCore

/// Stopping and starting an agent while the cluster runs (`clusterbox agent stop|start`), to watch what losing
/// one does: the master marks it unreachable after its heartbeat timeout, frameworks move its work elsewhere, and
/// a started agent reregisters.
extension AgentService {
    /// Where an agent is in its stop/start cycle.
    public enum Lifecycle: String, Sendable {
        /// Registered (or registering) and serving the master's commands.
        case running
        /// A stop was asked; its tasks are being killed.
        case stopping
        /// Serves nothing and sends no heartbeat; its tasks are gone.
        case stopped
    }

    /// Why a stop or a start was refused.
    public enum ControlError: Error, Equatable, Sendable, CustomStringConvertible {
        case alreadyStopped(String)
        case stopping(String)
        case alreadyRunning(String)
        case shuttingDown(String)

        public var description: String {
            switch self {
            case .alreadyStopped(let name): "agent \(name) is already stopped"
            case .stopping(let name): "agent \(name) is stopping"
            case .alreadyRunning(let name): "agent \(name) is already running"
            case .shuttingDown(let name): "agent \(name) is shutting down with the cluster"
            }
        }
    }

    /// The agent's name, id and lifecycle, for the API and `clusterbox agents`.
    public struct ControlStatus: Sendable, Codable, Equatable {
        public var name: String
        public var agentID: String?
        public var state: String
    }

    public var controlStatus: ControlStatus {
        ControlStatus(name: name, agentID: agentID?.value, state: lifecycle.rawValue)
    }

    /// Simulates a crash: ends the serving period, kills every task (SIGTERM, SIGKILL after the kill grace, each
    /// process group or cgroup as at shutdown) and stops heartbeating, telling the master nothing. Returns once
    /// the tasks are gone.
    public func stop() async throws(ControlError) {
        switch lifecycle {
        case _ where hasEnded: throw .shuttingDown(name)
        case .stopped: throw .alreadyStopped(name)
        case .stopping: throw .stopping(name)
        case .running: break
        }
        lifecycle = .stopping
        stopSink?.yield()
        await withCheckedContinuation { stopWaiters.append($0) }
    }

    /// Serves again: reregisters under the old id (or afresh if the master removed it). Returns the id the
    /// master knows it by once registered (nil if the cluster shut down first).
    @discardableResult
    public func start() async throws(ControlError) -> AgentID? {
        switch lifecycle {
        case _ where hasEnded: throw .shuttingDown(name)
        case .running: throw .alreadyRunning(name)
        case .stopping: throw .stopping(name)
        case .stopped: break
        }
        lifecycle = .running
        wake.continuation.yield()
        return await withCheckedContinuation { startWaiters.append($0) }
    }

    /// After a registration: the callers of `start()` learn the id.
    func resumeStartWaiters() {
        for waiter in startWaiters { waiter.resume(returning: agentID) }
        startWaiters.removeAll()
    }

    /// When `run` ends: nobody waits for a stop or start that will not come.
    func finishWaiters() {
        for waiter in stopWaiters { waiter.resume() }
        stopWaiters.removeAll()
        for waiter in startWaiters { waiter.resume(returning: nil) }
        startWaiters.removeAll()
        wake.continuation.finish()
    }
}
