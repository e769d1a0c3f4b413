import BoxDiscovery
import NIOCore
import NIOPosix
import Testing

/// The load balancer over real loopback sockets: backends are NIO servers on 127.0.0.1 that greet with their id
/// and then echo; each test listens on its own 127.96.200.x address, port 18081 (the whole of 127/8 is on lo).
@Suite(.timeLimit(.minutes(5))) struct LoadBalancerProxyTests {
    static let port = 18081

    static func endpoint(_ host: Int) -> ServiceEndpoint { ServiceEndpoint(address: "127.96.200.\(host)", port: port) }

    static func service(_ host: Int, _ backends: [Backend], name: String = "web") -> VirtualService {
        VirtualService(name: name, address: "127.96.200.\(host)", port: port, backends: backends)
    }

    /// 300 sequential connections over 3 backends: round robin gives exactly 100 each, and the statistics agree
    /// (each connection reads its backend's "x\n", 2 bytes, and sends nothing).
    @Test func threeHundredConnectionsSplitEvenly() async throws {
        try await withLoadBalancer { balancer, group in
            let backends = try await ["a", "b", "c"].asyncMap { try await TestBackend.start($0, group: group) }
            let endpoint = Self.endpoint(1)
            #expect(await balancer.apply([Self.service(1, backends.map(\.backend))]).isEmpty)
            var served: [String: Int] = [:]
            for _ in 0..<300 { served[try await TestClient.greeting(endpoint, group: group), default: 0] += 1 }
            #expect(served == ["a": 100, "b": 100, "c": 100])

            // Each closed connection is counted off its service and its backend a moment after the client sees EOF.
            let statistics = try await balancer.waitForStatistics {
                $0.first.map { $0.connectionsActive == 0 && $0.backends.allSatisfy { $0.connectionsActive == 0 } }
                    ?? false
            }
            let service = try #require(statistics.first)
            #expect(statistics.count == 1 && service.name == "web" && service.isListening)
            #expect(service.connectionsTotal == 300 && service.connectionsActive == 0 && service.connectionsFailed == 0)
            #expect(service.backends.map(\.backend.id) == ["a", "b", "c"])
            for backend in service.backends {
                #expect(backend.isCurrent && backend.connectionsTotal == 100 && backend.connectionsActive == 0)
                #expect(backend.bytesIn == 0 && backend.bytesOut == 200 && backend.connectErrors == 0)
            }
        }
    }

    /// Backends [dead, b, c], 30 connections: connection k starts at backend k mod 3, so 10 start at dead (refused,
    /// then b), 10 at b and 10 at c: b serves 20, c 10, dead counts 10 errors. A service whose backends all refuse,
    /// and one with none, close the client at once.
    @Test func refusingBackendIsSkippedAndCounted() async throws {
        try await withLoadBalancer { balancer, group in
            let b = try await TestBackend.start("b", group: group)
            let c = try await TestBackend.start("c", group: group)
            // Nothing listens on 127.96.201.x: the kernel refuses at once.
            let dead = Backend(id: "dead", host: "127.96.201.1", port: 18082)
            let dead2 = Backend(id: "dead2", host: "127.96.201.2", port: 18082)
            let failures = await balancer.apply([
                Self.service(2, [dead, b.backend, c.backend]), Self.service(3, [dead, dead2], name: "down"),
                Self.service(4, [], name: "empty"),
            ])
            #expect(failures.isEmpty)
            var served: [String: Int] = [:]
            for _ in 0..<30 { served[try await TestClient.greeting(Self.endpoint(2), group: group), default: 0] += 1 }
            #expect(served == ["b": 20, "c": 10])
            #expect(try await TestClient.exchange(Self.endpoint(3), group: group) == "")
            #expect(try await TestClient.exchange(Self.endpoint(4), group: group) == "")

            let statistics = try await balancer.waitForStatistics { $0.allSatisfy { $0.connectionsActive == 0 } }
            let web = try #require(statistics.first { $0.endpoint == Self.endpoint(2) })
            #expect(web.connectionsTotal == 30 && web.connectionsFailed == 0)
            #expect(web.backend("dead")?.connectErrors == 10 && web.backend("dead")?.connectionsTotal == 0)
            #expect(web.backend("b")?.connectionsTotal == 20 && web.backend("c")?.connectionsTotal == 10)
            let down = try #require(statistics.first { $0.endpoint == Self.endpoint(3) })
            #expect(down.connectionsTotal == 1 && down.connectionsFailed == 1)
            #expect(down.backends.map(\.connectErrors) == [1, 1])
            let empty = try #require(statistics.first { $0.endpoint == Self.endpoint(4) })
            #expect(empty.connectionsTotal == 1 && empty.connectionsFailed == 1 && empty.backends.isEmpty)
        }
    }

    /// A backend that drops SYNs is given up after the connect timeout (300 ms here) and the next one serves. The
    /// client sends its request and shuts down writing at once, long before b is connected: b still gets both.
    @Test func backendThatTimesOutIsSkipped() async throws {
        try await withLoadBalancer(connectTimeout: .milliseconds(300)) { balancer, group in
            let hole = try await TestBackend.blackhole(group: group)
            let b = try await TestBackend.start("b", group: group)
            #expect(await balancer.apply([Self.service(5, [hole.backend, b.backend])]).isEmpty)
            let start = ContinuousClock.now
            #expect(
                try await TestClient.exchange(Self.endpoint(5), request: "early bird", group: group) == "b\nearly bird")
            #expect(ContinuousClock.now - start >= .milliseconds(250))
            let statistics = try #require(balancer.statistics(of: Self.endpoint(5)))
            #expect(statistics.backend("blackhole")?.connectErrors == 1)
            #expect(statistics.backend("b")?.connectionsTotal == 1)
        }
    }

    /// Backends [a, b, c]. Connection L reaches a, M reaches b (the cursor is now at c). apply drops a, while 30
    /// other connections run: none fails. L and M still carry bytes both ways; the next 20 connections alternate
    /// c, b (10 each) and none reaches a; a is reported as draining with 1 connection until L closes.
    @Test func removedBackendDrainsWhileOthersContinue() async throws {
        try await withLoadBalancer { balancer, group in
            let backends = try await ["a", "b", "c"].asyncMap { try await TestBackend.start($0, group: group) }
            let endpoint = Self.endpoint(6)
            #expect(await balancer.apply([Self.service(6, backends.map(\.backend))]).isEmpty)
            // One after the other: connections accepted at once may pick their backends in either order.
            let long = try await TestClient.connect(endpoint, group: group)
            try await long.executeThenClose { longIn, longOut in
                var longReader = ByteReader(longIn)
                #expect(try await longReader.readLine() == "a")
                let middle = try await TestClient.connect(endpoint, group: group)
                try await middle.executeThenClose { middleIn, middleOut in
                    var middleReader = ByteReader(middleIn)
                    #expect(try await middleReader.readLine() == "b")

                    async let others = (0..<30).asyncMap { _ in try await TestClient.greeting(endpoint, group: group) }
                    #expect(
                        await balancer.apply([Self.service(6, [backends[1].backend, backends[2].backend])]).isEmpty)
                    #expect(try await others.allSatisfy { ["a", "b", "c"].contains($0) })

                    for (writer, name) in [(longOut, "long"), (middleOut, "middle")] {
                        try await writer.write(ByteBuffer(string: "ping \(name)\n"))
                    }
                    #expect(try await longReader.readLine() == "ping long")
                    #expect(try await middleReader.readLine() == "ping middle")
                }
                var served: [String: Int] = [:]
                for _ in 0..<20 { served[try await TestClient.greeting(endpoint, group: group), default: 0] += 1 }
                #expect(served == ["b": 10, "c": 10])

                let draining = try await balancer.waitForStatistics {
                    $0.first?.backend("b")?.connectionsActive == 0
                }
                let a = try #require(draining.first?.backend("a"))
                #expect(!a.isCurrent && a.connectionsActive == 1 && a.connectionsTotal == 1)
                #expect(draining.first?.backends.map(\.backend.id) == ["b", "c", "a"])

                try await longOut.write(ByteBuffer(string: "still here\n"))
                #expect(try await longReader.readLine() == "still here")
                longOut.finish()
                #expect(try await longReader.readLine() == nil)
            }
            let drained = try await balancer.waitForStatistics { $0.first?.backend("a") == nil }
            #expect(drained.first?.backends.map(\.backend.id) == ["b", "c"])
        }
    }

    /// 20 MiB of pseudo-random bytes, then shutdown(WR): the backend still greets and echoes it all back after the
    /// client's end of input, byte for byte (same FNV-1a checksum and length), then closes.
    @Test func halfCloseAndTwentyMebibytesRoundTripIntact() async throws {
        try await withLoadBalancer { balancer, group in
            let backend = try await TestBackend.start("a", group: group)
            #expect(await balancer.apply([Self.service(7, [backend.backend])]).isEmpty)
            let chunkBytes = 64 * 1024
            let chunks = 320  // 20 MiB
            let channel = try await TestClient.connect(Self.endpoint(7), group: group)
            let (sent, received, greeting) = try await channel.executeThenClose { inbound, outbound in
                async let sent: Checksum = {
                    var generator = ChunkGenerator(seed: 7)
                    var checksum = Checksum()
                    for _ in 0..<chunks {
                        let chunk = generator.next(size: chunkBytes)
                        checksum.add(chunk)
                        try await outbound.write(ByteBuffer(bytes: chunk))
                    }
                    outbound.finish()
                    return checksum
                }()
                var reader = ByteReader(inbound)
                let greeting = try await reader.readLine()
                var received = Checksum()
                try await reader.forEachChunk { received.add($0) }
                return (try await sent, received, greeting)
            }
            #expect(greeting == "a")
            #expect(sent.count == chunkBytes * chunks)
            #expect(received == sent)
            let statistics = try await balancer.waitForStatistics { $0.first?.connectionsActive == 0 }
            let a = try #require(statistics.first?.backend("a"))
            #expect(a.bytesIn == chunkBytes * chunks && a.bytesOut == chunkBytes * chunks + 2)
            #expect(a.connectionsActive == 0)
        }
    }

    /// A backend that never reads: once its socket buffers fill, the load balancer stops reading from the client,
    /// so the client's writes stall. It reads at most the kernel buffers towards the backend plus one write buffer
    /// (a few MiB), far below the 64 MiB the client would send.
    @Test func stalledBackendPushesBackOnTheClient() async throws {
        try await withLoadBalancer { balancer, group in
            let backend = try await TestBackend.start("silent", mode: .silent, group: group)
            #expect(await balancer.apply([Self.service(8, [backend.backend])]).isEmpty)
            let limit = 64 * 1024 * 1024
            let progress = FloodProgress()
            let endpoint = Self.endpoint(8)
            let client = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let chunk = ByteBuffer(repeating: 0x5a, count: 64 * 1024)
                        try channel.pipeline.syncOperations.addHandler(
                            FloodHandler(chunk: chunk, limit: limit, progress: progress))
                    }
                }
                .connect(host: endpoint.address, port: endpoint.port).get()
            var last = -1
            var steadySamples = 0
            for _ in 0..<200 where steadySamples < 10 {  // stalled: no progress for 10 × 50 ms; at most 10 s
                try await Task.sleep(for: .milliseconds(50))
                let now = progress.bytes.load(ordering: .relaxed)
                steadySamples = now == last ? steadySamples + 1 : 0
                last = now
            }
            #expect(steadySamples >= 10 && last < limit)
            let bytesIn = try #require(balancer.statistics(of: endpoint)?.backend("silent")?.bytesIn)
            #expect(bytesIn < 16 * 1024 * 1024, "read \(bytesIn) bytes from the client of a stalled backend")
            try await client.close()
        }
    }

    /// One service's endpoint is taken by another socket: apply reports it, the other service serves. Once the
    /// socket is gone the next apply binds it. Removing a service closes its listener (connecting is refused).
    @Test func listenerThatCannotBindIsReportedAndTheOthersServe() async throws {
        try await withLoadBalancer { balancer, group in
            let backend = try await TestBackend.start("a", group: group)
            let squatter = try await ServerBootstrap(group: group).bind(host: "127.96.200.9", port: Self.port).get()
            let taken = Self.service(9, [backend.backend], name: "taken")
            let free = Self.service(10, [backend.backend], name: "free")
            let failures = await balancer.apply([taken, free])
            #expect(failures.map(\.service) == [taken])
            #expect((failures.first?.error as? IOError)?.errnoCode == EADDRINUSE)
            #expect(try await TestClient.greeting(Self.endpoint(10), group: group) == "a")
            #expect(balancer.statistics().map(\.name) == ["free"])

            try await squatter.close()
            #expect(await balancer.apply([taken, free]).isEmpty)
            #expect(try await TestClient.greeting(Self.endpoint(9), group: group) == "a")

            #expect(await balancer.apply([taken]).isEmpty)
            await #expect(throws: (any Error).self) { try await TestClient.connect(Self.endpoint(10), group: group) }
            #expect(try await TestClient.greeting(Self.endpoint(9), group: group) == "a")
            let names = try await balancer.waitForStatistics { $0.count == 1 }.map(\.name)
            #expect(names == ["taken"])
        }
    }

    /// shutdown closes the listener and the connections through it; apply afterwards reports every service.
    @Test func shutdownClosesListenersAndConnections() async throws {
        try await withLoadBalancer { balancer, group in
            let backend = try await TestBackend.start("a", group: group)
            let service = Self.service(11, [backend.backend])
            #expect(await balancer.apply([service]).isEmpty)
            let connection = try await TestClient.connect(Self.endpoint(11), group: group)
            try await connection.executeThenClose { inbound, _ in
                var reader = ByteReader(inbound)
                let greeting = try await reader.readLine()
                #expect(greeting == "a")
                await balancer.shutdown()
                #expect((try? await reader.readLine()) == nil)
            }
            await #expect(throws: (any Error).self) { try await TestClient.connect(Self.endpoint(11), group: group) }
            let failures = await balancer.apply([service])
            #expect((failures.first?.error as? LoadBalancerError) == .shutDown)
            #expect(balancer.statistics().isEmpty)
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
