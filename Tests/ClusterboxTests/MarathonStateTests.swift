import BoxTestSupport
import Foundation
import Testing

/// Marathon's state outlives the daemon: apps, versions and the CLI's view of them come back after `down`/`up`,
/// and the tasks are reconciled (the ones that ended with the old daemon replaced), never duplicated.
@Suite(.serialized) struct MarathonStateTests {
    @Test func appsSurviveARestart() async throws { try await onOwnThread { try Self.restart() } }

    static func restart() throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try cli.up(["--agents", "2"]).status == 0)
        let file = cli.dataDirectory + "/sleeper.yaml"
        try """
        id: /state/sleeper
        cmd: sleep 1000
        cpus: 0.1
        mem: 16
        instances: 3
        constraints: [[hostname, MAX_PER, "2"]]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let deployed = try cli.run(["app", "deploy", "-f", file])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(deployed.stdout.contains("done: 3/3 running"), "\(deployed.stdout)")
        #expect(try cli.run(["app", "scale", "/state/sleeper", "4"]).status == 0)
        let before = try tasks(cli)
        #expect(before.count == 4)
        // MAX_PER 2 on hostname over two agents: two tasks on each.
        #expect(Dictionary(grouping: before, by: \.host).values.map(\.count).sorted() == [2, 2])

        #expect(try cli.run(["down"]).status == 0)
        #expect(try cli.up(["--agents", "2"]).status == 0)
        var after: [Task] = []
        for _ in 0..<100 {
            after = try tasks(cli)
            if after.count == 4 && after.allSatisfy({ $0.state == "TASK_RUNNING" }) { break }
            usleep(100_000)
        }
        #expect(after.count == 4, "\(after)")
        #expect(after.allSatisfy { $0.state == "TASK_RUNNING" })
        #expect(Set(after.map(\.id)).isDisjoint(with: before.map(\.id)), "the old tasks ended with the old daemon")
        let versions = try cli.run(["app", "versions", "/state/sleeper"]).stdout.split(separator: "\n")
        #expect(versions.count == 2, "create and scale: \(versions)")
        // A few more seconds: no task is launched twice.
        usleep(1_500_000)
        #expect(try tasks(cli).count == 4)
        #expect(try cli.run(["app", "delete", "/state/sleeper"]).status == 0)
    }

    struct Task: Decodable {
        var id: String
        var host: String
        var state: String
        var slaveId: String
    }

    static func tasks(_ cli: CLI) throws -> [Task] {
        struct Tasks: Decodable { var tasks: [Task] }
        let body = try cli.curl(["\(cli.marathonURL)/v2/apps/state/sleeper/tasks"]).stdout
        return try JSONDecoder().decode(Tasks.self, from: Data(body.utf8)).tasks.map {
            var task = $0
            task.host = $0.slaveId  // every process agent's address is 127.0.0.1: tell them apart by agent id
            return task
        }
    }
}
