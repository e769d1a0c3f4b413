import Testing

@testable import BoxRuntime

/// Layout detection from the text of /proc/self/mountinfo and /proc/self/cgroup: this host, and the shapes of
/// hosts we do not have (systemd hybrid with cpu,cpuacct co-mounted, unified v2, a v1 container).
@Suite struct CgroupLayoutTests {
    /// This machine: tmpfs at /sys/fs/cgroup, one v1 hierarchy per controller (cpu and cpuacct apart), v2 at
    /// /sys/fs/cgroup/unified, our memory cgroup below /process_api.
    @Test func hybridWithSeparateCPUAndCPUAcct() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: Fixtures.thisHostMountinfo, procSelfCgroup: Fixtures.thisHostCgroup, systemdIsInit: false)
        #expect(layout.mode == .hybrid)
        for controller in ["cpu", "cpuacct", "memory", "pids", "freezer", "cpuset", "devices", "blkio"] {
            #expect(layout.hierarchy(for: controller)?.mountPoint == "/sys/fs/cgroup/" + controller)
        }
        #expect(layout.hierarchy(for: "cpu") != layout.hierarchy(for: "cpuacct"))
        #expect(layout.hierarchy(for: "name=systemd")?.mountPoint == "/sys/fs/cgroup/systemd")
        #expect(layout.hierarchy(for: "memory")?.ownDirectory == "/sys/fs/cgroup/memory/process_api/b7edce21")
        #expect(layout.hierarchy(for: "cpu")?.ownDirectory == "/sys/fs/cgroup/cpu")
        #expect(layout.unified?.mountPoint == "/sys/fs/cgroup/unified")
        #expect(layout.unified?.ownDirectory == "/sys/fs/cgroup/unified")
        #expect(
            layout.description == "cgroup v1 (hybrid): cpu, cpuacct, memory, pids, freezer; v2 for tracking and kill")
    }

    /// A systemd hybrid host: cpu,cpuacct co-mounted (one hierarchy, one directory), clusterbox in its service's
    /// cgroup; the description says only a delegated subtree may be written.
    @Test func systemdHybridWithCoMountedCPU() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: Fixtures.systemdHybridMountinfo, procSelfCgroup: Fixtures.systemdHybridCgroup,
            systemdIsInit: true)
        #expect(layout.mode == .hybrid)
        let cpu = try #require(layout.hierarchy(for: "cpu"))
        #expect(cpu == layout.hierarchy(for: "cpuacct"))
        #expect(cpu.controllers == ["cpu", "cpuacct"])
        #expect(cpu.ownDirectory == "/sys/fs/cgroup/cpu,cpuacct/system.slice/clusterbox.service")
        #expect(layout.hierarchy(for: "freezer")?.ownDirectory == "/sys/fs/cgroup/freezer")
        #expect(layout.unified?.ownDirectory == "/sys/fs/cgroup/unified/system.slice/clusterbox.service")
        #expect(layout.description.hasPrefix("cgroup v1 (hybrid): cpu, cpuacct, memory, pids, freezer;"))
        #expect(layout.description.contains("systemd is PID 1: clusterbox must run in a delegated subtree"))
    }

    /// Unified v2 under systemd: no v1 hierarchies; the description says the systemd driver would be needed.
    @Test func unifiedUnderSystemd() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: Fixtures.unifiedMountinfo, procSelfCgroup: "0::/system.slice/clusterbox.service\n",
            systemdIsInit: true)
        #expect(layout.mode == .unified)
        #expect(layout.hierarchies.isEmpty)
        #expect(layout.unified?.ownDirectory == "/sys/fs/cgroup/system.slice/clusterbox.service")
        #expect(layout.description.hasPrefix("cgroup v2: no controllers"))  // parsing does not read cgroup.controllers
        #expect(layout.description.contains("systemd cgroup driver (transient scopes over D-Bus, SystemdScopeDriver)"))
    }

    /// A v1 container: the mounts' root is the container's cgroup, so our directory is relative to it; a bind
    /// mount of another subtree is skipped; a mount point with a space comes unescaped.
    @Test func legacyContainerWithMountRoots() throws {
        let layout = try CgroupLayout.parse(
            mountinfo: Fixtures.containerMountinfo, procSelfCgroup: Fixtures.containerCgroup, systemdIsInit: false)
        #expect(layout.mode == .legacy)
        #expect(layout.unified == nil)
        #expect(layout.hierarchy(for: "cpu")?.ownDirectory == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(layout.hierarchy(for: "memory")?.ownDirectory == "/sys/fs/cgroup/memory/job")
        #expect(layout.hierarchy(for: "pids")?.ownDirectory == "/sys/fs/cgroup/my pids")
        #expect(layout.hierarchy(for: "freezer") == nil)  // its only mount shows another subtree
        #expect(layout.description == "cgroup v1: cpu, cpuacct, memory, pids (missing: freezer)")
    }

    @Test func noCgroupsAtAll() {
        #expect(throws: CgroupError.noCgroupFilesystem) {
            try CgroupLayout.parse(
                mountinfo: "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n", procSelfCgroup: "", systemdIsInit: false)
        }
    }

    @Test(
        arguments: [
            ("/a/b", "/", "/a/b"), ("/a/b", "/a", "/b"), ("/a", "/a", "/"), ("/ab", "/a", nil), ("/c", "/a", nil),
        ] as [(String, String, String?)])
    func relativePaths(path: String, root: String, expected: String?) {
        #expect(CgroupLayout.relativePath(path, under: root) == expected)
    }
}

private enum Fixtures {
    static let thisHostMountinfo = """
        23 1 0:22 / /sys rw,relatime - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    static let thisHostCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/b7edce21
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """
    static let systemdHybridMountinfo = """
        25 24 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        26 25 0:23 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
        27 25 0:24 / /sys/fs/cgroup/systemd rw,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
        30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
        31 25 0:28 / /sys/fs/cgroup/memory rw,relatime shared:15 - cgroup cgroup rw,memory
        32 25 0:29 / /sys/fs/cgroup/pids rw,relatime shared:16 - cgroup cgroup rw,pids
        33 25 0:30 / /sys/fs/cgroup/freezer rw,relatime shared:17 - cgroup cgroup rw,freezer
        34 25 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,relatime shared:18 - cgroup cgroup rw,net_cls,net_prio
        """
    static let systemdHybridCgroup = """
        12:freezer:/
        11:pids:/system.slice/clusterbox.service
        10:memory:/system.slice/clusterbox.service
        4:cpu,cpuacct:/system.slice/clusterbox.service
        3:net_cls,net_prio:/
        1:name=systemd:/system.slice/clusterbox.service
        0::/system.slice/clusterbox.service
        """
    static let unifiedMountinfo = """
        29 23 0:26 / /sys/fs/cgroup rw,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """
    static let containerMountinfo = """
        600 599 0:60 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        601 600 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,relatime master:14 - cgroup cgroup rw,cpu,cpuacct
        602 600 0:29 /docker/abc /sys/fs/cgroup/memory ro,relatime master:15 - cgroup cgroup rw,memory
        603 600 0:30 /docker/abc /sys/fs/cgroup/my\\040pids ro,relatime - cgroup cgroup rw,pids
        604 600 0:31 /docker/other /sys/fs/cgroup/freezer ro,relatime - cgroup cgroup rw,freezer
        """
    static let containerCgroup = """
        9:freezer:/docker/abc
        8:pids:/docker/abc
        4:cpu,cpuacct:/docker/abc
        3:memory:/docker/abc/job
        """
}
