/// What to run in a container, and how it is confined. The launcher (`ContainerLauncher.spawn`) turns this into
/// namespaces, mounts, credentials and a seccomp filter; see README.md for the order of the steps.
public struct ContainerSpec: Sendable, Hashable {
    /// The credentials a task runs with. Only numbers: names are resolved (against the image's /etc/passwd) by the
    /// caller.
    public struct User: Sendable, Hashable {
        public var uid: UInt32
        public var gid: UInt32
        /// Supplementary groups; empty clears them.
        public var groups: [UInt32]

        public init(uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
            self.uid = uid
            self.gid = gid
            self.groups = groups
        }

        /// 65534/65534, the default.
        public static let nobody = User(uid: 65534, gid: 65534)
        public static let root = User(uid: 0, gid: 0)
    }

    /// The command. `argv[0]` is an absolute path, or a name looked up in the `PATH` of `environment` (else the
    /// usual default), inside the rootfs when there is one, on the host otherwise.
    public var argv: [String]
    public var environment: [String: String]
    /// Inside the rootfs; in host mode the sandbox directory on the host.
    public var workingDirectory: String
    /// The absolute host path of the task's root filesystem, or nil for host mode: the host's filesystem with a
    /// private /proc and /tmp (the Mesos containerizer without an image).
    public var rootfs: String?
    public var hostname: String
    public var user: User
    public var capabilities: CapabilitySet
    public var seccomp: SeccompProfile
    /// Host files the task's stdout and stderr append to (created 0644 when missing).
    public var stdoutPath: String
    public var stderrPath: String
    /// Host files bind-mounted onto /etc/hosts and /etc/resolv.conf, if given.
    public var hostsFile: String?
    public var resolvConf: String?
    /// Open `cgroup.procs` files (one per v1 hierarchy, or v2) the child writes itself into before anything else.
    /// The caller owns them and closes them after `spawn` returns.
    public var cgroupProcsFDs: [Int32]
    /// An open cgroup v2 directory: the child is created inside it (`clone3` with `CLONE_INTO_CGROUP`). Owned by
    /// the caller.
    public var cgroupDirectoryFD: Int32?
    /// PID 1 of the task's namespace is a tiny init that forwards signals to the command's process group, reaps
    /// orphans and exits with the command's status (`docker run --init`). Without it the command is PID 1 and
    /// ignores SIGTERM unless it handles it, as every init does.
    public var runsInit: Bool

    public init(
        argv: [String], environment: [String: String] = [:], workingDirectory: String = "/", rootfs: String? = nil,
        hostname: String = "clusterbox", user: User = .nobody, capabilities: CapabilitySet = .dockerDefault,
        seccomp: SeccompProfile = .default, stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null",
        hostsFile: String? = nil, resolvConf: String? = nil, cgroupProcsFDs: [Int32] = [],
        cgroupDirectoryFD: Int32? = nil, runsInit: Bool = true
    ) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.rootfs = rootfs
        self.hostname = hostname
        self.user = user
        self.capabilities = capabilities
        self.seccomp = seccomp
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.hostsFile = hostsFile
        self.resolvConf = resolvConf
        self.cgroupProcsFDs = cgroupProcsFDs
        self.cgroupDirectoryFD = cgroupDirectoryFD
        self.runsInit = runsInit
    }
}
