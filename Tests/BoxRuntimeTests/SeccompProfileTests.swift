import Foundation
import Testing

@testable import BoxRuntime

/// Docker-format profiles: parsing, rejecting what clusterbox cannot honour, resolving per capabilities and host,
/// and compiling with libseccomp. None of this needs root.
struct SeccompProfileTests {
    static let host = DockerSeccompProfile.Host(
        seccompArchitecture: "SCMP_ARCH_X86_64", goArchitecture: "amd64",
        kernel: DockerSeccompProfile.KernelVersion(major: 6, minor: 18))

    @Test func denyMkdirProfileParses() throws {
        let profile = try DockerSeccompProfile(json: Array(Self.denyMkdir.utf8))
        let filter = profile.filter(capabilities: .none, host: Self.host)
        #expect(filter.defaultAction == .allow)
        #expect(filter.rules == [SeccompRule("mkdir", .errno(1)), SeccompRule("mkdirat", .errno(1))])
    }

    @Test func unknownFieldsActionsAndOperatorsAreAllReported() {
        // Three problems in one profile, all reported, each with its path.
        let json = """
            {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrno": 1,
             "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"},
                          {"names": ["kill"], "action": "SCMP_ACT_ERRNO",
                           "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_SAME"}]}]}
            """
        #expect {
            try DockerSeccompProfile(json: Array(json.utf8))
        } throws: { error in
            let problems = (error as? SeccompProfileError)?.problems ?? []
            return problems.count == 3 && problems[0].hasPrefix("defaultErrno: unknown field")
                && problems[1].hasPrefix("syscalls[0].action: SCMP_ACT_NOTIFY is not supported")
                && problems[2].hasPrefix("syscalls[1].args[0].op: unknown operator SCMP_CMP_SAME")
        }
    }

    @Test func unknownActionIsRejected() {
        let json = #"{"defaultAction": "SCMP_ACT_MAYBE", "syscalls": []}"#
        #expect(throws: SeccompProfileError.self) { try DockerSeccompProfile(json: Array(json.utf8)) }
    }

    @Test func conditionsFollowCapabilitiesArchitectureAndKernel() throws {
        // Moby's shape: reboot allowed only with CAP_SYS_BOOT; an arm64-only entry; one for kernels from 7.0;
        // one excluded when CAP_SYS_ADMIN is kept.
        let json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "syscalls": [
              {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_BOOT"]}},
              {"names": ["arm_fadvise64_64"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
              {"names": ["future_call"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "7.0"}},
              {"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]}}
            ]}
            """
        let profile = try DockerSeccompProfile(json: Array(json.utf8))
        let plain = profile.filter(capabilities: .none, host: Self.host).rules.map(\.syscall)
        #expect(plain == ["getpid"])
        let privileged = profile.filter(capabilities: [.sysBoot, .sysAdmin], host: Self.host).rules.map(\.syscall)
        #expect(privileged == ["reboot"])
        #expect(profile.filter(capabilities: .none, host: Self.host).defaultAction == .errno(1))
    }

    @Test func repeatedArgumentIndexSplitsIntoOneRulePerComparison() throws {
        // personality(0) or personality(8): two comparisons of argument 0 cannot share a libseccomp rule.
        let json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
              "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
            """
        let rules = try DockerSeccompProfile(json: Array(json.utf8)).filter(capabilities: .none, host: Self.host).rules
        #expect(rules.count == 2)
        #expect(rules.map(\.arguments) == [[.init(index: 0, .equal, 0)], [.init(index: 0, .equal, 8)]])
        _ = try SeccompProgram(SeccompFilter(defaultAction: .errno(1), rules: rules))
    }

    @Test func defaultFilterCompiles() throws {
        // 37 denied names, 7 clone flag rules and clone3: 72 BPF instructions on x86_64 (runtime.md §4.2 says 70).
        let program = try SeccompProgram(.clusterboxDefault)
        #expect(program.count > 40 && program.count < 120, "\(program.count) instructions")
        #expect(program.skippedRules == 0)
    }

    @Test func libseccompRefusalNamesTheRule() {
        // Argument index 6 does not exist: the failure names the rule.
        let filter = SeccompFilter(
            defaultAction: .allow,
            rules: [
                SeccompRule("getpid", .errno(1)),
                SeccompRule("kill", .errno(1), arguments: [.init(index: 6, .equal, 1)]),
            ])
        #expect(throws: LaunchFailure(step: "seccomp rule 1 (kill)", errno: EINVAL)) { try SeccompProgram(filter) }
    }

    static let denyMkdir = """
        {"defaultAction": "SCMP_ACT_ALLOW",
         "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                       "comment": "no new directories"}]}
        """
}

/// The same profiles applied to real tasks.
@Suite(.enabled(if: RuntimeHost.canRun || RuntimeHost.required, RuntimeHost.skipReason))
struct SeccompLaunchTests {
    @Test func dockerProfileDenyingMkdirMakesMkdirFail() async throws {
        try await withWorkspace { workspace in
            let profile = try DockerSeccompProfile(json: Array(SeccompProfileTests.denyMkdir.utf8))
            var spec = ContainerSpec(
                argv: shell("mkdir /tmp/d; echo rc=$?; touch /tmp/f && echo touched"), rootfs: workspace.rootfs)
            spec.seccomp = .docker(profile)
            let outcome = try await run(spec, in: workspace)
            #expect(outcome.stdout == "rc=1\ntouched\n")
            #expect(
                outcome.stderr.contains("mkdir: can't create directory '/tmp/d': Operation not permitted"),
                "\(outcome.stderr)")
        }
    }

    @Test func unconfinedHasNoFilter() async throws {
        try await withWorkspace { workspace in
            var spec = ContainerSpec(argv: ["/bin/cat", "/proc/self/status"], rootfs: workspace.rootfs)
            spec.seccomp = .unconfined
            let outcome = try await run(spec, in: workspace)
            #expect(statusField("Seccomp", in: outcome.stdout) == "0")
            #expect(statusField("NoNewPrivs", in: outcome.stdout) == "1")
        }
    }
}
