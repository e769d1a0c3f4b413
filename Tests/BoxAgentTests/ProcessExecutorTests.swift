import BoxCore
import Foundation
import Testing

@testable import BoxAgent

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("ProcessExecutor with real processes")
struct ProcessExecutorTests {
    @Test func echoFinishesWithOutputInTheSandbox() async throws {
        // `echo hello; echo oops >&2` exits 0: STARTING, RUNNING, FINISHED, and each stream lands in its own file.
        try await withTemporaryDirectory { root in
            let (recorder, sandbox) = await run("echo hello; echo oops >&2", root: root)
            #expect(recorder.states == [.starting, .running, .finished])
            let finished = try #require(recorder.all.last)
            #expect(finished.message == "Command exited with status 0")
            #expect(finished.exitCode == 0)
            #expect(finished.reason == nil)
            #expect(recorder.all.allSatisfy { $0.source == .executor && $0.agentID == "agent-1" && $0.uuid != nil })
            #expect(Set(recorder.all.compactMap(\.uuid)).count == 3)
            #expect(sandbox == root + "/agent-1/fw-1/t1")
            let directory = try #require(sandbox)
            #expect(readFile(directory + "/stdout") == "hello\n")
            #expect(readFile(directory + "/stderr") == "oops\n")
            #expect(!FileManager.default.fileExists(atPath: directory + "/.clusterbox-pid"))
        }
    }

    @Test(arguments: [1, 3, 42, 255] as [Int32])
    func nonZeroExitFails(code: Int32) async throws {
        // `exit N` with N ≠ 0 is TASK_FAILED, exit code N, "Command exited with status N".
        try await withTemporaryDirectory { root in
            let (recorder, _) = await run("exit \(code)", root: root)
            let failed = try #require(recorder.all.last)
            #expect(recorder.states == [.starting, .running, .failed])
            #expect(failed.exitCode == code)
            #expect(failed.message?.contains("status \(code)") == true)
            #expect(failed.reason == .commandExecutorFailed)
        }
    }

    @Test func signalWeDidNotSendFailsAndNamesIt() async throws {
        // The shell kills itself with SIGSEGV (11): TASK_FAILED, exit code 128 + 11 = 139.
        try await withTemporaryDirectory { root in
            let (recorder, _) = await run("kill -SEGV $$", root: root)
            let failed = try #require(recorder.all.last)
            #expect(failed.state == .failed)
            #expect(failed.message == "Command terminated by signal SIGSEGV")
            #expect(failed.exitCode == 139)
            #expect(failed.reason == .commandExecutorFailed)
        }
    }

