import BoxCore
import BoxImages
import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The container path of the process executor: a task cgroup (a cgroupfs directory, or a systemd scope), then
/// `ContainerLauncher.spawn` in host mode.
extension ProcessExecutor {
    /// Creates the task's cgroup and spawns it in it, confined: with an image, on that image's rootfs with its
    /// command, environment and user; without one, `/bin/sh -c <command>` on the host's filesystem in host mode,
    /// the sandbox given to the task's user. On failure nothing is left behind and the message names the step.
    static func spawnContained(
        _ task: TaskInfo, command: CommandInfo, sandbox: String, environment: [String: String],
        containment: Containment
    ) -> Result<
        (pid: pid_t, cgroup: TaskCgroup, scope: ScopeCgroup?, rootfs: PreparedRootfs?), ContainedLaunchError
    > {
        var image: ImageLaunch?
        if let container = task.container {
            switch prepareImage(
                container, task: task, command: command, sandbox: sandbox, environment: environment,
                containment: containment)
            {
            case .success(let launch): image = launch
            case .failure(let error): return .failure(error)
            }
        }
        guard let user = image?.defaults.user ?? containment.user(named: command.user) else {
            return .failure(ContainedLaunchError("user: no user named \(command.user ?? "")"))
        }
        let cgroup: TaskCgroup
        var scope: ScopeCgroup?
        do {
            let limits = containment.limits(for: task.resources)
            if let scopes = containment.scopes {
                let started = try ScopeCgroup.start(
                    task: Self.cgroupName(task.taskID), limits: limits, description: "clusterbox task \(task.name)",
                    layout: containment.cgroups.layout, driver: scopes, logger: scopes.logger)
                scope = started
                cgroup = started.cgroup
            } else {
                cgroup = try containment.cgroups.create(Self.cgroupName(task.taskID), limits: limits)
            }
        } catch {
            try? image?.rootfs.cleanup()
            return .failure(ContainedLaunchError("cgroup: \(error)"))
        }
        for path in [sandbox, sandbox + "/stdout", sandbox + "/stderr"] { chown(path, user.uid, user.gid) }
        var procs: [Int32] = []
        var directory: Int32?
        defer {
            for fd in procs { close(fd) }
            if let directory { close(directory) }
        }
        do {
            procs = try cgroup.openProcsFDs()
            directory = try cgroup.openDirectoryFD()
            var spec = ContainerSpec(
                argv: ["/bin/sh", "-c", command.value], environment: environment, workingDirectory: sandbox,
                hostname: Containment.hostname(for: task.name), user: user, seccomp: containment.seccomp,
                stdoutPath: sandbox + "/stdout", stderrPath: sandbox + "/stderr", cgroupProcsFDs: procs,
                cgroupDirectoryFD: directory)
            if let image {
                spec.argv = image.defaults.argv
                spec.environment = image.defaults.environment
                spec.workingDirectory = image.defaults.workingDirectory
                spec.rootfs = image.rootfs.path
                spec.hostsFile = image.hostsFile
                spec.resolvConf = image.resolvConf
            }
            let pid = try ContainerLauncher.spawn(spec)
            // The task is in the scope now (the launcher returns after its execve), so the scope stays.
            scope?.releasePlaceholder()
            return .success((pid, cgroup, scope, image?.rootfs))
        } catch {
            if let scope {
                try? scope.stop()
            } else {
                try? cgroup.killAll()
                try? cgroup.remove()
            }
            try? image?.rootfs.cleanup()
            return .failure(ContainedLaunchError("\(error)"))
        }
    }

    /// Cgroup directory names: the task id with anything but letters, digits, '-', '_' and '.' replaced.
    static func cgroupName(_ taskID: TaskID) -> String {
        String(taskID.value.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
    }

    /// A signal for a contained task goes to its init (`ContainerSpec.runsInit`), PID 1 of its namespace, which
    /// forwards it to the command's process group. (SIGKILL instead kills the whole cgroup at once.)
    static func signalContained(init pid: pid_t, _ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// The terminal outcome of a contained task, told apart from an ordinary failure when the kernel OOM-killed
    /// one of its processes.
    static func containedOutcome(_ outcome: TerminalOutcome, cgroup: TaskCgroup, memoryMiB: Int) -> TerminalOutcome {
        guard cgroup.oomKilled(), outcome.state != .killed else { return outcome }
        var oom = outcome
        oom.state = .failed
        oom.reason = .containerLimitationMemory
        oom.message = "Memory limit exceeded: the task was OOM-killed (limit \(memoryMiB) MiB); \(outcome.message)"
        return oom
    }
}

/// Why a contained task did not start: the launcher's step ("pivot_root: …"), or the cgroup or user.
struct ContainedLaunchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
