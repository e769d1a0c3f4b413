import BoxTestSupport
import Foundation
import Testing

/// `kubectl apply --server-side` with the real kubectl: fields dropped from the manifest go, a `kubectl scale`
/// makes the next apply of another replica count a conflict (kubectl exits non-zero and names the manager),
/// `--force-conflicts` takes the field over, and an object made by client-side apply switches over (§4.6).
@Suite(.serialized) struct KubectlServerSideApplyTests {
    static func kubectl(_ cli: CLI, _ arguments: [String], stdin: String? = nil) throws -> ChildProcess {
        try KubectlTests.kubectl(cli, arguments, stdin: stdin, timeout: 90)
    }

    static func manifest(replicas: Int, extraLabel: Bool) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: ssa
          labels: {app: ssa\(extraLabel ? ", extra: \"yes\"" : "")}
        spec:
          replicas: \(replicas)
          selector:
            matchLabels: {app: ssa}
          template:
            metadata:
              labels: {app: ssa}
            spec:
              containers:
              - name: main
                image: host
                command: ["sleep", "3600"]
                resources: {requests: {cpu: 10m, memory: 16Mi}}
        """
    }

    /// The live object as JSON (with managedFields).
    static func live(_ cli: CLI, _ resource: String) throws -> [String: Any] {
        let got = try kubectl(cli, ["get", resource, "-o", "json", "--show-managed-fields"])
        #expect(got.status == 0, "\(got.stderr)")
        return (try JSONSerialization.jsonObject(with: Data(got.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func labels(_ object: [String: Any]) -> [String: String] {
        ((object["metadata"] as? [String: Any])?["labels"] as? [String: String]) ?? [:]
    }

    static func replicas(_ object: [String: Any]) -> Int? {
        (object["spec"] as? [String: Any])?["replicas"] as? Int
    }

    static func managers(_ object: [String: Any]) -> [String] {
        let entries = ((object["metadata"] as? [String: Any])?["managedFields"] as? [[String: Any]]) ?? []
        return entries.map { "\($0["manager"] ?? "")/\($0["operation"] ?? "")" }.sorted()
    }

    @Test func ownershipRemovalConflictsAndTheSwitch() async throws {
        try await onOwnThread { try Self.ownershipRemovalConflictsAndTheSwitch() }
    }

    static func ownershipRemovalConflictsAndTheSwitch() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "1"])
        #expect(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")

        let created = try kubectl(
            cli, ["apply", "--server-side"], stdin: manifest(replicas: 1, extraLabel: true))
        #expect(
            created.stdout.contains("deployment.apps/ssa serverside-applied"), "\(created.stdout) \(created.stderr)")
        let first = try live(cli, "deployment/ssa")
        #expect(labels(first) == ["app": "ssa", "extra": "yes"])
        #expect(managers(first) == ["kubectl/Apply"])
        // managedFields stay out of -o yaml.
        let yaml = try kubectl(cli, ["get", "deployment/ssa", "-o", "yaml"])
        #expect(!yaml.stdout.contains("managedFields"), "\(yaml.stdout)")

        // The label dropped from the manifest goes; replicas change.
        let reapplied = try kubectl(
            cli, ["apply", "--server-side"], stdin: manifest(replicas: 2, extraLabel: false))
        #expect(reapplied.status == 0, "\(reapplied.stdout) \(reapplied.stderr)")
        let second = try live(cli, "deployment/ssa")
        #expect(labels(second) == ["app": "ssa"])
        #expect(replicas(second) == 2)

        // kubectl scale takes spec.replicas; applying another count conflicts with it.
        let scaled = try kubectl(cli, ["scale", "deployment/ssa", "--replicas=3"])
        #expect(scaled.status == 0, "\(scaled.stdout) \(scaled.stderr)")
        let afterScale = try live(cli, "deployment/ssa")
        #expect(replicas(afterScale) == 3)
        #expect(managers(afterScale).count == 2, "\(managers(afterScale))")
        let conflicting = try kubectl(
            cli, ["apply", "--server-side"], stdin: manifest(replicas: 1, extraLabel: false))
        #expect(conflicting.status != 0)
        #expect(conflicting.stderr.contains("Apply failed with 1 conflict: conflict with \""), "\(conflicting.stderr)")
        #expect(conflicting.stderr.contains(".spec.replicas"), "\(conflicting.stderr)")
        // kubectl scale sends no fieldManager: the manager is the User-Agent's name, in an entry of the subresource.
        #expect(
            conflicting.stderr.contains("conflict with \"kubectl\" with subresource \"scale\" using apps/v1"),
            "\(conflicting.stderr)")
        #expect(replicas(try live(cli, "deployment/ssa")) == 3)

        let forced = try kubectl(
            cli, ["apply", "--server-side", "--force-conflicts"], stdin: manifest(replicas: 1, extraLabel: false))
        #expect(forced.status == 0, "\(forced.stdout) \(forced.stderr)")
        let afterForce = try live(cli, "deployment/ssa")
        #expect(replicas(afterForce) == 1)
        #expect(managers(afterForce) == ["kubectl/Apply"])

        // Client-side apply first, then server-side apply of a manifest without key b: kubectl moves the
        // client-side entry over (§4.6) and the apply then drops b.
        let configMap = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: switch
            data: {a: "1", b: "2"}
            """
        let clientSide = try kubectl(cli, ["apply"], stdin: configMap)
        #expect(clientSide.stdout.contains("configmap/switch created"), "\(clientSide.stdout) \(clientSide.stderr)")
        #expect(managers(try live(cli, "configmap/switch")) == ["kubectl-client-side-apply/Update"])
        let serverSide = try kubectl(
            cli, ["apply", "--server-side"], stdin: configMap.replacingOccurrences(of: ", b: \"2\"", with: ""))
        #expect(
            serverSide.stdout.contains("configmap/switch serverside-applied"),
            "\(serverSide.stdout) \(serverSide.stderr)")
        let switched = try live(cli, "configmap/switch")
        #expect(switched["data"] as? [String: String] == ["a": "1"], "\(switched)")
        #expect(!managers(switched).contains("kubectl-client-side-apply/Update"), "\(managers(switched))")
    }
}
