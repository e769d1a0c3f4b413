/// Which seccomp filter a task runs under.
public enum SeccompProfile: Sendable, Hashable {
    /// clusterbox's default-allow deny list (`SeccompFilter.clusterboxDefault`, runtime.md §4.2).
    case `default`
    /// No filter (`Seccomp: 0` in /proc/self/status).
    case unconfined
    /// A Docker/OCI JSON profile; its rules may depend on the task's capabilities, the architecture and the kernel.
    case docker(DockerSeccompProfile)
    /// A filter given directly.
    case filter(SeccompFilter)

    /// The filter for a task keeping `capabilities`, or nil for no filter.
    public func filter(capabilities: CapabilitySet) -> SeccompFilter? {
        switch self {
        case .default: SeccompFilter.clusterboxDefault
        case .unconfined: nil
        case .docker(let profile): profile.filter(capabilities: capabilities, host: .current)
        case .filter(let filter): filter
        }
    }
}
