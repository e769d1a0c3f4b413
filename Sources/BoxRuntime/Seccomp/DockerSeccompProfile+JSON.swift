import Foundation

extension DockerSeccompProfile {
    /// Parses a Docker-format profile. Every problem is reported at once, each with its JSON path: unknown fields
    /// (a typo such as `errnoRett` would otherwise silently allow a call), unknown or unsupported actions
    /// (`SCMP_ACT_TRACE` and `SCMP_ACT_NOTIFY` need a tracer or a listener, which clusterbox does not run),
    /// unknown comparison operators, architectures and capabilities.
    public init(json: [UInt8]) throws(SeccompProfileError) {
        var problems: [String] = []
        let raw: RawProfile
        do {
            let object = try JSONSerialization.jsonObject(with: Data(json))
            Self.checkKeys(object, schema: Self.schema, path: "", problems: &problems)
            raw = try JSONDecoder().decode(RawProfile.self, from: Data(json))
        } catch {
            throw SeccompProfileError(problems: problems + ["not a valid profile: \(Self.describe(error))"])
        }
        let defaultAction = Self.action(raw.defaultAction, errno: raw.defaultErrnoRet, "defaultAction", &problems)
        var architectureMap: [String: [String]] = [:]
        for (index, entry) in (raw.archMap ?? []).enumerated() {
            let path = "archMap[\(index)]"
            Self.checkArchitectures([entry.architecture], path + ".architecture", &problems)
            Self.checkArchitectures(entry.subArchitectures ?? [], path + ".subArchitectures", &problems)
            architectureMap[entry.architecture, default: []] += entry.subArchitectures ?? []
        }
        Self.checkArchitectures(raw.architectures ?? [], "architectures", &problems)
        if !(raw.flags ?? []).isEmpty { problems.append("flags: seccomp filter flags are not supported") }
        if raw.listenerPath.map({ !$0.isEmpty }) == true {
            problems.append("listenerPath: seccomp notify listeners are not supported")
        }
        let syscalls = (raw.syscalls ?? []).enumerated().map { index, entry in
            Self.syscall(entry, path: "syscalls[\(index)]", &problems)
        }
        if !problems.isEmpty { throw SeccompProfileError(problems: problems) }
        self.init(
            defaultAction: defaultAction, architectures: raw.architectures ?? [], architectureMap: architectureMap,
            syscalls: syscalls)
    }

    // MARK: - Entries

    private static func syscall(_ raw: RawSyscall, path: String, _ problems: inout [String]) -> Syscall {
        var names = raw.names ?? []
        if let name = raw.name {
            if raw.names != nil { problems.append("\(path): give either name or names, not both") }
            names.append(name)
        }
        if names.isEmpty { problems.append("\(path).names: no system call named") }
        let action = action(raw.action, errno: raw.errnoRet, path + ".action", &problems)
        let arguments = (raw.args ?? []).enumerated().compactMap { index, argument in
            Self.argument(argument, path: "\(path).args[\(index)]", &problems)
        }
        return Syscall(
            names: names, action: action, arguments: arguments,
            includes: condition(raw.includes, path: path + ".includes", &problems),
            excludes: condition(raw.excludes, path: path + ".excludes", &problems))
    }

    private static func argument(_ raw: RawArgument, path: String, _ problems: inout [String]) -> SeccompRule.Argument?
    {
        if raw.index > 5 { problems.append("\(path).index: \(raw.index) is not an argument index (0 to 5)") }
        guard let comparison = comparisons[raw.op] else {
            let known = comparisons.keys.sorted().joined(separator: ", ")
            problems.append("\(path).op: unknown operator \(raw.op) (supported: \(known))")
            return nil
        }
        return SeccompRule.Argument(index: raw.index, comparison, raw.value, raw.valueTwo ?? 0)
    }

    private static func condition(_ raw: RawCondition?, path: String, _ problems: inout [String]) -> Condition {
        guard let raw else { return Condition() }
        var capabilities: [Capability] = []
        for name in raw.caps ?? [] {
            if let capability = Capability(name: name) {
                capabilities.append(capability)
            } else {
                problems.append("\(path).caps: unknown capability \(name)")
            }
        }
        var kernel: KernelVersion?
        if let text = raw.minKernel {
            kernel = KernelVersion(text)
            if kernel == nil { problems.append("\(path).minKernel: \(text) is not a kernel version like 4.8") }
        }
        return Condition(capabilities: capabilities, architectures: raw.arches ?? [], minimumKernel: kernel)
    }

    private static func action(_ name: String, errno: UInt32?, _ path: String, _ problems: inout [String])
        -> SeccompAction
    {
        switch name {
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_ERRNO": return .errno(Int32(clamping: errno ?? 1))  // EPERM unless errnoRet says otherwise
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_LOG": return .log
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY":
            problems.append("\(path): \(name) is not supported (it needs a tracer or a notify listener)")
        default:
            problems.append(
                "\(path): unknown action \(name) (supported: SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
                    + "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_LOG, SCMP_ACT_TRAP)")
        }
        return .allow
    }

    private static func checkArchitectures(_ names: [String], _ path: String, _ problems: inout [String]) {
        for name in names where libseccompArchitectures[name] == nil {
            problems.append("\(path): unknown architecture \(name)")
        }
    }

    private static let comparisons: [String: SeccompRule.Comparison] = [
        "SCMP_CMP_NE": .notEqual, "SCMP_CMP_LT": .lessThan, "SCMP_CMP_LE": .lessOrEqual, "SCMP_CMP_EQ": .equal,
        "SCMP_CMP_GE": .greaterOrEqual, "SCMP_CMP_GT": .greaterThan, "SCMP_CMP_MASKED_EQ": .maskedEqual,
    ]

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        let joined = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return String(joined.drop(while: { $0 == "." }))
    }
}
