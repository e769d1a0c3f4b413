import BoxDiscovery
import Logging
import NIOCore
import NIOPosix

/// Starts a `DNSServer` on a kernel-chosen loopback port, runs `body`, and shuts the server down however it ends.
func withDNSServer<T: Sendable>(
    _ answerer: DNSZoneAnswerer = ServerTestZones.answerer(),
    _ configuration: DNSServerConfiguration = DNSServerConfiguration(port: 0),
    _ body: (DNSServer, DNSZoneSource) async throws -> T
) async throws -> T {
    let zones = DNSZoneSource(answerer)
    var logger = Logger(label: "clusterbox.discovery.test")
    logger.logLevel = .warning
    let server = try await DNSServer.start(
        configuration, zones: zones, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
    do {
        let result = try await body(server, zones)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}
