internal import CBoxRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// A compiled seccomp BPF program, ready for the child to load with `seccomp(SECCOMP_SET_MODE_FILTER)`. Compiled
/// with libseccomp in the parent, because libseccomp allocates and the child must not.
///
/// Immutable after `init`: the instruction buffer is written once by libseccomp and only read afterwards (by the
/// children of later launches), so sharing it between threads is safe.
final class SeccompProgram: @unchecked Sendable {
    let instructions: UnsafeMutableRawPointer
    /// In 8-byte `struct sock_filter` instructions.
    let count: Int
    /// Rules skipped because their system call does not exist on this architecture.
    let skippedRules: Int

    /// Compiles `filter`; a rule libseccomp refuses fails as "seccomp rule <n> (<syscall>)".
    init(_ filter: SeccompFilter) throws(LaunchFailure) {
        var bpf = cbox_bpf()
        var failedRule = -1
        let result = filter.withCFilter { cFilter in cbox_seccomp_compile(cFilter, &bpf, &failedRule) }
        guard result == 0, let instructions = bpf.instructions else {
            let step =
                failedRule >= 0 && failedRule < filter.rules.count
                ? "seccomp rule \(failedRule) (\(filter.rules[failedRule].syscall))" : "compile seccomp filter"
            throw LaunchFailure(step: step, errno: result == 0 ? EINVAL : result)
        }
        guard bpf.count <= Int(UInt16.max) else {
            cbox_bpf_free(&bpf)
            throw LaunchFailure(step: "compile seccomp filter (\(bpf.count) instructions)", errno: E2BIG)
        }
        self.instructions = instructions
        self.count = bpf.count
        self.skippedRules = bpf.skipped
    }

    deinit { free(instructions) }

    /// The default filter, compiled once per process.
    static let clusterboxDefault: Result<SeccompProgram, LaunchFailure> = Result { () throws(LaunchFailure) in
        try SeccompProgram(.clusterboxDefault)
    }

    /// The program for a profile and a capability set, or nil for no filter. The default is compiled once; other
    /// profiles are compiled on every call.
    static func program(for profile: SeccompProfile, capabilities: CapabilitySet) throws(LaunchFailure)
        -> SeccompProgram?
    {
        if case .default = profile { return try clusterboxDefault.get() }
        guard let filter = profile.filter(capabilities: capabilities) else { return nil }
        return try SeccompProgram(filter)
    }
}

extension SeccompFilter {
    /// Calls `body` with the C description of this filter; its pointers are valid only during the call.
    fileprivate func withCFilter<R>(_ body: (UnsafePointer<cbox_seccomp_filter>) -> R) -> R {
        let strings = CStringArena()
        let arguments = rules.map { rule in
            rule.arguments.map { argument in
                cbox_seccomp_arg(
                    index: argument.index, op: argument.comparison.cValue, value: argument.value,
                    value_two: argument.valueTwo)
            }
        }
        let argumentBuffers = arguments.map { strings.copy($0) }
        var cRules: [cbox_seccomp_rule] = []
        for (index, rule) in rules.enumerated() {
            let (action, errnoValue) = rule.action.cValue
            cRules.append(
                cbox_seccomp_rule(
                    syscall: strings.string(rule.syscall), action: action, errno_ret: errnoValue,
                    args: UnsafePointer(argumentBuffers[index]), arg_count: UInt32(arguments[index].count)))
        }
        let arches = strings.constArray(extraArchitectures)
        let (defaultAction, defaultErrno) = defaultAction.cValue
        return withExtendedLifetime(strings) {
            cRules.withUnsafeBufferPointer { rulesBuffer in
                var cFilter = cbox_seccomp_filter(
                    default_action: defaultAction, default_errno: defaultErrno, rules: rulesBuffer.baseAddress,
                    rule_count: rulesBuffer.count, extra_arches: arches,
                    extra_arch_count: extraArchitectures.count)
                return body(&cFilter)
            }
        }
    }
}

extension SeccompAction {
    fileprivate var cValue: (UInt32, UInt32) {
        switch self {
        case .allow: (CBOX_SCMP_ALLOW.rawValue, 0)
        case .errno(let code): (CBOX_SCMP_ERRNO.rawValue, UInt32(bitPattern: code))
        case .killThread: (CBOX_SCMP_KILL_THREAD.rawValue, 0)
        case .killProcess: (CBOX_SCMP_KILL_PROCESS.rawValue, 0)
        case .log: (CBOX_SCMP_LOG.rawValue, 0)
        case .trap: (CBOX_SCMP_TRAP.rawValue, 0)
        }
    }
}

extension SeccompRule.Comparison {
    fileprivate var cValue: UInt32 {
        switch self {
        case .notEqual: CBOX_CMP_NE.rawValue
        case .lessThan: CBOX_CMP_LT.rawValue
        case .lessOrEqual: CBOX_CMP_LE.rawValue
        case .equal: CBOX_CMP_EQ.rawValue
        case .greaterOrEqual: CBOX_CMP_GE.rawValue
        case .greaterThan: CBOX_CMP_GT.rawValue
        case .maskedEqual: CBOX_CMP_MASKED_EQ.rawValue
        }
    }
}
