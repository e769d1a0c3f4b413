import BoxRuntime
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The task's init (`ContainerSpec.runsInit`): PID 1 of the namespace forwards signals to the command's process
/// group, reaps, and exits with the command's status, so a command that does not handle SIGTERM still stops on it.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct ContainerInitTests {
    /// `sleep` handles no signal. Under the init, the SIGTERM that `stop` sends the launched pid (the init) reaches
    /// it and the task ends within the grace with 128 + 15. (Without the init, sleep is PID 1 and the SIGTERM is
    /// dropped: ContainerLauncherFailureTests.stopKillsAPid1ThatIgnoresSIGTERM.)
    @Test func sigtermStopsACommandThatDoesNotHandleIt() async throws {
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/sleep", "30"], rootfs: workspace.rootfs)
            let (outcome, status) = try await onOwnThread { () throws -> (ContainerLauncher.StopOutcome, Int32) in
                let pid = try ContainerLauncher.spawn(spec)
                usleep(50_000)
                let outcome = try ContainerLauncher.stop(pid, grace: .seconds(5))
                return (outcome, wait(for: pid, timeoutSeconds: 5))
            }
            #expect(outcome == .exited)
            #expect(status == 128 + SIGTERM)
        }
    }

    /// The command's exit code is the task's, and an orphan (a background child the shell left) does not keep the
    /// task alive: the init exits with the command and the namespace's other processes go with it.
    @Test func exitCodeAndOrphans() async throws {
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: shell("sleep 30 & exit 7"), rootfs: workspace.rootfs)
            let started = ContinuousClock.now
            let outcome = try await run(spec, in: workspace, timeoutSeconds: 25)
            #expect(outcome.status == 7, "\(outcome.stderr)")
            #expect(started.duration(to: .now) < .seconds(20), "the orphaned sleep 30 kept the task alive")
        }
    }
}
