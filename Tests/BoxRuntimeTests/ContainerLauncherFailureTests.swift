import BoxRuntime
import BoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Failures before exec come back as a `LaunchFailure` naming the step, and the child is already reaped; stopping
/// a task that ignores SIGTERM (PID 1 of its namespace without a handler) ends with SIGKILL after the grace.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct ContainerLauncherFailureTests {
    @Test func missingRootfsFailsAtBindRootfs() async throws {
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/true"], rootfs: workspace.root + "/no-such-rootfs")
            let failure = try launchFailure(spec)
            #expect(failure?.step == "bind rootfs")
            #expect(failure?.errno == ENOENT)
            #expect(failure?.description == "bind rootfs: No such file or directory")
            expectReaped(failure?.pid)
        }
    }

    @Test func missingExecutableFailsAtExecve() async throws {
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/no-such-program"], rootfs: workspace.rootfs)
            let failure = try launchFailure(spec)
            #expect(failure?.description == "execve: No such file or directory")
            expectReaped(failure?.pid)
        }
    }

    @Test func unknownNameFailsInTheParent() async throws {
        // Not found in PATH inside the rootfs: no child is created at all.
        try await withWorkspace { workspace in
            let failure = try launchFailure(ContainerSpec(argv: ["no-such-program"], rootfs: workspace.rootfs))
            #expect(failure == LaunchFailure(step: "look up no-such-program in PATH", errno: ENOENT))
        }
    }

    @Test func missingWorkingDirectoryFailsAtChdir() async throws {
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/true"], workingDirectory: "/nowhere", rootfs: workspace.rootfs)
            let failure = try launchFailure(spec)
            #expect(failure?.description == "chdir: No such file or directory")
            expectReaped(failure?.pid)
        }
    }

    @Test func stopKillsAPid1ThatIgnoresSIGTERM() async throws {
        // Without the init, sleep is PID 1 and has no SIGTERM handler, so the kernel drops SIGTERM: stop waits out
        // its 200 ms grace and sends SIGKILL; the task ends with 128 + 9. (ContainerInitTests: with the init.)
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/sleep", "30"], rootfs: workspace.rootfs, runsInit: false)
            let (outcome, status) = try await onOwnThread { () throws -> (ContainerLauncher.StopOutcome, Int32) in
                let pid = try ContainerLauncher.spawn(spec)
                let outcome = try ContainerLauncher.stop(pid, grace: .milliseconds(200))
                return (outcome, wait(for: pid, timeoutSeconds: 5))
            }
            #expect(outcome == .killed)
            #expect(status == 128 + SIGKILL)
        }
    }

    @Test func stopLetsATaskWithAHandlerExit() async throws {
        // A shell that traps TERM exits 3 within the grace: no SIGKILL needed.
        try await withWorkspace { workspace in
            let script = "trap 'exit 3' TERM; while :; do sleep 0.05; done"
            let spec = ContainerSpec(argv: shell(script), rootfs: workspace.rootfs)
            let (outcome, status) = try await onOwnThread { () throws -> (ContainerLauncher.StopOutcome, Int32) in
                let pid = try ContainerLauncher.spawn(spec)
                usleep(100_000)  // let the shell install its trap
                let outcome = try ContainerLauncher.stop(pid, grace: .seconds(5))
                return (outcome, wait(for: pid, timeoutSeconds: 5))
            }
            #expect(outcome == .exited)
            #expect(status == 3)
        }
    }

    private func launchFailure(_ spec: ContainerSpec) throws -> LaunchFailure? {
        do {
            let pid = try ContainerLauncher.spawn(spec)
            Issue.record("launch succeeded unexpectedly (pid \(pid))")
            _ = wait(for: pid, timeoutSeconds: 5)
            return nil
        } catch {
            return error
        }
    }

    private func expectReaped(_ pid: pid_t?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let pid else {
            Issue.record("no pid in the failure", sourceLocation: sourceLocation)
            return
        }
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "pid \(pid) still exists", sourceLocation: sourceLocation)
    }
}
