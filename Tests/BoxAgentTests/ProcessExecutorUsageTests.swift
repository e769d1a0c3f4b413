import BoxCore
import Foundation
import Testing

@testable import BoxAgent

/// `usage()` on the process executor: a running process task is measured from /proc, an ended one is gone.
struct ProcessExecutorUsageTests {
    @Test func aRunningProcessTaskIsMeasuredAndAnEndedOneIsNot() async throws {
        try await withTemporaryDirectory { root in
            let executor = makeExecutor(root: root)
            let recorder = StatusRecorder()
            // A shell that burns CPU for about 0.2 s, then waits to be killed.
            let command = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exec sleep 30"
            await executor.launch(
                makeTask("busy", command), frameworkID: "fw-1", agentID: "agent-1", onStatus: recorder.onStatus)
            #expect(await recorder.waitFor(.running))
            // The loop's CPU time shows once the shell has used some (it is the group leader: no reaping needed).
            var usage: TaskUsage?
            let deadline = ContinuousClock.now + processTimeout
            while ContinuousClock.now < deadline {
                usage = await executor.usage().first
                if let seconds = usage?.statistics.cpuSeconds, seconds >= 0.05 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let measured = try #require(usage)
            #expect(measured.taskID == "busy")
            #expect(measured.frameworkID == "fw-1")
            #expect(measured.source == "proc")
            #expect((measured.statistics.cpuSeconds ?? 0) >= 0.05, "\(measured.statistics)")
            #expect(measured.statistics.cpus_limit == 0.1)
            #expect(measured.statistics.mem_limit_bytes == 32 << 20)
            #expect((measured.statistics.mem_rss_bytes ?? 0) > 0)
            #expect(measured.statistics.threads == 1)
            #expect(abs(measured.statistics.timestamp - Date().timeIntervalSince1970) < 30)

            await executor.kill("busy", grace: .seconds(1))
            _ = await recorder.terminal()
            #expect(await executor.usage().isEmpty)
            await executor.shutdown(grace: .seconds(1))
        }
    }
}