    @Test func portsAndIdentityAreInTheEnvironment() async throws {
        // Ports 31000-31001 become PORT0=31000, PORT1=31001, PORT=PORT0, PORTS="31000,31001".
        try await withTemporaryDirectory { root in
            let (recorder, sandbox) = await run(
                "echo $PORT0 $PORT1 $PORT $MESOS_TASK_ID $HOST; echo $PORTS; pwd; echo $HOME $MESOS_SANDBOX",
                id: "web.1", ports: [31000...31001], root: root)
            #expect(recorder.states.last == .finished)
            let directory = try #require(sandbox)
            let lines = readFile(directory + "/stdout")?.split(separator: "\n").map(String.init) ?? []
            #expect(
                lines == [
                    "31000 31001 31000 web.1 node-1.test", "31000,31001", directory, "\(directory) \(directory)",
                ])
        }
    }

    @Test func taskGetsOnlyStandardDescriptorsAndItsOwnSession() async throws {
        // The agent's open files stay out of the task (fds 0, 1, 2 only), stdin is /dev/null, and the shell leads
        // its own session and process group (sid = pgid = pid).
        try await withTemporaryDirectory { root in
            // `ls` lists the shell's fds while the shell does nothing else: a pipeline or redirection would make
            // it hold pipes or saved copies of fds for a moment.
            let (recorder, sandbox) = await run(
                "ls /proc/$$/fd; echo =; readlink /proc/$$/fd/0; "
                    + "ps -o sid=,pgid=,pid= -p $$ 2>/dev/null || awk '{print $6, $5, $1}' /proc/$$/stat",
                root: root)
            #expect(recorder.states.last == .finished)
            let lines = readFile(try #require(sandbox) + "/stdout")?.split(separator: "\n").map(String.init) ?? []
            try #require(lines.count == 6)
            #expect(lines[0..<4] == ["0", "1", "2", "="])
            #expect(lines[4] == "/dev/null")
            let ids = lines[5].split(separator: " ")
            #expect(ids.count == 3 && Set(ids).count == 1)
        }
    }

    @Test func killStopsTheWholeProcessGroup() async throws {
        // A shell with a background `sleep` is killed with a short grace: both die on SIGTERM, TASK_KILLED.
        try await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorder = StatusRecorder()
            await executor.launch(
                makeTask("k1", "sleep 300 & echo $! > child.pid; sleep 300"), frameworkID: "fw-1",
                agentID: "agent-1", onStatus: recorder.onStatus)
            let sandbox = try #require(await executor.sandbox(of: "k1"))
            let child = try #require(await readPID(sandbox + "/child.pid"))
            #expect(FileManager.default.fileExists(atPath: sandbox + "/.clusterbox-pid"))

            await executor.kill("k1", grace: .milliseconds(500))
            let killed = try #require(await recorder.terminal())
            #expect(killed.state == .killed)
            #expect(killed.message == "Command terminated by signal SIGTERM")
            #expect(await processIsGone(child))
            #expect(!FileManager.default.fileExists(atPath: sandbox + "/.clusterbox-pid"))
            await executor.shutdown(grace: .seconds(1))
        }
    }

    @Test func commandIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        // `trap '' TERM` makes SIGTERM useless; 300 ms later SIGKILL ends it: TASK_KILLED by SIGKILL.
        try await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorder = StatusRecorder()
            await executor.launch(
                makeTask("stubborn", "trap '' TERM; echo ready > ready; sleep 300"), frameworkID: "fw-1",
                agentID: "agent-1", onStatus: recorder.onStatus)
            let sandbox = try #require(await executor.sandbox(of: "stubborn"))
            // Kill only once the trap is set, or SIGTERM would end the shell before it ran `trap`.
            _ = await eventually(within: processTimeout) { readFile(sandbox + "/ready") }

            let started = ContinuousClock.now
            await executor.kill("stubborn", grace: .milliseconds(300))
            let killed = try #require(await recorder.terminal())
            #expect(killed.state == .killed)
            #expect(killed.message == "Command terminated by signal SIGKILL")
            #expect(killed.exitCode == Int32(128 + 9))
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            await executor.shutdown(grace: .seconds(1))
        }
    }

    @Test func strayChildrenDieWithTheMainProcess() async throws {
        // The shell exits 0 leaving a background `sleep`: FINISHED, and the sleep is SIGKILLed with its group.
        try await withTemporaryDirectory { root in
            let (recorder, sandbox) = await run("sleep 300 & echo $! > child.pid; exit 0", root: root)
            #expect(recorder.states == [.starting, .running, .finished])
            let directory = try #require(sandbox)
            let child = try #require(await readPID(directory + "/child.pid"))
            #expect(await processIsGone(child))
        }
    }

    @Test func killLeftoversKillsGroupsOfACrashedAgent() async throws {
        // A running task's checkpoint is all that survives a crashed agent: killLeftovers kills 1 group.
        try await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorder = StatusRecorder()
            await executor.launch(
                makeTask("orphan", "sleep 300"), frameworkID: "fw-1", agentID: "agent-1",
                onStatus: recorder.onStatus)
            let sandbox = try #require(await executor.sandbox(of: "orphan"))
            let checkpoint = try #require(
                readFile(sandbox + "/.clusterbox-pid").flatMap(ProcessCheckpoint.init(parsing:)))

            #expect(ProcessExecutor.killLeftovers(sandboxRoot: root) == 1)
            #expect(await processIsGone(checkpoint.pid))
            #expect(!FileManager.default.fileExists(atPath: sandbox + "/.clusterbox-pid"))
            // This executor did not send the SIGKILL, so for it the task failed.
            let ended = try #require(await recorder.terminal())
            #expect(ended.state == .failed)
            #expect(ended.message == "Command terminated by signal SIGKILL")
            #expect(ProcessExecutor.killLeftovers(sandboxRoot: root) == 0)
            await executor.shutdown(grace: .seconds(1))
        }
    }

    @Test func killLeftoversSkipsStaleCheckpoints() async throws {
        // A checkpoint whose start time does not match the live process (a recycled pid) kills nothing.
        try await withTemporaryDirectory { root in
            let sandbox = root + "/a/f/t"
            try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
            try "\(getpid()) 1\n".write(toFile: sandbox + "/.clusterbox-pid", atomically: true, encoding: .utf8)
            #expect(ProcessExecutor.killLeftovers(sandboxRoot: root) == 0)
            #expect(!FileManager.default.fileExists(atPath: sandbox + "/.clusterbox-pid"))
        }
    }

    @Test func sandboxThatCannotBeCreatedFailsTheLaunch() async throws {
        // The sandbox root is below a regular file: STARTING, then FAILED (containerLaunchFailed, "sandbox: …").
        try await withTemporaryDirectory { root in
            let file = root + "/not-a-directory"
            try "x".write(toFile: file, atomically: true, encoding: .utf8)
            let (recorder, sandbox) = await run("true", root: file + "/sandboxes")
            #expect(recorder.states == [.starting, .failed])
            let failed = try #require(recorder.all.last)
            #expect(failed.reason == .containerLaunchFailed)
            #expect(failed.message?.hasPrefix("sandbox:") == true)
            #expect(sandbox == nil)
        }
    }

    @Test func taskWithoutCommandFails() async {
        // No command: one TASK_FAILED (taskInvalid) and no sandbox.
        await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorder = StatusRecorder()
            await executor.launch(
                makeTask("empty", nil), frameworkID: "fw-1", agentID: "agent-1", onStatus: recorder.onStatus)
            #expect(recorder.states == [.failed])
            #expect(recorder.all.first?.reason == .taskInvalid)
            #expect(recorder.all.first?.message?.contains("no command") == true)
            #expect(await executor.sandbox(of: "empty") == nil)
        }
    }

    @Test func relaunchGetsANumberedSandbox() async {
        // Running task id `again` twice keeps the first output: sandboxes `again` and `again-2`.
        await withTemporaryDirectory { root in
            let first = await run("echo one", id: "again", root: root)
            let second = await run("echo two", id: "again", root: root)
            #expect(first.sandbox == root + "/agent-1/fw-1/again")
            #expect(second.sandbox == root + "/agent-1/fw-1/again-2")
            #expect(readFile(root + "/agent-1/fw-1/again/stdout") == "one\n")
            #expect(readFile(root + "/agent-1/fw-1/again-2/stdout") == "two\n")
        }
    }

    @Test func shutdownWaitsForEveryTerminalUpdate() async {
        // Three sleeping tasks; shutdown returns only after all three sent TASK_KILLED, and later launches fail.
        await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorders = (0..<3).map { _ in StatusRecorder() }
            for (index, recorder) in recorders.enumerated() {
                await executor.launch(
                    makeTask(TaskID("s\(index)"), "sleep 300"), frameworkID: "fw-1", agentID: "agent-1",
                    onStatus: recorder.onStatus)
            }
            await executor.shutdown(grace: .seconds(2))
            for recorder in recorders { #expect(recorder.states == [.starting, .running, .killed]) }

            let late = StatusRecorder()
            await executor.launch(
                makeTask("late", "true"), frameworkID: "fw-1", agentID: "agent-1", onStatus: late.onStatus)
            #expect(late.states == [.failed])
        }
    }
}
