import BoxRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Tasks in a busybox rootfs: new pid, mount, UTS and IPC namespaces, pivot_root, the default seccomp filter,
/// Docker's default capabilities in the bounding set, uid/gid 65534 unless a test says otherwise.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct ContainerLauncherRootfsTests {
    @Test func confinementShowsInProcStatus() async throws {
        // uid 65534: setresuid clears the permitted and effective sets, so CapEff is 0; the bounding set keeps
        // Docker's 14 (0xa80425fb); NoNewPrivs 1 and Seccomp 2 (filter mode).
        try await withWorkspace { workspace in
            let spec = ContainerSpec(argv: ["/bin/cat", "/proc/self/status"], rootfs: workspace.rootfs)
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(statusField("NoNewPrivs", in: outcome.stdout) == "1")
            #expect(statusField("Seccomp", in: outcome.stdout) == "2")
            #expect(statusField("CapEff", in: outcome.stdout) == "0000000000000000")
            #expect(statusField("CapPrm", in: outcome.stdout) == "0000000000000000")
            #expect(statusField("CapBnd", in: outcome.stdout) == "00000000a80425fb")
            #expect(statusField("Uid", in: outcome.stdout) == "65534\t65534\t65534\t65534")
            #expect(statusField("Gid", in: outcome.stdout) == "65534\t65534\t65534\t65534")
            #expect(statusField("Groups", in: outcome.stdout) == "")
        }
    }

    @Test func rootTaskKeepsOnlyTheDockerDefaults() async throws {
        // uid 0 with .dockerDefault: capset leaves exactly the 14 defaults effective and permitted.
        try await withWorkspace { workspace in
            var spec = ContainerSpec(argv: ["/bin/cat", "/proc/self/status"], rootfs: workspace.rootfs)
            spec.user = .root
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(statusField("CapEff", in: outcome.stdout) == "00000000a80425fb")
            #expect(statusField("CapPrm", in: outcome.stdout) == "00000000a80425fb")
            #expect(statusField("CapBnd", in: outcome.stdout) == "00000000a80425fb")
            #expect(statusField("CapAmb", in: outcome.stdout) == "0000000000000000")
            #expect(statusField("Seccomp", in: outcome.stdout) == "2")
        }
    }

    @Test func privilegedCallsFailWithEPERM() async throws {
        // mount, unshare and reboot are on the deny list (and need capabilities uid 65534 lacks): each fails, with
        // busybox's wording of EPERM, and the script goes on.
        try await withWorkspace { workspace in
            let script = """
                mount -t tmpfs x /tmp; echo mount=$?
                unshare -m true; echo unshare=$?
                reboot -f; echo reboot=$?
                """
            let outcome = try await run(ContainerSpec(argv: shell(script), rootfs: workspace.rootfs), in: workspace)
            #expect(!outcome.stdout.contains("mount=0"))
            #expect(!outcome.stdout.contains("unshare=0"))
            #expect(!outcome.stdout.contains("reboot=0"))
            #expect(outcome.stderr.contains("mount: permission denied (are you root?)"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("unshare(0x20000): Operation not permitted"), "\(outcome.stderr)")
            // busybox 1.35 prints "reboot: (null): Operation not permitted".
            #expect(
                outcome.stderr.split(separator: "\n").contains {
                    $0.hasPrefix("reboot:") && $0.hasSuffix("Operation not permitted")
                }, "\(outcome.stderr)")
        }
    }

    @Test func theFilterNotTheCapabilityBlocksMount() async throws {
        // uid 0 keeping CAP_SYS_ADMIN: mount still fails under the default filter, and succeeds (inside the task's
        // own mount namespace) without one. So the filter is what refuses it.
        try await withWorkspace { workspace in
            var spec = ContainerSpec(argv: shell("mount -t tmpfs x /tmp && echo mounted"), rootfs: workspace.rootfs)
            spec.user = .root
            spec.capabilities = CapabilitySet.dockerDefault.union([.sysAdmin])
            let filtered = try await run(spec, in: workspace)
            #expect(filtered.status != 0)
            #expect(filtered.stderr.contains("permission denied"), "\(filtered.stderr)")
            spec.seccomp = .unconfined
            let unfiltered = try await run(spec, in: workspace)
            #expect(unfiltered.status == 0, "\(unfiltered.stderr)")
            #expect(unfiltered.stdout == "mounted\n")
        }
    }

    @Test func ownPidNamespaceHostnameAndUser() async throws {
        // The init is PID 1 and the shell PID 2; ps sees only them and itself, the hostname is the one given, and
        // id says 65534.
        try await withWorkspace { workspace in
            let script = "echo pid=$$; hostname; id -u; id -g; ps -o pid,comm; true"  // not last: sh would exec ps
            var spec = ContainerSpec(argv: shell(script), rootfs: workspace.rootfs)
            spec.hostname = "task-7"
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(Array(lines.prefix(4)) == ["pid=2", "task-7", "65534", "65534"])
            let processes = lines.dropFirst(5).map { $0.split(separator: " ").joined(separator: " ") }
            #expect(processes.count == 3, "\(outcome.stdout)")  // after the PID COMMAND header
            #expect(processes.first == "1 clusterbox-init", "\(outcome.stdout)")
            #expect(processes.dropFirst().first?.hasPrefix("2 ") == true, "\(outcome.stdout)")
        }
    }

    @Test func hostFilesOutsideTheRootfsAreNotVisible() async throws {
        // A file beside the rootfs (in the workspace) exists on the host but not in the task, whose / is the rootfs.
        try await withWorkspace { workspace in
            let secret = workspace.root + "/secret"
            try "host only\n".write(toFile: secret, atomically: false, encoding: .utf8)
            let script = "cat \(secret) || echo missing; ls /"
            let outcome = try await run(ContainerSpec(argv: shell(script), rootfs: workspace.rootfs), in: workspace)
            #expect(outcome.stdout.hasPrefix("missing\n"), "\(outcome.stdout)")
            let entries = Set(outcome.stdout.split(separator: "\n").dropFirst().map(String.init))
            #expect(entries == ["bin", "dev", "etc", "linuxrc", "proc", "root", "sbin", "sys", "tmp", "usr"])
        }
    }

    @Test func devHasTheUsualNodesAndEtcFilesAreBound() async throws {
        // /dev is a fresh tmpfs with the host's null, zero, full, random, urandom and tty bound in, devpts, shm and
        // the fd links; /etc/hosts and /etc/resolv.conf are the files the agent gave.
        try await withWorkspace { workspace in
            try "127.0.0.1 localhost task-7\n".write(
                toFile: workspace.root + "/hosts", atomically: false, encoding: .utf8)
            try "nameserver 127.0.0.53\n".write(
                toFile: workspace.root + "/resolv.conf", atomically: false, encoding: .utf8)
            let script = """
                ls /dev | tr '\\n' ' '; echo
                echo discard > /dev/null && echo null-ok
                head -c 4 /dev/zero | od -An -tx1
                test -c /dev/urandom && test -d /dev/pts && test -d /dev/shm && echo nodes-ok
                cat /etc/hosts /etc/resolv.conf
                """
            var spec = ContainerSpec(argv: shell(script), rootfs: workspace.rootfs)
            spec.hostsFile = workspace.root + "/hosts"
            spec.resolvConf = workspace.root + "/resolv.conf"
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let devices = Set(lines.first?.split(separator: " ").map(String.init) ?? [])
            let expected: Set = ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx", "fd"]
            #expect(expected.isSubset(of: devices), "\(devices)")
            #expect(
                Array(lines.dropFirst()) == [
                    "null-ok", "00 00 00 00", "nodes-ok", "127.0.0.1 localhost task-7", "nameserver 127.0.0.53",
                ])
        }
    }

    @Test func pathLookupHappensInsideTheRootfs() async throws {
        // "id" is found through PATH in the rootfs (bin/id → busybox, a relative link) and runs there.
        try await withWorkspace { workspace in
            let spec = ContainerSpec(
                argv: ["id", "-u"], environment: ["PATH": "/usr/bin:/bin"], rootfs: workspace.rootfs)
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.stdout == "65534\n", "\(outcome.stderr)")
        }
    }

    @Test func hostMountTableIsUnchanged() async throws {
        // A rootfs task and a host-mode task each make a dozen mounts in their own namespace; none reaches the host.
        // (Other suites and test clusters mount image rootfs under their own /tmp/… directories meanwhile: not ours.
        // A leak from these launches would show at /proc, /tmp, /dev, /etc or under this workspace.)
        try await withWorkspace { workspace in
            func hostMounts() -> [String] {
                BoxRuntimeTests.hostMounts().filter { !$0.contains(" /tmp/") || $0.contains(" " + workspace.root) }
            }
            let before = hostMounts()
            let inRootfs = try await run(ContainerSpec(argv: ["/bin/true"], rootfs: workspace.rootfs), in: workspace)
            let onHost = try await run(
                ContainerSpec(argv: [RuntimeHost.busybox, "true"], workingDirectory: workspace.root), in: workspace)
            #expect(inRootfs.status == 0 && onHost.status == 0, "\(inRootfs.stderr) \(onHost.stderr)")
            #expect(hostMounts() == before)
        }
    }
}
