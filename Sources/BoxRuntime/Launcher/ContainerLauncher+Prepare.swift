internal import CBoxRuntime

#if canImport(Glibc)
    import Glibc
#endif

extension ContainerLauncher {
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The file to exec: `argv[0]` when it has a slash (execve reports a missing one), else the first executable
    /// match in `PATH`, looked up inside the rootfs (symlinks resolved as if it were "/", so an image's absolute
    /// links stay in the image) or on the host.
    static func resolveExecutable(_ spec: ContainerSpec) throws(LaunchFailure) -> String {
        let name = spec.argv[0]
        if name.contains("/") { return name }
        let path = spec.environment["PATH"] ?? defaultPath
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            let result = cbox_executable_in_root(spec.rootfs ?? "/", candidate)
            if result == 0 { return candidate }
        }
        throw LaunchFailure(step: "look up \(name) in PATH", errno: ENOENT)
    }

    static func readSmallFile(_ path: String) throws(LaunchFailure) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LaunchFailure(step: "open \(path)", errno: Glibc.errno) }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        guard count >= 0 else { throw LaunchFailure(step: "read \(path)", errno: Glibc.errno) }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }
}

/// The task's stdin (/dev/null), stdout and stderr (appending to host files), opened by the parent with
/// O_CLOEXEC; the child dup2s them onto 0, 1 and 2. The parent closes its copies after the launch.
struct StandardStreams {
    let input: Int32
    let output: Int32
    let error: Int32

    init(stdout: String, stderr: String) throws(LaunchFailure) {
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw LaunchFailure(step: "open /dev/null", errno: Glibc.errno) }
        let output = Self.openLog(stdout)
        guard output >= 0 else {
            let code = Glibc.errno
            Glibc.close(input)
            throw LaunchFailure(step: "open stdout \(stdout)", errno: code)
        }
        let error = Self.openLog(stderr)
        guard error >= 0 else {
            let code = Glibc.errno
            Glibc.close(input)
            Glibc.close(output)
            throw LaunchFailure(step: "open stderr \(stderr)", errno: code)
        }
        (self.input, self.output, self.error) = (input, output, error)
    }

    func close() {
        for fd in [input, output, error] { Glibc.close(fd) }
    }

    private static func openLog(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode_t(0o644))
    }
}
