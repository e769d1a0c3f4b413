import BoxRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Host mode (no rootfs; the Mesos containerizer without an image): the host's filesystem, the sandbox as working
/// directory, a private /proc for the task's own pid namespace, a private tmpfs on /tmp, the same filter and
/// no_new_privs.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct ContainerLauncherHostModeTests {
    @Test func sandboxPrivateTmpAndOwnPidNamespace() async throws {
        // The task writes a file into its /tmp; the host's /tmp never has it. pwd is the sandbox (itself under the
        // host's /tmp, and bound onto the same path in the task's /tmp: its /tmp holds the marker and the top of that
        // path), $$ is 2 (the init
        // is 1), and /proc is the task's own (ps in `ps | wc` sees the init, sh, ps and wc, plus its header line).
        try await withWorkspace { workspace in
            let sandbox = workspace.root + "/sandbox"
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
            chown(sandbox, 65534, 65534)
            let marker = "clusterbox-rt-" + UUID().uuidString.prefix(8)
            let bb = RuntimeHost.busybox
            let script = """
                echo pid=$$; \(bb) pwd; echo hi > /tmp/\(marker) && \(bb) cat /tmp/\(marker)
                \(bb) ls /tmp | \(bb) wc -l; \(bb) ps -o pid | \(bb) wc -l; echo sandbox > out
                \(bb) grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
                """
            let spec = ContainerSpec(argv: shell(script, onHost: true), workingDirectory: sandbox)
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines == ["pid=2", sandbox, "hi", "2", "5", "NoNewPrivs:\t1", "Seccomp:\t2"], "\(outcome.stdout)")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
            #expect((try? String(contentsOfFile: sandbox + "/out", encoding: .utf8)) == "sandbox\n")
        }
    }

    @Test func hostModeResolvesNamesOnTheHost() async throws {
        // A bare name is looked up in PATH on the host: busybox from /bin.
        try await withWorkspace { workspace in
            let spec = ContainerSpec(
                argv: ["busybox", "id", "-u"], environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/")
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.stdout == "65534\n", "\(outcome.stderr)")
        }
    }
}
