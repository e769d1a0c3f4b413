import BoxTestSupport
import Foundation
import Testing

/// `clusterbox tour` and `clusterbox explain` run as a user would: each lesson with `--yes` against a fresh
/// 3-agent cluster must exit 0 with only ✓ claims, and leave nothing behind (apps, frameworks, Kubernetes
/// objects). Bad input (an unknown lesson or concept, no cluster) is a clear error with a non-zero exit.
@Suite(.serialized) struct TourTests {
    /// The fewest claims each lesson checks when everything holds (a lesson that stops early prints fewer; lesson
    /// 1 checks one more when its first OFFERS event holds more than one offer).
    static let claims = [1: 5, 2: 4, 3: 4, 4: 8, 5: 5, 6: 6]

    @Test(arguments: 1...6) func lessonPassesItsOwnChecks(number: Int) async throws {
        try await onOwnThread { try Self.lesson(number, environment: [:]) }
    }

    /// Lesson 5 again with the DNS query of the tour's own instead of dig.
    @Test func discoveryLessonWithoutDig() async throws {
        try await onOwnThread { try Self.lesson(5, environment: ["CLUSTERBOX_TOUR_NO_DIG": "1"]) }
    }

    static func lesson(_ number: Int, environment: [String: String]) throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let up = try cli.up(["--agents", "3"])
        try #require(up.status == 0, "up failed: \(up.stdout) \(up.stderr)")
        let tour = try CLI.execute(
            CLI.binary, ["tour", "\(number)", "--yes"],
            environment: environment.merging(["CLUSTERBOX_DATA_DIR": cli.dataDirectory, "KUBECONFIG": cli.kubeconfig]) {
                $1
            }, timeout: 300)
        let output = tour.stdout
        #expect(tour.status == 0, "tour \(number) failed:\n\(output)\n\(tour.stderr)")
        #expect(!output.contains("✗"), "a claim did not hold:\n\(output)")
        let checks = output.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("✓") }
        #expect(checks.count >= claims[number] ?? 1, "expected \(claims[number] ?? 0) ✓ lines:\n\(output)")
        #expect(output.contains("Tour done: all \(checks.count) claims held."), "\(output)")
        if number == 5 {
            let tool =
                environment["CLUSTERBOX_TOUR_NO_DIG"] == nil ? "with dig" : "with a DNS query of clusterbox's own"
            #expect(output.contains(tool), "\(output)")
        }
        try expectNothingLeft(cli)
    }

    /// No app, no tour framework, no tour object in Kubernetes after a lesson.
    static func expectNothingLeft(_ cli: CLI) throws {
        let apps = try cli.curl(["\(cli.marathonURL)/v2/apps"])
        #expect(
            apps.stdout.contains("\"apps\":[]") || apps.stdout.contains("\"apps\": []"), "apps left: \(apps.stdout)")
        let frameworks = try cli.curl(["\(cli.url)/master/frameworks"])
        let listed =
            (try? JSONSerialization.jsonObject(with: Data(frameworks.stdout.utf8)) as? [String: Any])?[
                "frameworks"] as? [[String: Any]]
        let names = (listed ?? []).compactMap { $0["name"] as? String }
        #expect(!names.isEmpty && names.allSatisfy { ["batch", "marathon", "kubernetes"].contains($0) }, "\(names)")
        let token = try String(contentsOfFile: cli.dataDirectory + "/kube/admin.token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for path in [
            "/api/v1/namespaces/default/pods", "/apis/apps/v1/namespaces/default/deployments",
            "/api/v1/namespaces/default/replicationcontrollers",
        ] {
            let list = try cli.curl([
                "--cacert", cli.dataDirectory + "/kube/ca.crt", "-H", "Authorization: Bearer \(token)",
                "https://127.0.0.1:\(cli.kubePort)\(path)",
            ])
            let items = (try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["items"]
            #expect((items as? [Any])?.isEmpty == true, "\(path) left: \(list.stdout.prefix(400))")
        }
    }

    @Test func listsTheLessons() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            let list = try cli.run(["tour", "--list"])
            #expect(list.status == 0, "\(list.stderr)")
            for number in 1...6 {
                #expect(list.stdout.contains("\n\(number). ") || list.stdout.hasPrefix("\(number). "))
            }
            #expect(list.stdout.contains("Dominant Resource Fairness"), "\(list.stdout)")
        }
    }

    @Test func unknownLessonIsAnError() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            let result = try cli.run(["tour", "99", "--yes"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("there is no lesson 99: lessons are 1 to 6"), "\(result.stderr)")
            let zero = try cli.run(["tour", "0"])
            #expect(zero.status != 0)
        }
    }

    @Test func tourWithoutAClusterSaysSo() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            let result = try cli.run(["tour", "1", "--yes"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("no cluster is running"), "\(result.stderr)")
        }
    }

    @Test func explainsAConcept() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            let pod = try cli.run(["explain", "pod"])
            #expect(pod.status == 0, "\(pod.stderr)")
            #expect(pod.stdout.hasPrefix("pod: the unit Kubernetes schedules"), "\(pod.stdout)")
            #expect(pod.stdout.contains("see it live:\n  clusterbox kubectl -- get pods -o wide"), "\(pod.stdout)")
            let alias = try cli.run(["explain", "RS"])
            #expect(alias.status == 0 && alias.stdout.hasPrefix("replicaset:"), "\(alias.stdout)")
            for concept in [
                "offers", "drf", "framework", "agent", "task", "role", "marathon", "pod", "replicaset",
                "replicationcontroller", "deployment", "service", "label", "selector", "endpoints", "dns", "vip",
                "mesos-vs-kubernetes",
            ] {
                let result = try cli.run(["explain", concept])
                #expect(result.status == 0 && result.stdout.contains("see it live:"), "\(concept): \(result.stderr)")
            }
        }
    }

    @Test func unknownConceptListsTheKnownOnes() async throws {
        try await onOwnThread {
            let cli = try CLI()
            defer { cli.cleanUp() }
            let result = try cli.run(["explain", "nonsense"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("unknown concept 'nonsense'"), "\(result.stderr)")
            #expect(result.stderr.contains("offers, drf, framework"), "\(result.stderr)")
            #expect(result.stdout.isEmpty, "\(result.stdout)")
        }
    }
}
