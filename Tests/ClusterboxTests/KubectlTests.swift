import BoxTestSupport
import Foundation
import Testing

/// The Kubernetes API driven by the real clients: kubectl 1.37.1 and the kubernetes Python client 37.0.2 (both
/// installed by `install.sh --test` into `.venv`) against a cluster started with `clusterbox up`, over HTTPS with
/// the CA and token `up` merged into `$KUBECONFIG`.
@Suite(.serialized) struct KubectlTests {
    static var kubectl: String {
        ProcessInfo.processInfo.environment["CLUSTERBOX_KUBECTL"] ?? CLI.root + "/.venv/bin/kubectl"
    }
    static let script = CLI.root + "/Tests/ClusterboxTests/Fixtures/kube_client_acceptance.py"

    /// kubectl with the test cluster's kubeconfig and a HOME of its own (a fresh discovery cache).
    static func kubectl(_ cli: CLI, _ arguments: [String], stdin: String? = nil, timeout: Double = 60) throws
        -> ChildProcess
    {
        var arguments = ["--kubeconfig", cli.kubeconfig] + arguments
        if let stdin {
            let path = cli.dataDirectory + "/manifest-\(UUID().uuidString.prefix(6)).yaml"
            try stdin.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["-f", path]
        }
        return try CLI.execute(
            kubectl, arguments, environment: ["HOME": cli.dataDirectory, "KUBECONFIG": cli.kubeconfig],
            timeout: timeout)
    }

