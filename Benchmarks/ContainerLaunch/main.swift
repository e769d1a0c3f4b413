// Launch latency of one contained `true`, three ways, with the same harness (spawn to reap, wall clock):
//   - process: posix_spawn of /bin/true and waitpid (the floor);
//   - clusterbox: a v1 cgroup per task in memory, pids and cpu (limits 64 MiB, 64 pids, 50 ms per 100 ms) under a
//     private parent, ContainerLauncher.spawn into new pid, mount, UTS and IPC namespaces on a busybox rootfs, uid
//     65534, no capabilities, no_new_privs, the default seccomp filter; waitpid; rmdir the cgroups;
//   - the same launch without cgroups, and in host mode (no rootfs: private /proc and /tmp on the host's files);
//   - crun: `crun run` on an OCI bundle with the same rootfs, namespaces, user, capabilities, filter and limits.
// Prints a table and one JSON line. container-launch.sh builds the rootfs and the bundle template and runs this in
// a private mount namespace with the cgroup v2 mount hidden (crun refuses this host's hybrid layout otherwise).
//
//     ContainerLaunch --rootfs DIR --bundle DIR [--runs 100] [--warmup 5]
import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct Options {
    var rootfs = ""
    var bundle = ""
    var runs = 100
    var warmup = 5

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fatalError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--rootfs": rootfs = value()
            case "--bundle": bundle = value()
            case "--runs": runs = Int(value())!
            case "--warmup": warmup = Int(value())!
            default: fatalError("unknown option \(arguments[index])")
            }
            index += 1
        }
        precondition(!rootfs.isEmpty && !bundle.isEmpty, "--rootfs and --bundle are required")
    }
}

// MARK: - Harness

/// Milliseconds per run, after `warmup` unmeasured runs.
func measure(_ options: Options, _ body: (Int) throws -> Void) rethrows -> [Double] {
    for index in 0..<options.warmup { try body(-1 - index) }
    let clock = ContinuousClock()
    var samples: [Double] = []
    for index in 0..<options.runs {
        let elapsed = try clock.measure { try body(index) }
        samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
    }
    return samples
}

