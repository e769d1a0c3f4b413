#if canImport(Glibc)
    import Glibc
#endif

extension SeccompFilter {
    /// clusterbox's default: allow everything except a deny list (runtime.md §4.2). Tasks also run without
    /// capabilities and as a non-root uid, so the kernel refuses most of these anyway; the filter is defence in depth
    /// against kernel bugs reachable from these entry points, and it holds for uid-0 tasks that keep capabilities.
    public static let clusterboxDefault = SeccompFilter(
        defaultAction: .allow,
        rules: deniedSyscalls.map { SeccompRule($0, .errno(EPERM)) }
            + namespaceFlags.map {
                SeccompRule("clone", .errno(EPERM), arguments: [.init(index: 0, .maskedEqual, $0, $0)])
            }
            // clone3 passes its flags in memory, out of the filter's sight: ENOSYS makes libc fall back to clone.
            + [SeccompRule("clone3", .errno(ENOSYS))])

    /// Refused with EPERM. Names this architecture lacks (iopl on arm64) are skipped when compiling.
    static let deniedSyscalls = [
        "mount", "umount2", "pivot_root", "chroot", "reboot", "kexec_load", "kexec_file_load", "keyctl", "add_key",
        "request_key", "swapon", "swapoff", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
        "open_by_handle_at", "name_to_handle_at", "userfaultfd", "setns", "unshare", "acct", "settimeofday",
        "clock_settime", "iopl", "ioperm", "quotactl", "syslog", "lookup_dcookie",
        // The new mount API.
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    ]

    /// CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: one masked-equal rule per bit, since a
    /// rule's comparisons must all hold and a clone with any one of them is refused.
    static let namespaceFlags: [UInt64] = [
        0x0002_0000, 0x0200_0000, 0x0400_0000, 0x0800_0000, 0x1000_0000, 0x2000_0000, 0x4000_0000,
    ]
}
