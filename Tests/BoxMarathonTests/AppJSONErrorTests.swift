import BoxCore
import BoxMarathon
import Testing

/// What Marathon answers for bodies it cannot take (§10): 400 for what is not JSON, 422 listing every failing field
/// with its path. One body per rule is in `ValidationCases`.
@Suite struct AppJSONErrorTests {
    static func decode(_ json: String) throws(MarathonError) -> App { try AppJSONTests.decode(json) }
    static func details(_ json: String) -> [FieldError] { AppJSONTests.details(json) }

    @Test func invalidJSONIs400() {
        for body in [#"{"id": "web","#, "", "{\"id\": 'web'}", "{} {}", "[1,]"] {
            #expect(throws: MarathonError.self) { try Self.decode(body) }
            do {
                _ = try Self.decode(body)
            } catch {
                #expect(error.status == 400)
                guard case .badRequest(let message, let details) = error else {
                    Issue.record("\(body): \(error)")
                    continue
                }
                #expect(message == "Invalid JSON")
                #expect(details.count == 1 && details[0].path == "/" && details[0].errors[0].contains("line 1"))
            }
        }
        #expect(
            throws: MarathonError.badRequest(
                message: "Invalid JSON", details: [FieldError(path: "/", errors: ["error.expected.jsobject"])])
        ) { try Self.decode("[1]") }
    }

    /// An image runs the app without cmd or args (its entrypoint and cmd), or with args as the entrypoint's
    /// arguments; the output carries Marathon's full container shape.
    @Test func containerWithAnImage() throws {
        let app = try Self.decode(#"{"id": "web", "container": {"docker": {"image": "busybox:1"}}, "args": ["-p"]}"#)
        #expect(app.container == AppContainer(type: .docker, image: "busybox:1"))
        let mesos = try Self.decode(#"{"id": "web", "container": {"type": "MESOS", "docker": {"image": "web"}}}"#)
        #expect(mesos.container == AppContainer(type: .mesos, image: "web"))
        let json = MarathonJSON.appJSON(app)
        #expect(json["container"]?["docker"]?["image"] == .string("busybox:1"))
        #expect(json["container"]?["type"] == .string("DOCKER"))
        // A MESOS container with nothing in it (as exported definitions carry) is no container.
        let plain = try Self.decode(#"{"id": "web", "cmd": "x", "container": {"type": "MESOS", "volumes": []}}"#)
        #expect(plain.container == nil)
    }

    @Test func containerFeaturesBeyondAnImageAre422() {
        let cases: [(String, String, String)] = [
            (
                #"{"docker": {"image": "x"}, "volumes": [{"containerPath": "/d", "hostPath": "/d", "mode": "RW"}]}"#,
                "/container/volumes", "volumes are not supported: tasks use host networking and their sandbox"
            ),
            (
                #"{"docker": {"image": "x"}, "portMappings": [{"containerPort": 80}]}"#,
                "/container/portMappings", "portMappings are not supported: tasks use host networking and their sandbox"
            ),
            (
                #"{"docker": {"image": "x", "privileged": true}}"#,
                "/container/docker/privileged", "privileged containers are not supported"
            ),
            (#"{"docker": {"image": ""}}"#, "/container/docker/image", "must not be empty"),
            (
                #"{"type": "DOCKER"}"#,
                "/container/docker/image", "a container needs docker.image (an image from `clusterbox image ls`)"
            ),
            (#"{"type": "RKT", "docker": {"image": "x"}}"#, "/container/type", "must be DOCKER or MESOS, not RKT"),
        ]
        for (container, path, message) in cases {
            let details = Self.details(#"{"id": "web", "cmd": "x", "container": "# + container + "}")
            #expect(details.contains(FieldError(path: path, errors: [message])), "\(container): \(details)")
        }
    }

    @Test func everyBrokenRuleIsReportedWithItsPath() {
        let errors = Self.details(#"{"id": "web", "cmd": "x", "cpus": 0, "instances": -1, "mem": -1}"#)
        #expect(
            errors == [
                FieldError(path: "/cpus", errors: ["got 0, expected 0.001 or more"]),
                FieldError(path: "/mem", errors: ["got -1, expected 0 or more"]),
                FieldError(path: "/instances", errors: ["got -1, expected 0 or more"]),
            ])
    }

    /// One body per rule of §3 and the single detail it must produce.
    @Test(arguments: ValidationCases.all)
    func validation(_ testCase: ValidationCase) {
        let details = Self.details(testCase.body)
        #expect(details == [FieldError(path: testCase.path, errors: [testCase.message])], "\(testCase.body)")
    }

    @Test func aBadIdSegmentNamesTheSegment() {
        let details = Self.details(#"{"id": "/prod/Web", "cmd": "x"}"#)
        #expect(details.count == 1 && details[0].path == "/id")
        #expect(details.first?.errors.first?.contains("segment 'Web'") == true)
    }

    @Test func wrongTypesAndRulesTogether() {
        let details = Self.details(#"{"id": "web", "cmd": 5, "labels": {"a": 1}, "instances": "three"}"#)
        #expect(
            details == [
                FieldError(path: "/cmd", errors: ["error.expected.jsstring"]),
                FieldError(path: "/instances", errors: ["error.expected.jsnumber"]),
                FieldError(path: "/labels/a", errors: ["error.expected.jsstring"]),
                FieldError(path: "/", errors: [Messages.noCommand]),
            ])
    }
}
