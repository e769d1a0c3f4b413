import BoxTestSupport
import Foundation
import Testing

/// `clusterbox completion bash|zsh|fish`: scripts generated from the command tree. bash parses the bash script
/// (`bash -n`), and each script names the subcommands; an unknown shell is refused with the choices.
@Suite struct CompletionTests {
    static let subcommands = [
        "up", "down", "agents", "frameworks", "shares", "offers", "app", "job", "top", "completion",
    ]

    @Test func bashAcceptsTheBashScript() async throws {
        try await onOwnThread {
            let result = try CLI.execute(CLI.binary, ["completion", "bash"], environment: [:], timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "clusterbox-completion-\(UUID().uuidString.prefix(8)).bash"
            ).path
            try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let check = try ChildProcess.run("/bin/bash", ["-n", path], timeoutSeconds: 30)
            #expect(check.status == 0, "bash -n: \(check.stderr)")
            // Sourced, it registers a completion function for `clusterbox`.
            let registered = try ChildProcess.run(
                "/bin/bash", ["-c", "source \(path) && complete -p clusterbox"], timeoutSeconds: 30)
            #expect(registered.stdout.contains("clusterbox"), "\(registered.stdout) \(registered.stderr)")
            for name in Self.subcommands { #expect(result.stdout.contains(name), "bash script lacks \(name)") }
        }
    }

    @Test(arguments: ["zsh", "fish"])
    func otherShellsNameTheSubcommands(shell: String) async throws {
        try await onOwnThread {
            let result = try CLI.execute(CLI.binary, ["completion", shell], environment: [:], timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains(shell == "zsh" ? "#compdef clusterbox" : "complete -c 'clusterbox'"))
            for name in Self.subcommands { #expect(result.stdout.contains(name), "\(shell) script lacks \(name)") }
        }
    }

    @Test func unknownShellIsRefused() async throws {
        try await onOwnThread {
            let result = try CLI.execute(CLI.binary, ["completion", "powershell"], environment: [:], timeout: 30)
            #expect(result.status != 0 && result.stdout.isEmpty)
            #expect(result.stderr.contains("choose bash, zsh or fish"), "\(result.stderr)")
        }
    }
}
