#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Kill and clean up (runtime.md §2.5). The cgroup is the authority on what belongs to the task: a process that
// left the task's process group or pid namespace by mistake is still in it.
extension TaskCgroup {
    /// Kills every process in the cgroup and returns once none is left. v2 `cgroup.kill` where present (it also
    /// gets processes forked during the kill); otherwise, or if something survived it, the v1 sweep: freeze,
    /// SIGKILL every pid in `cgroup.procs`, thaw, repeat until empty. Bounded: throws `killTimedOut` after
    /// about 5 s.
    public func killAll() throws {
        try killAll(usingCgroupKill: true)
    }

    /// `usingCgroupKill: false` goes straight to the v1 sweep, so tests on a host with a v2 tree exercise it too.
    func killAll(usingCgroupKill: Bool) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        if usingCgroupKill, let unified = unifiedDirectory, CgroupFS.exists(unified.path + "/cgroup.kill") {
            try CgroupFS.writeText("1", to: unified.path + "/cgroup.kill")
            if waitUntilEmpty(until: min(deadline, .now + .seconds(1))) { return }
        }
        let freezer = directory(for: "freezer")
        while ContinuousClock.now < deadline {
            if let freezer { freeze(freezer) }
            let pids = processes()
            for pid in pids where pid > 1 && pid != getpid() { kill(pid, SIGKILL) }
            // A frozen process dies of SIGKILL only once thawed.
            if let freezer { try? CgroupFS.writeText("THAWED", to: freezer.path + "/freezer.state") }
            if pids.isEmpty { return }
            _ = waitUntilEmpty(until: min(deadline, .now + .milliseconds(50)))
        }
        let remaining = processes()
        guard remaining.isEmpty else {
            throw CgroupError.killTimedOut(path: directories.first?.path ?? name, remaining: remaining)
        }
    }

    /// Removes the task's directory in every hierarchy, sub-cgroups first, retrying EBUSY (a process still exiting)
    /// for up to a second per directory. Tries every hierarchy, then throws the first failure.
    public func remove() throws {
        var firstError: (any Error)?
        for directory in directories {
            do { try CgroupFS.removeTree(directory.path, retryingFor: .seconds(1)) } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        logger.debug("cgroup removed", metadata: ["cgroup.name": "\(name)"])
    }

    // MARK: - Helpers

    /// Polls `cgroup.procs` every 2 ms; true once it is empty everywhere.
    private func waitUntilEmpty(until deadline: ContinuousClock.Instant) -> Bool {
        while true {
            if processes().isEmpty { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(2_000)
        }
    }

    /// Writes FROZEN and waits up to 100 ms for the state to leave FREEZING (a task in uninterruptible sleep can
    /// hold it there; the sweep then goes on unfrozen, which only opens the fork race the freezer closes).
    private func freeze(_ freezer: CgroupDirectory) {
        let state = freezer.path + "/freezer.state"
        do { try CgroupFS.writeText("FROZEN", to: state) } catch {
            logger.debug("cannot freeze: \(error)", metadata: ["cgroup.name": "\(name)"])
            return
        }
        let deadline = ContinuousClock.now + .milliseconds(100)
        while CgroupText.trimmed(CgroupFS.readIfPresent(state) ?? "") == "FREEZING" && ContinuousClock.now < deadline {
            usleep(1_000)
        }
    }
}