func percentile(_ samples: [Double], _ p: Double) -> Double {
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func reap(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

/// posix_spawn with stdio on /dev/null, then reap; fails loudly on a non-zero exit.
func spawnAndWait(_ argv: [String]) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
    let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArgs { free(pointer) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
    guard result == 0 else { fatalError("posix_spawn \(argv[0]): \(String(cString: strerror(result)))") }
    let status = reap(pid)
    if status != 0 { fatalError("\(argv.joined(separator: " ")) exited with status \(status)") }
}

// MARK: - clusterbox's cgroups (cgroupfs v1, as simply as possible)

/// A private parent cgroup in memory, pids and cpu; one child per task with the limits written.
struct CgroupV1 {
    static let controllers = ["memory", "pids", "cpu"]
    let parent = "clusterbox-launch-bench-\(getpid())"

    func path(_ controller: String, _ name: String? = nil) -> String {
        "/sys/fs/cgroup/\(controller)/\(parent)" + (name.map { "/\($0)" } ?? "")
    }

    func createParent() {
        for controller in Self.controllers { check(mkdir(path(controller), 0o755), "mkdir \(path(controller))") }
    }

    func removeParent() {
        for controller in Self.controllers { rmdir(path(controller)) }
    }

    /// Creates the task's cgroups, writes the limits, returns the open cgroup.procs fds.
    func create(_ name: String) -> [Int32] {
        for controller in Self.controllers { check(mkdir(path(controller, name), 0o755), "mkdir") }
        write(path("memory", name) + "/memory.limit_in_bytes", "67108864")
        write(path("pids", name) + "/pids.max", "64")
        write(path("cpu", name) + "/cpu.cfs_period_us", "100000")
        write(path("cpu", name) + "/cpu.cfs_quota_us", "50000")
        return Self.controllers.map { controller in
            let fd = open(path(controller, name) + "/cgroup.procs", O_WRONLY | O_CLOEXEC)
            check(fd, "open cgroup.procs")
            return fd
        }
    }

    func remove(_ name: String, _ fds: [Int32]) {
        for fd in fds { close(fd) }
        for controller in Self.controllers {
            var attempts = 0
            while rmdir(path(controller, name)) != 0 && errno == EBUSY && attempts < 1000 {
                attempts += 1
                usleep(100)
            }
        }
    }

    private func write(_ file: String, _ value: String) {
        let fd = open(file, O_WRONLY | O_CLOEXEC)
        check(fd, "open \(file)")
        defer { close(fd) }
        check(Int32(value.withCString { Glibc.write(fd, $0, strlen($0)) }), "write \(file)")
    }
}

func check(_ result: Int32, _ what: String) {
    if result < 0 { fatalError("\(what): \(String(cString: strerror(errno)))") }
}

// MARK: - crun's bundle

/// Turns `crun spec`'s template into the parity config: `true` as 65534 without capabilities, no_new_privs, not a
/// terminal; pid, ipc, uts and mount namespaces only; the mounts clusterbox makes (proc, /dev, devpts, shm), no
/// masked or read-only paths (clusterbox has none yet); the same limits and the same seccomp deny list.
func writeBundle(_ bundle: String, rootfs: String) throws {
    let url = URL(fileURLWithPath: bundle + "/config.json")
    var config = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    var process = config["process"] as! [String: Any]
    process["terminal"] = false
    process["args"] = ["/bin/true"]
    process["user"] = ["uid": 65534, "gid": 65534]
    process["capabilities"] = ["bounding": [], "effective": [], "inheritable": [], "permitted": [], "ambient": []]
    process["noNewPrivileges"] = true
    process["rlimits"] = nil
    config["process"] = process
    config["root"] = ["path": rootfs, "readonly": false]
    config["hostname"] = "bench"
    let keep: Set = ["/proc", "/dev", "/dev/pts", "/dev/shm"]
    config["mounts"] = (config["mounts"] as! [[String: Any]]).filter { keep.contains($0["destination"] as! String) }
    var linux = config["linux"] as! [String: Any]
    linux["namespaces"] = ["pid", "ipc", "uts", "mount"].map { ["type": $0] }
    linux["maskedPaths"] = nil
    linux["readonlyPaths"] = nil
    linux["resources"] = [
        "memory": ["limit": 67_108_864], "pids": ["limit": 64], "cpu": ["quota": 50_000, "period": 100_000],
    ]
    linux["seccomp"] = seccompJSON(SeccompFilter.clusterboxDefault)
    config["linux"] = linux
    try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: url)
}

/// The OCI form of a default-allow filter.
func seccompJSON(_ filter: SeccompFilter) -> [String: Any] {
    let operators: [SeccompRule.Comparison: String] = [
        .notEqual: "SCMP_CMP_NE", .lessThan: "SCMP_CMP_LT", .lessOrEqual: "SCMP_CMP_LE", .equal: "SCMP_CMP_EQ",
        .greaterOrEqual: "SCMP_CMP_GE", .greaterThan: "SCMP_CMP_GT", .maskedEqual: "SCMP_CMP_MASKED_EQ",
    ]
    let syscalls: [[String: Any]] = filter.rules.map { rule in
        guard case .errno(let code) = rule.action else { fatalError("only errno rules are translated") }
        var entry: [String: Any] = ["names": [rule.syscall], "action": "SCMP_ACT_ERRNO", "errnoRet": code]
        if !rule.arguments.isEmpty {
            entry["args"] = rule.arguments.map { argument in
                [
                    "index": argument.index, "value": argument.value, "valueTwo": argument.valueTwo,
                    "op": operators[argument.comparison]!,
                ] as [String: Any]
            }
        }
        return entry
    }
    return ["defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": syscalls]
}

// MARK: - Run

let options = Options(Array(CommandLine.arguments.dropFirst()))
try writeBundle(options.bundle, rootfs: options.rootfs)
let cgroups = CgroupV1()
cgroups.createParent()
defer { cgroups.removeParent() }

let process = measure(options) { _ in spawnAndWait(["/bin/true"]) }

var spec = ContainerSpec(argv: ["/bin/true"], rootfs: options.rootfs, hostname: "bench", capabilities: .none)
let clusterbox = try measure(options) { index in
    let name = "t\(index + 1000)"
    let fds = cgroups.create(name)
    spec.cgroupProcsFDs = fds
    let pid = try ContainerLauncher.spawn(spec)
    let status = reap(pid)
    cgroups.remove(name, fds)
    if status != 0 { fatalError("container exited with status \(status)") }
}
spec.cgroupProcsFDs = []
let noCgroup = try measure(options) { _ in
    let status = reap(try ContainerLauncher.spawn(spec))
    if status != 0 { fatalError("container exited with status \(status)") }
}
var hostSpec = spec
hostSpec.rootfs = nil
hostSpec.workingDirectory = "/"
let hostMode = try measure(options) { _ in
    let status = reap(try ContainerLauncher.spawn(hostSpec))
    if status != 0 { fatalError("host-mode task exited with status \(status)") }
}

let crunPath = ["/usr/bin/crun", "/usr/local/bin/crun"].first { (path: String) in access(path, X_OK) == 0 }
let crun = crunPath.map { crun in
    measure(options) { index in
        spawnAndWait([crun, "run", "--bundle", options.bundle, "clusterbox-bench-\(getpid())-\(index + 1000)"])
    }
}

func row(_ name: String, _ samples: [Double]) -> String {
    String(
        format: "| %@ | %.2f | %.2f | %.2f | %.2f |", name, percentile(samples, 0.5), percentile(samples, 0.9),
        percentile(samples, 0.99), samples.min() ?? 0)
}
print("runs: \(options.runs) after \(options.warmup) warm-up, ms")
print("| what | p50 | p90 | p99 | min |")
print("| --- | --- | --- | --- | --- |")
print(row("fork/exec /bin/true", process))
print(row("clusterbox: cgroups v1 (3) + spawn + wait + rmdir", clusterbox))
print(row("clusterbox: spawn + wait, no cgroup", noCgroup))
print(row("clusterbox host mode (no rootfs): spawn + wait, no cgroup", hostMode))
if let crun { print(row("crun run (parity config)", crun)) }
var summary: [String: Double] = [
    "process_p50_ms": percentile(process, 0.5), "clusterbox_p50_ms": percentile(clusterbox, 0.5),
    "clusterbox_p90_ms": percentile(clusterbox, 0.9), "clusterbox_nocgroup_p50_ms": percentile(noCgroup, 0.5),
    "clusterbox_hostmode_p50_ms": percentile(hostMode, 0.5),
]
if let crun {
    summary["crun_p50_ms"] = percentile(crun, 0.5)
    summary["crun_p90_ms"] = percentile(crun, 0.9)
    summary["ratio_p50"] = percentile(clusterbox, 0.5) / percentile(crun, 0.5)
    print(String(format: "clusterbox / crun at p50: %.2f (target ≤ 0.5)", summary["ratio_p50"]!))
} else {
    print("crun not installed (apt-get install crun): no comparison")
}
let json = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
