/// A seccomp profile in Docker's JSON format (moby's `profiles/seccomp`, the same shape as OCI's `linux.seccomp`):
/// `defaultAction`, `defaultErrnoRet`, `architectures`, `archMap`, and `syscalls` entries with `names`, `action`,
/// `errnoRet`, `args` and `includes`/`excludes` conditions on capabilities, architectures and kernel version.
/// Parse one with `init(json:)`; the rules a task gets depend on its capabilities, so they are resolved per launch.
public struct DockerSeccompProfile: Sendable, Hashable {
    /// When a `syscalls` entry applies. Includes need every listed capability and the host's architecture among
    /// `arches`; excludes drop the entry if any listed capability is kept or the architecture is listed. A minimum
    /// kernel includes (or excludes) the entry on kernels at least that new.
    public struct Condition: Sendable, Hashable {
        public var capabilities: [Capability] = []
        /// Go-style architecture names as moby writes them: "amd64", "arm64", "x32", …
        public var architectures: [String] = []
        public var minimumKernel: KernelVersion?

        public init(capabilities: [Capability] = [], architectures: [String] = [], minimumKernel: KernelVersion? = nil)
        {
            self.capabilities = capabilities
            self.architectures = architectures
            self.minimumKernel = minimumKernel
        }
    }

    /// One `syscalls` entry.
    public struct Syscall: Sendable, Hashable {
        public var names: [String]
        public var action: SeccompAction
        public var arguments: [SeccompRule.Argument]
        public var includes: Condition
        public var excludes: Condition
    }

    /// The host a profile is resolved for.
    public struct Host: Sendable, Hashable {
        /// The native architecture, as an `SCMP_ARCH_*` name and as moby's Go-style name.
        public var seccompArchitecture: String
        public var goArchitecture: String
        public var kernel: KernelVersion

        public init(seccompArchitecture: String, goArchitecture: String, kernel: KernelVersion) {
            self.seccompArchitecture = seccompArchitecture
            self.goArchitecture = goArchitecture
            self.kernel = kernel
        }
    }

    /// `major.minor`, as moby's `minKernel` spells it.
    public struct KernelVersion: Sendable, Hashable, Comparable {
        public var major: Int
        public var minor: Int

        public init(major: Int, minor: Int) {
            self.major = major
            self.minor = minor
        }

        /// Parses "6.18", "6.18.44-fc" and the like; nil when it does not start with two numbers.
        public init?(_ text: String) {
            let parts = text.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
            guard parts.count == 2, text.first?.isNumber == true else { return nil }
            self.init(major: parts[0], minor: parts[1])
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }
    }

    public var defaultAction: SeccompAction
    /// `SCMP_ARCH_*` names: `architectures`, and the `archMap` entries as pairs of native and sub-architectures.
    public var architectures: [String]
    public var architectureMap: [String: [String]]
    public var syscalls: [Syscall]

    public init(
        defaultAction: SeccompAction, architectures: [String] = [], architectureMap: [String: [String]] = [:],
        syscalls: [Syscall]
    ) {
        self.defaultAction = defaultAction
        self.architectures = architectures
        self.architectureMap = architectureMap
        self.syscalls = syscalls
    }

    /// The rules for a task keeping `capabilities` on `host`, in profile order. An entry whose arguments compare
    /// the same index twice becomes one rule per comparison (any may match), as runc does, since libseccomp
    /// refuses two comparisons of one argument in a rule.
    public func filter(capabilities: CapabilitySet, host: Host) -> SeccompFilter {
        var rules: [SeccompRule] = []
        for entry in syscalls where applies(entry, capabilities: capabilities, host: host) {
            let indices = entry.arguments.map(\.index)
            let split = Set(indices).count != indices.count
            for name in entry.names {
                if split {
                    rules += entry.arguments.map { SeccompRule(name, entry.action, arguments: [$0]) }
                } else {
                    rules.append(SeccompRule(name, entry.action, arguments: entry.arguments))
                }
            }
        }
        let extra = architectures + (architectureMap[host.seccompArchitecture] ?? [])
        let libseccompNames = extra.filter { $0 != host.seccompArchitecture }.compactMap {
            Self.libseccompArchitectures[$0]
        }
        var seen = Set<String>()
        return SeccompFilter(
            defaultAction: defaultAction, rules: rules,
            extraArchitectures: libseccompNames.filter { seen.insert($0).inserted })
    }

    private func applies(_ entry: Syscall, capabilities: CapabilitySet, host: Host) -> Bool {
        let excludes = entry.excludes
        let includes = entry.includes
        if excludes.architectures.contains(host.goArchitecture) { return false }
        if excludes.capabilities.contains(where: { capabilities.contains($0) }) { return false }
        if let minimum = excludes.minimumKernel, host.kernel >= minimum { return false }
        if !includes.architectures.isEmpty, !includes.architectures.contains(host.goArchitecture) { return false }
        if !includes.capabilities.allSatisfy({ capabilities.contains($0) }) { return false }
        if let minimum = includes.minimumKernel, host.kernel < minimum { return false }
        return true
    }

    /// `SCMP_ARCH_*` to libseccomp's own names (`seccomp_arch_resolve_name`).
    static let libseccompArchitectures: [String: String] = [
        "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X32": "x32", "SCMP_ARCH_ARM": "arm",
        "SCMP_ARCH_AARCH64": "aarch64", "SCMP_ARCH_MIPS": "mips", "SCMP_ARCH_MIPS64": "mips64",
        "SCMP_ARCH_MIPS64N32": "mips64n32", "SCMP_ARCH_MIPSEL": "mipsel", "SCMP_ARCH_MIPSEL64": "mipsel64",
        "SCMP_ARCH_MIPSEL64N32": "mipsel64n32", "SCMP_ARCH_PPC": "ppc", "SCMP_ARCH_PPC64": "ppc64",
        "SCMP_ARCH_PPC64LE": "ppc64le", "SCMP_ARCH_S390": "s390", "SCMP_ARCH_S390X": "s390x",
        "SCMP_ARCH_RISCV64": "riscv64",
    ]
}
