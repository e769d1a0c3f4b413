import BoxCore
import Testing

@testable import BoxAgent

/// A process task's statistics come from its leader's `/proc/<pid>/stat`.
struct ProcUsageTests {
    @Test func fieldsAreCountedFromTheLastParenthesis() throws {
        // A command name with a space and a ')' in it; utime 150, stime 30, cutime 20, cstime 10, 3 threads,
        // 414 resident pages.
        let line =
            "21135 (my (odd) cmd) R 21131 21131 508 0 -1 4194304 99 0 0 0 150 30 20 10 20 0 3 0 2597594 3133440 414 "
            + "18446744073709551615 94008809742336 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        let stat = try #require(ProcUsage(line))
        #expect(stat == ProcUsage(userTicks: 170, systemTicks: 40, threads: 3, rssPages: 414))
        let statistics = stat.statistics(timestamp: 5, tickSeconds: 0.01, pageBytes: 4096)
        #expect(abs((statistics.cpus_user_time_secs ?? 0) - 1.7) < 1e-9)
        #expect(abs((statistics.cpus_system_time_secs ?? 0) - 0.4) < 1e-9)
        #expect(statistics.threads == 3)
        #expect(statistics.mem_rss_bytes == 414 * 4096)
        #expect(statistics.timestamp == 5)
    }

    @Test func truncatedOrGarbledLinesAreRejected() {
        #expect(ProcUsage("") == nil)
        #expect(ProcUsage("1 (sh) S 0 1 1") == nil)
        #expect(ProcUsage("1 sh S " + String(repeating: "0 ", count: 40)) == nil)
        #expect(ProcUsage("1 (sh) S " + String(repeating: "x ", count: 40)) == nil)
    }

    @Test func aRunningProcessTaskIsMeasuredFromProc() async throws {
        // This test process itself stands in for a task's leader: it has used CPU and holds memory.
        let text = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        let stat = try #require(ProcUsage(text))
        #expect(stat.threads >= 1)
        #expect(stat.rssPages > 0)
    }
}