    static let configMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cfg
        data:
          greeting: hello
        """

    /// `up` writes the kubeconfig and reports the server; kubectl's everyday commands work over it.
    @Test func kubectlAgainstACluster() async throws { try await onOwnThread { try Self.kubectlAgainstACluster() } }

    static func kubectlAgainstACluster() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "1"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        #expect(up.stdout.contains("https://127.0.0.1:\(cli.kubePort)"), "\(up.stdout)")
        #expect(up.stdout.contains("current context"), "\(up.stdout)")
        let kubeconfig = try String(contentsOfFile: cli.kubeconfig, encoding: .utf8)
        #expect(kubeconfig.contains("current-context: clusterbox"))
        #expect(kubeconfig.contains("certificate-authority-data"))

        let status = try cli.run(["status", "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let kubernetes = report?["kubernetes"] as? [String: Any]
        #expect(kubernetes?["server"] as? String == "https://127.0.0.1:\(cli.kubePort)")

        let version = try kubectl(cli, ["version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.contains("Server Version: v1.37"), "\(version.stdout)")

        let namespaces = try kubectl(cli, ["get", "ns"])
        #expect(namespaces.status == 0, "\(namespaces.stderr)")
        #expect(
            namespaces.stdout.contains("default") && namespaces.stdout.contains("kube-system"), "\(namespaces.stdout)")
        #expect(namespaces.stdout.contains("STATUS"), "\(namespaces.stdout)")

        let created = try kubectl(cli, ["create"], stdin: configMap)
        #expect(created.stdout.contains("configmap/cfg created"), "\(created.stdout) \(created.stderr)")
        let yaml = try kubectl(cli, ["get", "cm", "cfg", "-o", "yaml"])
        #expect(yaml.stdout.contains("greeting: hello"), "\(yaml.stdout) \(yaml.stderr)")
        #expect(yaml.stdout.contains("resourceVersion:"), "\(yaml.stdout)")

        let applied = configMap.replacingOccurrences(of: "name: cfg", with: "name: applied")
        let first = try kubectl(cli, ["apply"], stdin: applied)
        #expect(first.stdout.contains("configmap/applied created"), "\(first.stdout) \(first.stderr)")
        let second = try kubectl(cli, ["apply"], stdin: applied)
        #expect(second.stdout.contains("configmap/applied unchanged"), "\(second.stdout) \(second.stderr)")
        let third = try kubectl(cli, ["apply"], stdin: applied.replacingOccurrences(of: "hello", with: "bye"))
        #expect(third.stdout.contains("configmap/applied configured"), "\(third.stdout) \(third.stderr)")

        let labeled = try kubectl(cli, ["label", "cm", "cfg", "tier=front"])
        #expect(labeled.stdout.contains("configmap/cfg labeled"), "\(labeled.stdout) \(labeled.stderr)")
        let annotated = try kubectl(cli, ["annotate", "cm", "cfg", "owner=me"])
        #expect(annotated.stdout.contains("configmap/cfg annotated"), "\(annotated.stdout) \(annotated.stderr)")
        let selected = try kubectl(cli, ["get", "cm", "-l", "tier in (front)", "-o", "name"])
        #expect(selected.stdout.split(separator: "\n") == ["configmap/cfg"], "\(selected.stdout) \(selected.stderr)")

        // A watch ends with the request timeout; it first lists what is there.
        let watched = try kubectl(cli, ["get", "cm", "-w", "--request-timeout=3s"], timeout: 30)
        #expect(watched.stdout.contains("cfg"), "\(watched.stdout) \(watched.stderr)")

        let deleted = try kubectl(cli, ["delete", "cm", "cfg"])
        #expect(deleted.stdout.contains("configmap \"cfg\" deleted"), "\(deleted.stdout) \(deleted.stderr)")
        let missing = try kubectl(cli, ["get", "cm", "cfg"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("NotFound"), "\(missing.stderr)")

        let resources = try kubectl(cli, ["api-resources"])
        #expect(resources.status == 0, "\(resources.stderr)")
        #expect(resources.stdout.contains("configmaps"), "\(resources.stdout)")
        #expect(resources.stdout.contains("deployments"), "\(resources.stdout)")

        // `clusterbox kubectl` finds kubectl (.venv) and a kubeconfig of its own.
        let wrapped = try cli.run(["kubectl", "--", "get", "cm", "applied", "-o", "name"])
        #expect(wrapped.stdout.contains("configmap/applied"), "\(wrapped.stdout) \(wrapped.stderr)")
        let printed = try cli.run(["kubeconfig"])
        #expect(printed.stdout.contains("server: https://127.0.0.1:\(cli.kubePort)"), "\(printed.stdout)")
    }

    /// Bad input: no token, a malformed manifest, an unknown kind, a stale resourceVersion. Nothing changes.
    @Test func badInput() async throws { try await onOwnThread { try Self.badInput() } }

    static func badInput() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "1"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")

        // The same server and CA with a token the server does not know (with none at all kubectl prompts for a
        // user name); the routes' tests cover a missing Authorization header.
        let config = try String(contentsOfFile: cli.kubeconfig, encoding: .utf8)
        let tokenless = config.split(separator: "\n").map {
            $0.contains("token:") ? "    token: not-the-cluster-token" : String($0)
        }.joined(separator: "\n")
        let anonymous = cli.dataDirectory + "/anonymous.kubeconfig"
        try tokenless.write(toFile: anonymous, atomically: true, encoding: .utf8)
        let refused = try CLI.execute(
            kubectl, ["--kubeconfig", anonymous, "get", "ns"], environment: ["HOME": cli.dataDirectory], timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("You must be logged in to the server"), "\(refused.stderr)")

        let malformed = try kubectl(cli, ["apply"], stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: [name: x\n")
        #expect(malformed.status != 0)
        #expect(!malformed.stderr.isEmpty)

        // An unknown kind: validation finds no schema and fails; without validation the discovery mapping names it.
        let unknownKind = "apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n"
        let unknown = try kubectl(cli, ["apply"], stdin: unknownKind)
        #expect(unknown.status != 0)
        let unvalidated = try kubectl(cli, ["apply", "--validate=false"], stdin: unknownKind)
        #expect(unvalidated.status != 0)
        #expect(unvalidated.stderr.contains("no matches for kind \"Foo\""), "\(unvalidated.stderr)")

        let created = try kubectl(cli, ["create"], stdin: configMap)
        #expect(created.status == 0, "\(created.stderr)")
        let stale = try kubectl(cli, ["label", "cm", "cfg", "x=y", "--resource-version=1"])
        #expect(stale.status != 0)
        #expect(stale.stderr.contains("Conflict"), "\(stale.stderr)")
        let after = try kubectl(cli, ["get", "cm", "cfg", "-o", "jsonpath={.metadata.labels}"])
        #expect(!after.stdout.contains("x"), "\(after.stdout)")
        let list = try kubectl(cli, ["get", "cm", "-o", "name"])
        // Nothing but cfg was created (a kube-root-ca.crt a controller may publish aside).
        let names = list.stdout.split(separator: "\n").filter { $0 != "configmap/kube-root-ca.crt" }
        #expect(names == ["configmap/cfg"], "\(list.stdout)")
    }

    /// The Python client's create, list, watch, patch, stale replace and delete (Fixtures/kube_client_acceptance.py).
    @Test func pythonClient() async throws { try await onOwnThread { try Self.pythonClient() } }

    static func pythonClient() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "1"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        let result = try CLI.execute(
            SchedulerAPITests.python, [script, cli.kubeconfig], environment: [:], timeout: 90)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("PASSED"), "\(result.stdout)\n\(result.stderr)")
    }
}
