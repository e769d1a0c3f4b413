import Testing

/// One rule of §3 per case: a body (otherwise valid) and the one 422 detail it must produce.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    var body: String
    var path: String
    var message: String
    var testDescription: String { "\(path): \(message)" }

    init(_ fields: String, _ path: String, _ message: String, command: Bool = true) {
        body = "{" + (command ? #""id": "web", "cmd": "x", "# : #""id": "web", "#) + fields + "}"
        self.path = path
        self.message = message
    }
}

enum ValidationCases {
    static let all: [ValidationCase] = ids + resources + command + ports + constraints + healthChecks + others

    static let ids = [
        ValidationCase(#""cmd": "x""#, "/id", "error.path.missing", command: false).withBody(#"{"cmd": "x"}"#),
        ValidationCase(#""cmd": "x""#, "/id", "must name an app, not the root group '/'", command: false)
            .withBody(#"{"id": "/", "cmd": "x"}"#),
        ValidationCase(
            #""dependencies": ["Db"]"#, "/dependencies(0)",
            "invalid id 'Db': segment 'Db': use lower-case letters, digits and '-' (not first or last), dots between names"
        ),
        ValidationCase(#""dependencies": ["/web"]"#, "/dependencies(0)", "an app cannot depend on itself"),
    ]

    static let resources = [
        ValidationCase(#""instances": -1"#, "/instances", "got -1, expected 0 or more"),
        ValidationCase(#""cpus": 0.0001"#, "/cpus", "got 0.0001, expected 0.001 or more"),
        ValidationCase(#""mem": -1"#, "/mem", "got -1, expected 0 or more"),
        ValidationCase(#""disk": -5"#, "/disk", "got -5, expected 0 or more"),
        ValidationCase(#""gpus": -1"#, "/gpus", "got -1, expected 0 or more"),
        ValidationCase(#""instances": "three""#, "/instances", "error.expected.jsnumber"),
        ValidationCase(#""instances": 2.5"#, "/instances", "error.expected.int"),
        ValidationCase(#""cpus": true"#, "/cpus", "error.expected.jsnumber"),
        ValidationCase(#""backoffFactor": 0.5"#, "/backoffFactor", "got 0.5, expected 1 or more"),
        ValidationCase(#""backoffSeconds": -1"#, "/backoffSeconds", "got -1, expected 0 or more"),
        ValidationCase(#""maxLaunchDelaySeconds": -1"#, "/maxLaunchDelaySeconds", "got -1, expected 0 or more"),
        ValidationCase(
            #""upgradeStrategy": {"minimumHealthCapacity": 1.5}"#, "/upgradeStrategy/minimumHealthCapacity",
            "is greater than 1"),
        ValidationCase(
            #""upgradeStrategy": {"maximumOverCapacity": -0.1}"#, "/upgradeStrategy/maximumOverCapacity",
            "is less than 0"),
        ValidationCase(
            #""upgradeStrategy": {"maximumOverCapacity": "all"}"#, "/upgradeStrategy/maximumOverCapacity",
            "error.expected.jsnumber"),
    ]

    static let command = [
        ValidationCase(#""args": ["sleep", "1"]"#, "/", "AppDefinition must contain either 'cmd' or 'args', not both"),
        ValidationCase(#""cpus": 1"#, "/", Messages.noCommand, command: false),
        ValidationCase(#""args": []"#, "/", Messages.noCommand, command: false),
        ValidationCase(#""cmd": """#, "/cmd", "must not be empty", command: false),
        ValidationCase(#""args": ["a", 1]"#, "/args(1)", "error.expected.jsstring", command: false)
            .withBody(#"{"id": "web", "args": ["a", 1], "cmd": "x"}"#),
    ]

    static let ports = [
        ValidationCase(
            #""ports": [0], "portDefinitions": []"#, "/ports", "give either ports or portDefinitions, not both"),
        ValidationCase(
            #""portDefinitions": [{"port": 70000}]"#, "/portDefinitions(0)/port", "got 70000, expected 0 to 65535"),
        ValidationCase(
            #""portDefinitions": [{"port": 0, "protocol": "sctp"}]"#, "/portDefinitions(0)/protocol",
            "must be tcp, udp or udp,tcp"),
        ValidationCase(
            #""portDefinitions": [{"port": 80}, {"port": 80}]"#, "/portDefinitions", "Ports must be unique."),
        ValidationCase(
            #""portDefinitions": [{"name": "a"}, {"name": "a"}]"#, "/portDefinitions", "Port names must be unique."),
        ValidationCase(#""requirePorts": "yes""#, "/requirePorts", "error.expected.jsboolean"),
    ]

    static let constraints = [
        ValidationCase(#""constraints": [["rack", "NEAR"]]"#, "/constraints(0)", Messages.operators),
        ValidationCase(
            #""constraints": [["rack"]]"#, "/constraints(0)", "Each constraint must have either 2 or 3 fields"),
        ValidationCase(#""constraints": [["rack", "MAX_PER"]]"#, "/constraints(0)", "Missing value"),
        ValidationCase(
            #""constraints": [["rack", "MAX_PER", "two"]]"#, "/constraints(0)",
            "Value was specified but is not a number"),
        ValidationCase(
            #""constraints": [["rack", "GROUP_BY", "x"]]"#, "/constraints(0)",
            "Value was specified but is not a number"),
        ValidationCase(#""constraints": [["rack", "LIKE"]]"#, "/constraints(0)", "Missing value"),
        ValidationCase(
            #""constraints": [["rack", "UNLIKE", "r(1"]]"#, "/constraints(0)",
            "'r(1' is not a valid regular expression"),
        ValidationCase(#""constraints": [["rack", "IS"]]"#, "/constraints(0)", "Missing value"),
        ValidationCase(
            #""constraints": [["hostname", "UNIQUE", "x"]]"#, "/constraints(0)",
            "Value was specified but is not used by this operator"),
        ValidationCase(
            #""constraints": [["hostname", "UNIQUE"], ["rack", "IS", true]]"#, "/constraints(1)(2)",
            "error.expected.jsstring"),
    ]

    static let healthChecks = [
        ValidationCase(#""healthChecks": [{"portIndex": 1}]"#, "/healthChecks(0)/portIndex", Messages.portIndex),
        ValidationCase(
            #""portDefinitions": [], "healthChecks": [{"protocol": "TCP"}]"#, "/healthChecks(0)/portIndex",
            Messages.portIndex),
        ValidationCase(
            #""healthChecks": [{"intervalSeconds": 0}]"#, "/healthChecks(0)/intervalSeconds",
            "got 0, expected more than 0"),
        ValidationCase(
            #""healthChecks": [{"timeoutSeconds": -1}]"#, "/healthChecks(0)/timeoutSeconds",
            "got -1, expected more than 0"),
        ValidationCase(
            #""healthChecks": [{"protocol": "GRPC"}]"#, "/healthChecks(0)/protocol",
            "must be one of HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS, MESOS_TCP"),
        ValidationCase(
            #""healthChecks": [{"protocol": "COMMAND"}]"#, "/healthChecks(0)/command",
            "COMMAND health checks need a command"),
        ValidationCase(
            #""healthChecks": [{"port": 80, "portIndex": 0}]"#, "/healthChecks(0)",
            "give either port or portIndex, not both"),
        ValidationCase(
            #""healthChecks": [{"maxConsecutiveFailures": -1}]"#, "/healthChecks(0)/maxConsecutiveFailures",
            "got -1, expected 0 or more"),
        ValidationCase(
            #""healthChecks": [{"gracePeriodSeconds": "long"}]"#, "/healthChecks(0)/gracePeriodSeconds",
            "error.expected.jsnumber"),
        ValidationCase(
            #""healthChecks": [{"ipProtocol": "IPX"}]"#, "/healthChecks(0)/ipProtocol", "must be IPv4 or IPv6"),
    ]

    static let others = [
        ValidationCase(#""env": {"DB": {"secret": "db-password"}}"#, "/env/DB", "secrets are not supported"),
        ValidationCase(#""env": {"N": 1}"#, "/env/N", "error.expected.jsstring"),
        ValidationCase(#""labels": ["a"]"#, "/labels", "error.expected.jsobject"),
        ValidationCase(#""killSelection": "RANDOM""#, "/killSelection", "must be YOUNGEST_FIRST or OLDEST_FIRST"),
        ValidationCase(
            #""executor": "/opt/my-executor""#, "/executor",
            #"custom executors are not supported; leave executor empty or "//cmd""#),
        ValidationCase(
            #""networks": [{"mode": "container/bridge"}]"#, "/networks(0)/mode",
            "only host networking is supported (container networks need a container)"),
        ValidationCase(
            #""container": {"type": "MESOS", "docker": {"image": "x"}, "volumes": [{"containerPath": "/d"}]}"#,
            "/container/volumes", "volumes are not supported: tasks use host networking and their sandbox"),
        ValidationCase(
            #""taskKillGracePeriodSeconds": -3"#, "/taskKillGracePeriodSeconds", "got -3, expected 0 or more"),
    ]
}

extension ValidationCase {
    func withBody(_ body: String) -> ValidationCase {
        var copy = self
        copy.body = body
        return copy
    }
}
