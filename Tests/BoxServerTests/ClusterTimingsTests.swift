import Testing

@testable import BoxServer

/// `up --agent-timeout` and what follows from it: agents heartbeat three times per timeout (at most every 5 s),
/// the node monitor's grace period is twice the timeout within 4–40 s, and Node statuses are written four times
/// per grace period (at most every 10 s). Without the option every timing keeps its default.
@Suite struct ClusterTimingsTests {
    @Test(
        arguments: [
            // timeout s, heartbeat ms, grace s, node status ms
            (nil, 5000, 40, 10_000), (2, 666, 4, 1000), (1, 333, 4, 1000), (5, 1666, 10, 2500),
            (15, 5000, 30, 7500), (60, 5000, 40, 10_000),
        ] as [(Int?, Int, Int, Int)])
    func timingsFollowTheAgentTimeout(timeout: Int?, heartbeatMs: Int, graceSeconds: Int, statusMs: Int) {
        var config = ClusterConfig(dataDirectory: "/tmp/unused")
        config.agentTimeout = timeout.map { .seconds($0) }
        let heartbeat = config.agentHeartbeatInterval
        #expect(heartbeat >= .milliseconds(heartbeatMs) && heartbeat < .milliseconds(heartbeatMs + 1))
        #expect(config.nodeGracePeriod == .seconds(graceSeconds))
        #expect(config.nodeStatusInterval == .milliseconds(statusMs))
    }

    @Test func defaultsStayWithoutTheOptions() {
        let config = ClusterConfig(dataDirectory: "/tmp/unused")
        #expect(config.agentTimeout == nil && config.podEvictionTimeout == nil)
        #expect(ClusterConfig.defaultPodEvictionTimeout == .seconds(30))
        #expect(ClusterConfig.defaultAgentTimeout == .seconds(15))
    }
}
