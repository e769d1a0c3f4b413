#if canImport(Glibc)
    import Glibc
#endif

extension DockerSeccompProfile.Host {
    /// This machine: its architecture (x86_64 or arm64) and the running kernel's version.
    public static let current: Self = {
        #if arch(arm64)
            let seccomp = "SCMP_ARCH_AARCH64"
            let go = "arm64"
        #else
            let seccomp = "SCMP_ARCH_X86_64"
            let go = "amd64"
        #endif
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let kernel = DockerSeccompProfile.KernelVersion(release) ?? .init(major: 0, minor: 0)
        return Self(seccompArchitecture: seccomp, goArchitecture: go, kernel: kernel)
    }()
}
