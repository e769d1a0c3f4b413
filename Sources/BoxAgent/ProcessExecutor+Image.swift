import BoxCore
import BoxImages
import BoxRuntime
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The image path of the container executor: the task's image from the agent's store, a rootfs made of its layers
/// (an overlay with the task's own upper directory), and the command, environment, working directory and user the
/// image gives, with the task's overrides.
extension ProcessExecutor {
    /// A task's prepared image: the spec fields it decides and the rootfs to remove when the task ends.
    struct ImageLaunch {
        var rootfs: PreparedRootfs
        var defaults: LaunchDefaults
        var hostsFile: String
        var resolvConf: String?
    }

    /// What the agent adds to a task's environment that describes the host, not the task: an image brings its own.
    static let hostOnlyVariables: Set<String> = ["PATH", "HOME"]

    /// Prepares `container`'s image for `task` in `<sandbox>/.container` (removed with the sandbox's task). A
    /// shell command runs under the image's `/bin/sh -c`; without one, the image's entrypoint and cmd with the
    /// task's overrides.
    static func prepareImage(
        _ container: ContainerInfo, task: TaskInfo, command: CommandInfo, sandbox: String,
        environment: [String: String], containment: Containment
    ) -> Result<ImageLaunch, ContainedLaunchError> {
        guard let images = containment.images else {
            return .failure(ContainedLaunchError("image \(container.image): this agent has no image store"))
        }
        let image: Image
        do {
            image = try images.image(container.image)
        } catch {
            return .failure(ContainedLaunchError("image \(container.image): \(error) (`clusterbox image ls` lists them)"))
        }
        let rootfs: PreparedRootfs
        do {
            rootfs = try images.prepareRootfs(for: image, at: sandbox + "/.container")
        } catch {
            return .failure(ContainedLaunchError("image \(container.image): rootfs: \(error)"))
        }
        do {
            var overrides = environment.filter { !hostOnlyVariables.contains($0.key) }
            overrides.merge(command.environment) { _, own in own }
            let shell = command.value.isEmpty ? nil : ["/bin/sh", "-c", command.value]
            let defaults = try image.launchDefaults(
                rootfs: rootfs.path, command: shell ?? container.entrypoint,
                args: shell == nil ? container.arguments : nil, environment: overrides, user: command.user,
                defaultUser: containment.defaultUser)
            let hostname = Containment.hostname(for: task.name)
            let hostsFile = rootfs.directory + "/hosts"
            try "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t\(hostname)\n".write(
                toFile: hostsFile, atomically: false, encoding: .utf8)
            var resolvConf: String?
            if let text = containment.resolvConf {
                resolvConf = rootfs.directory + "/resolv.conf"
                try text.write(toFile: resolvConf!, atomically: false, encoding: .utf8)
            } else if FileManager.default.fileExists(atPath: "/etc/resolv.conf") {
                resolvConf = "/etc/resolv.conf"
            }
            return .success(ImageLaunch(rootfs: rootfs, defaults: defaults, hostsFile: hostsFile, resolvConf: resolvConf))
        } catch {
            try? rootfs.cleanup()
            return .failure(ContainedLaunchError("image \(container.image): \(error)"))
        }
    }
}
