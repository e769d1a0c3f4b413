/// A Docker-format seccomp profile that clusterbox will not run, with every problem found, each starting with its
/// JSON path: "syscalls[2].action: unknown action SCMP_ACT_FOO (…)".
public struct SeccompProfileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { "invalid seccomp profile: " + problems.joined(separator: "; ") }
}
