public import BoxRuntime

/// What a container of an image starts with, after the task's overrides: the `ContainerSpec` fields an image
/// decides.
public struct LaunchDefaults: Sendable, Hashable {
    public var argv: [String]
    public var environment: [String: String]
    public var workingDirectory: String
    public var user: ContainerSpec.User
}

extension Image {
    /// The `PATH` a container gets when neither the image nor the task sets one (Docker's).
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// The command, environment, working directory and user for a task of this image (runtime.md §5.1):
    ///
    /// - argv: Kubernetes' rules. `command` replaces `Entrypoint` (and then the image's `Cmd` is dropped), `args`
    ///   replaces `Cmd`; by default `Entrypoint + Cmd`. An empty result is an error.
    /// - environment: the image's `Env`, then the task's `environment` over it by key; `PATH` defaults to
    ///   `defaultPath`, `HOME` to the user's home in the image's /etc/passwd (else "/").
    /// - working directory: `workingDirectory`, else `WorkingDir`, else "/".
    /// - user: `user`, else the image's `User`, resolved against the image's own /etc/passwd and /etc/group in
    ///   `rootfs` (a prepared rootfs); neither gives `defaultUser` (issue 7: 65534 unless told otherwise).
    public func launchDefaults(
        rootfs: String, command: [String]? = nil, args: [String]? = nil, environment: [String: String] = [:],
        workingDirectory: String? = nil, user: String? = nil, defaultUser: ContainerSpec.User = .nobody
    ) throws -> LaunchDefaults {
        let imageConfig = config.config
        let argv: [String]
        if let command {
            argv = command + (args ?? [])
        } else {
            argv = (imageConfig?.entrypoint ?? []) + (args ?? imageConfig?.cmd ?? [])
        }
        guard !argv.isEmpty else { throw ImageError.noCommand(reference) }

        var resolved = defaultUser
        var home = "/"
        if let spec = [user, imageConfig?.user].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            let database: UserDatabase
            do {
                database = try UserDatabase(rootfs: rootfs)
            } catch {
                throw ImageError.userNotFound(
                    spec, reason: "cannot read the image's /etc/passwd or /etc/group: \(error)")
            }
            let found = try database.resolve(spec)
            resolved = ContainerSpec.User(uid: found.uid, gid: found.gid, groups: found.groups)
            home = found.home
        } else if let found = try? UserDatabase(rootfs: rootfs).resolve(String(defaultUser.uid)) {
            home = found.home
        }

        var merged: [String: String] = [:]
        for entry in imageConfig?.env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            merged[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
        merged.merge(environment) { $1 }
        if merged["PATH"] == nil { merged["PATH"] = Self.defaultPath }
        if merged["HOME"] == nil { merged["HOME"] = home.isEmpty ? "/" : home }

        var directory = workingDirectory ?? imageConfig?.workingDir ?? "/"
        if directory.isEmpty { directory = "/" }
        if !directory.hasPrefix("/") { directory = "/" + directory }
        return LaunchDefaults(argv: argv, environment: merged, workingDirectory: directory, user: resolved)
    }
}
