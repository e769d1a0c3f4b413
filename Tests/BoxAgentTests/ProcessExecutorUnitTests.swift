import BoxCore
import Testing

@testable import BoxAgent

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pure pieces of the process executor: exit decoding, status wording, environment, /proc parsing.
@Suite("ProcessExecutor helpers")
struct ProcessExecutorUnitTests {
    @Test(
        arguments: [
            (0x0000, ProcessExit.exited(0)), (0x0300, .exited(3)), (0xff00, .exited(255)), (0x000b, .signaled(11)),
            (0x008b, .signaled(11)),  // 0x80 = core dumped
            (0x0009, .signaled(9)),
        ] as [(Int32, ProcessExit)])
    func waitStatusDecodes(status: Int32, expected: ProcessExit) {
        // Exit code in bits 8-15, signal in bits 0-6, bit 7 the core-dump flag.
        #expect(ProcessExit(waitStatus: status) == expected)
    }

    @Test(
        arguments: [
            (ProcessExit.exited(0), false, TaskState.finished, "Command exited with status 0", Int32?(0)),
            (.exited(2), false, .failed, "Command exited with status 2", 2),
            (.signaled(SIGSEGV), false, .failed, "Command terminated by signal SIGSEGV", 128 + SIGSEGV),
            (.signaled(SIGTERM), true, .killed, "Command terminated by signal SIGTERM", 128 + SIGTERM),
            (.signaled(SIGKILL), true, .killed, "Command terminated by signal SIGKILL", 128 + SIGKILL),
            (.exited(0), true, .killed, "Command exited with status 0", 0),
            (
                .unknown("waitid: No child processes"), false, .failed,
                "Command exit status unknown: waitid: No child processes", nil
            ),
        ] as [(ProcessExit, Bool, TaskState, String, Int32?)])
    func outcomeWording(exit: ProcessExit, killRequested: Bool, state: TaskState, message: String, code: Int32?) {
        // Once a kill was requested every end is TASK_KILLED; otherwise only `exit 0` is TASK_FINISHED.
        let outcome = TerminalOutcome(exit: exit, killRequested: killRequested)
        #expect(outcome.state == state)
        #expect(outcome.message == message)
        #expect(outcome.exitCode == code)
        #expect(outcome.reason == (state == .failed ? .commandExecutorFailed : nil))
    }

    @Test func unnamedSignalsGetTheirNumber() {
        // Real-time signals have no portable name: "signal 40".
        #expect(ProcessSignals.name(of: 40) == "signal 40")
        #expect(ProcessSignals.name(of: SIGPIPE) == "SIGPIPE")
    }

    @Test func environmentLayersCommandVariablesOnTop() {
        // Ports 31005 and 31000-31001 are listed lowest first; the command's PORT and FOO override ours.
        var task = TaskInfo(
            taskID: "t", name: "t", agentID: "a",
            resources: Resources(ports: PortRanges([31005...31005, 31000...31001])),
            command: CommandInfo(value: "true", environment: ["FOO": "bar", "PORT": "8080"]))
        let environment = ProcessEnvironment.make(
            task: task, frameworkID: "f", agentID: "a", sandbox: "/s", hostname: "h", agentPath: nil)
        #expect(environment["PATH"] == ProcessEnvironment.defaultPath)
        #expect(environment["PORT0"] == "31000")
        #expect(environment["PORT1"] == "31001")
        #expect(environment["PORT2"] == "31005")
        #expect(environment["PORTS"] == "31000,31001,31005")
        #expect(environment["PORT"] == "8080")
        #expect(environment["FOO"] == "bar")
        #expect(environment["HOME"] == "/s")
        #expect(environment["MESOS_DIRECTORY"] == "/s")
        #expect(environment["MESOS_FRAMEWORK_ID"] == "f")

        task.resources = Resources()
        let portless = ProcessEnvironment.make(
            task: task, frameworkID: "f", agentID: "a", sandbox: "/s", hostname: "h", agentPath: "/bin")
        #expect(portless["PORT0"] == nil && portless["PORTS"] == nil)
        #expect(portless["PATH"] == "/bin")
    }

    @Test func statLineParsesFromTheLastParenthesis() throws {
        // A command name with spaces and ")" must not shift the fields: state S, start time field 22 = 4242.
        let line =
            "123 (we ird) name) S 1 123 123 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4242 1000 10 18446744073709551615"
        let stat = try #require(ProcStat(parsing: line))
        #expect(stat.state == "S")
        #expect(stat.startTime == 4242)
        #expect(ProcStat(parsing: "garbage") == nil)
    }

    @Test func ownStatIsReadable() throws {
        // /proc/<pid>/stat of the test process parses: a live state and a start time after boot.
        let stat = try #require(ProcStat.read(pid: getpid()))
        #expect("RSD".contains(stat.state))
        #expect(stat.startTime > 0)
    }

    @Test(arguments: [
        ("web.1", "web.1"), ("a/b", "a_b"), ("..", "__"), (".", "_"), ("", "_"), ("x y", "x_y"),
        ("app:v2@host", "app:v2@host"),
    ])
    func idsBecomeSafePathComponents(id: String, component: String) {
        // Task ids cannot climb out of the sandbox tree or add directory levels.
        #expect(ProcessSandbox.component(id) == component)
    }

    @Test func checkpointTextRoundTrips() {
        // "<pid> <starttime>\n"; a pid of 0 or 1 or junk is refused.
        let checkpoint = ProcessCheckpoint(pid: 4321, startTime: 987_654)
        #expect(checkpoint.text == "4321 987654\n")
        #expect(ProcessCheckpoint(parsing: checkpoint.text) == checkpoint)
        #expect(ProcessCheckpoint(parsing: "1 5") == nil)
        #expect(ProcessCheckpoint(parsing: "12") == nil)
        #expect(ProcessCheckpoint(parsing: "echo hi") == nil)
    }
}
