internal import CBoxRuntime

#if canImport(Glibc)
    public import Glibc  // pid_t and the signal numbers in the public API
#endif

/// Launches a task in its own pid, mount, UTS and IPC namespaces (shape A of runtime.md §1.1): Swift prepares
/// everything in the parent (paths, argv/envp, stdio files, the seccomp BPF, credentials and the capability mask),
/// then one C call clones the child, which runs only raw system calls on that memory and execs. README.md lists the
/// child's steps in order.
public enum ContainerLauncher {
    /// Starts `spec` and returns the task's pid (in the caller's pid namespace) once `execve` has succeeded. The
    /// caller is the task's parent: it must reap it (`waitpid`). Blocks for the launch (about a millisecond): call
    /// it off an event loop. A failing step throws a `LaunchFailure` naming it ("pivot_root: Invalid argument");
    /// a child that got as far as running has been reaped by then.
    public static func spawn(_ spec: ContainerSpec) throws(LaunchFailure) -> Glibc.pid_t {
        guard !spec.argv.isEmpty else { throw LaunchFailure(step: "argv (empty)", errno: EINVAL) }
        let executable = try resolveExecutable(spec)
        let program = try SeccompProgram.program(for: spec.seccomp, capabilities: spec.capabilities)
        let stdio = try StandardStreams(stdout: spec.stdoutPath, stderr: spec.stderrPath)
        defer { stdio.close() }

        let arena = CStringArena()
        let environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var config = cbox_spawn_config()
        config.path = UnsafePointer(arena.string(executable))
        config.argv = UnsafePointer(arena.array(spec.argv))
        config.envp = UnsafePointer(arena.array(environment))
        config.rootfs = UnsafePointer(arena.string(spec.rootfs))
        config.cwd = UnsafePointer(arena.string(spec.workingDirectory))
        config.hostname = UnsafePointer(arena.string(spec.hostname))
        config.hosts_file = UnsafePointer(arena.string(spec.hostsFile))
        config.resolv_conf = UnsafePointer(arena.string(spec.resolvConf))
        config.stdio_fds = (stdio.input, stdio.output, stdio.error)
        config.cgroup_procs_fds = UnsafePointer(arena.copy(spec.cgroupProcsFDs))
        config.cgroup_procs_count = spec.cgroupProcsFDs.count
        config.cgroup_dir_fd = spec.cgroupDirectoryFD ?? -1
        config.uid = spec.user.uid
        config.gid = spec.user.gid
        config.groups = UnsafePointer(arena.copy(spec.user.groups))
        config.group_count = spec.user.groups.count
        config.capabilities = spec.capabilities.rawValue
        config.cap_last_cap = Self.lastCapability
        config.seccomp_filter = program.map { UnsafeRawPointer($0.instructions) }
        config.seccomp_filter_len = UInt16(program?.count ?? 0)
        config.with_init = spec.runsInit ? 1 : 0
        if spec.runsInit, let area = Self.argumentArea {
            config.argument_area = UnsafeMutableRawPointer(bitPattern: area.start)
            config.argument_area_len = area.count
        }

        var pid: pid_t = -1
        var failure = cbox_failure()
        let result = withExtendedLifetime((arena, program)) { cbox_spawn(&config, &pid, &failure) }
        guard result == 0 else {
            throw LaunchFailure(step: stepName(failure), errno: failure.error, pid: pid > 0 ? pid : nil)
        }
        return pid
    }

    /// Makes the calling process the reaper of its orphaned descendants (`PR_SET_CHILD_SUBREAPER`), so it gets the
    /// exit status of everything it starts. The daemon's decision: nothing calls it implicitly.
    public static func becomeChildSubreaper() throws(LaunchFailure) {
        let result = cbox_set_child_subreaper()
        if result != 0 { throw LaunchFailure(step: "prctl(PR_SET_CHILD_SUBREAPER)", errno: result) }
    }

    // MARK: - Helpers

    /// `/proc/sys/kernel/cap_last_cap`: the highest capability this kernel knows (40 on 6.x).
    static let lastCapability: Int32 = {
        let text = (try? readSmallFile("/proc/sys/kernel/cap_last_cap")) ?? ""
        return Int32(text.filter(\.isNumber)) ?? 40
    }()

    /// This process's argv area (`arg_start` and `arg_end`, fields 48 and 49 of /proc/self/stat), which a task's
    /// init, a copy of this process, overwrites with its own name.
    static let argumentArea: (start: UInt, count: Int)? = {
        guard let stat = try? readSmallFile("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start with field 3, the state.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 46, let start = UInt(fields[45]), let end = UInt(fields[46]), end > start else {
            return nil
        }
        return (start, Int(end - start))
    }()

    static func stepName(_ failure: cbox_failure) -> String {
        let name = String(cString: cbox_step_name(failure.step))
        switch UInt32(failure.step) {
        case CBOX_STEP_BIND_DEVICE.rawValue:
            return "bind /dev/" + (cbox_device_name(failure.index).map { String(cString: $0) } ?? "?")
        case CBOX_STEP_JOIN_CGROUP.rawValue: return "\(name) (cgroupProcsFDs[\(failure.index)])"
        case CBOX_STEP_CAPBSET_DROP.rawValue: return "\(name) \(failure.index)"
        case CBOX_STEP_STDIO.rawValue: return "\(name) (fd \(failure.index))"
        default: return name
        }
    }
}
