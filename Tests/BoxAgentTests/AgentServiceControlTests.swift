import BoxCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import BoxAgent

#if canImport(Glibc)
    import Glibc
#endif

/// What an agent tells the master, recorded: registrations, heartbeats and status updates.
final class RecordingUplink: AgentUplink {
    struct Record {
        var registrations: [AgentRegistration] = []
        var heartbeats = 0
        var statuses: [TaskStatus] = []
        var commands: (@Sendable (AgentCommand) -> Void)?
    }

    let record = Mutex(Record())

    func register(_ registration: AgentRegistration, commands: @escaping @Sendable (AgentCommand) -> Void) async
        -> AgentID?
    {
        record.withLock {
            $0.registrations.append(registration)
            $0.commands = commands
        }
        return registration.previousID ?? "agent-id-1"
    }

    func heartbeat(_ agentID: AgentID) async -> Bool {
        record.withLock { $0.heartbeats += 1 }
        return true
    }

    func statusUpdate(_ status: TaskStatus, frameworkID: FrameworkID, from agentID: AgentID) async {
        record.withLock { $0.statuses.append(status) }
    }
}

/// `clusterbox agent stop|start` at the agent: a stop kills the task's real process, sends nothing more to the
/// master (no kill update, no heartbeat: a crash), and refuses a second stop; a start reregisters under the same
/// id reporting no tasks, and refuses a second start.
@Suite struct AgentServiceControlTests {
    @Test func stopKillsTasksSilentlyAndStartReregisters() async throws {
        try await withTemporaryDirectory { root in
            let uplink = RecordingUplink()
            let agent = AgentService(
                name: "agent-1", resources: Resources(cpus: 1, memoryMiB: 256), executor: makeExecutor(root: root),
                uplink: uplink, clock: SystemClock(),
                logger: Logger(label: "clusterbox.agent.test") { _ in SwiftLogNoOpLogHandler() },
                heartbeatInterval: .milliseconds(50), killGrace: .seconds(1))
            let running = Task { await agent.run() }
            let commands = try #require(
                await eventually(within: processTimeout) { uplink.record.withLock { $0.commands } })
            commands(.launch(makeTask("sleeper", "echo $$ > pid; exec sleep 300"), frameworkID: "fw-1"))
            let started = await eventually(within: processTimeout) {
                uplink.record.withLock { $0.statuses.contains { $0.state == .running } } ? true : nil
            }
            #expect(started == true)
            let sandbox = try #require(await agent.executor.sandbox(of: "sleeper"))
            let pid = try #require(await readPID(sandbox + "/pid"))
            #expect(
                await agent.controlStatus
                    == AgentService.ControlStatus(name: "agent-1", agentID: "agent-id-1", state: "running"))

            try await agent.stop()
            #expect(kill(pid, 0) == -1 && errno == ESRCH, "the task's process \(pid) outlived the stop")
            #expect(await agent.controlStatus.state == "stopped")
            await #expect(throws: AgentService.ControlError.alreadyStopped("agent-1")) { try await agent.stop() }
            // Silent: no terminal update reaches the master, and the heartbeats stop (6 intervals without one).
            let heartbeats = uplink.record.withLock { $0.heartbeats }
            try await Task.sleep(for: .milliseconds(300))
            #expect(uplink.record.withLock { $0.heartbeats } == heartbeats)
            #expect(!uplink.record.withLock { $0.statuses.contains { $0.state.isTerminal } })

            let id = try await agent.start()
            #expect(id == "agent-id-1")
            let registrations = uplink.record.withLock { $0.registrations }
            #expect(registrations.count == 2)
            #expect(registrations.last?.previousID == "agent-id-1")
            #expect(registrations.last?.runningTasks.isEmpty == true)
            await #expect(throws: AgentService.ControlError.alreadyRunning("agent-1")) { try await agent.start() }
            let beating = await eventually(within: processTimeout) {
                uplink.record.withLock { $0.heartbeats } > heartbeats ? true : nil
            }
            #expect(beating == true)

            running.cancel()
            await running.value
            await #expect(throws: AgentService.ControlError.shuttingDown("agent-1")) { try await agent.stop() }
        }
    }
}
