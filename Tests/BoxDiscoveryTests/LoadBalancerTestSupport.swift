import BoxDiscovery
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

typealias TestChannel = NIOAsyncChannel<ByteBuffer, ByteBuffer>

struct TimedOut: Error {}

/// Runs `body` with a load balancer on a 2-thread event loop group, then shuts both down. After `limit` the load
/// balancer is shut down, which ends every read through it, and the test fails with `TimedOut`. The limit is
/// generous: a test that takes 4 s alone took over 30 s once while the whole suite started at the same moment.
func withLoadBalancer(
    connectTimeout: Duration = .seconds(1), limit: Duration = .seconds(120),
    _ body: @escaping @Sendable (LoadBalancer, any EventLoopGroup) async throws -> Void
) async throws {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    var logger = Logger(label: "clusterbox.discovery.test") { label in
        // CLUSTERBOX_TEST_LOG=1 shows the load balancer's decisions.
        guard ProcessInfo.processInfo.environment["CLUSTERBOX_TEST_LOG"] != nil else { return SwiftLogNoOpLogHandler() }
        return StreamLogHandler.standardError(label: label)
    }
    logger.logLevel = .trace
    let balancer = LoadBalancer(group: group, logger: logger, connectTimeout: connectTimeout)
    let result = await Result {
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await body(balancer, group)
                return true
            }
            tasks.addTask {
                try await Task.sleep(for: limit)
                await balancer.shutdown()
                return false
            }
            let finished = try await tasks.next()!
            tasks.cancelAll()
            if !finished { throw TimedOut() }
        }
    }
    await balancer.shutdown()
    try await group.shutdownGracefully()
    try result.get()
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

// MARK: - Backends

/// A backend on 127.0.0.1 and a free port. `.greetAndEcho` writes "<id>\n", echoes everything, and closes once
/// the client has shut down writing and the echo has gone. `.silent` accepts and never reads.
struct TestBackend: Sendable {
    enum Mode: Sendable { case greetAndEcho, silent }

    let id: String
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    var backend: Backend { Backend(id: .init(id), host: "127.0.0.1", port: port) }

    static func start(_ id: String, mode: Mode = .greetAndEcho, group: any EventLoopGroup) async throws -> TestBackend {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelOption(ChannelOptions.autoRead, value: mode == .greetAndEcho)
            .childChannelInitializer { channel in
                guard mode == .greetAndEcho else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(GreetAndEchoHandler(id: id))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestBackend(id: id, channel: channel)
    }

    /// A port on which a SYN is dropped, so connecting times out: a listener with a backlog of 1 that never
    /// accepts, its queue filled by connections that stay open until `group` shuts down.
    static func blackhole(group: any EventLoopGroup) async throws -> TestBackend {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1)
            .serverChannelOption(ChannelOptions.autoRead, value: false)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        for _ in 0..<8 {  // Linux queues backlog + 1 connections; then SYNs are dropped
            do {
                _ = try await ClientBootstrap(group: group).connectTimeout(.milliseconds(300))
                    .connect(host: "127.0.0.1", port: port).get()
            } catch {
                return TestBackend(id: "blackhole", channel: channel)
            }
        }
        throw TimedOut()  // never filled up: this host does not drop SYNs
    }
}

private final class GreetAndEchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let id: String

    init(id: String) { self.id = id }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "\(id)\n")), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let event = event as? ChannelEvent, case .inputClosed = event else { return }
        let channel = context.channel
        let flushed = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer()), promise: flushed)
        flushed.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }
}

// MARK: - Clients

enum TestClient {
    static func connect(_ endpoint: ServiceEndpoint, group: any EventLoopGroup) async throws -> TestChannel {
        try await ClientBootstrap(group: group).connect(host: endpoint.address, port: endpoint.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try TestChannel(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(isOutboundHalfClosureEnabled: true))
            }
        }
    }

    /// Connects, sends `request`, shuts down writing and reads until the load balancer closes; a reset counts as
    /// a close.
    static func exchange(_ endpoint: ServiceEndpoint, request: String = "", group: any EventLoopGroup) async throws
        -> String
    {
        let channel = try await connect(endpoint, group: group)
        return try await channel.executeThenClose { inbound, outbound in
            if !request.isEmpty { try await outbound.write(ByteBuffer(string: request)) }
            outbound.finish()
            var reader = ByteReader(inbound)
            return String(decoding: (try? await reader.readToEnd()) ?? [], as: UTF8.self)
        }
    }

    /// The greeting ("<id>") of the backend that a fresh connection reaches.
    static func greeting(_ endpoint: ServiceEndpoint, group: any EventLoopGroup) async throws -> String {
        String(try await exchange(endpoint, group: group).dropLast())
    }
}

/// Reads lines, counts of bytes, or everything, from a connection's inbound stream.
struct ByteReader {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffered: [UInt8] = []

    init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) { iterator = inbound.makeAsyncIterator() }

    /// The next line without its "\n"; nil at the end of the stream.
    mutating func readLine() async throws -> String? {
        while true {
            if let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                defer { buffered.removeSubrange(...newline) }
                return String(decoding: buffered[..<newline], as: UTF8.self)
            }
            guard let buffer = try await iterator.next() else { return nil }
            buffered += buffer.readableBytesView
        }
    }

    /// Calls `consume` with every chunk until the end of the stream.
    mutating func forEachChunk(_ consume: ([UInt8]) -> Void) async throws {
        if !buffered.isEmpty { consume(buffered) }
        buffered = []
        while let buffer = try await iterator.next() { consume(Array(buffer.readableBytesView)) }
    }

    mutating func readToEnd() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await forEachChunk { bytes += $0 }
        return bytes
    }
}

// MARK: - Data

/// FNV-1a over a byte stream fed in pieces.
struct Checksum: Equatable {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private(set) var count = 0

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
            count += 1
        }
    }
}

/// Deterministic pseudo-random chunks (SplitMix64), so a transfer's content is not one repeated pattern.
struct ChunkGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        while bytes.count < size {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            withUnsafeBytes(of: z) { bytes += $0.prefix(size - bytes.count) }
        }
        return bytes
    }
}

// MARK: - Statistics

extension LoadBalancer {
    func statistics(of endpoint: ServiceEndpoint) -> ServiceStatistics? {
        statistics().first { $0.endpoint == endpoint && $0.isListening }
    }

    /// Polls until `condition` holds (connections close asynchronously), for at most `limit`.
    func waitForStatistics(
        limit: Duration = .seconds(5), until condition: ([ServiceStatistics]) -> Bool
    ) async throws -> [ServiceStatistics] {
        let deadline = ContinuousClock.now + limit
        while true {
            let statistics = statistics()
            if condition(statistics) || ContinuousClock.now >= deadline { return statistics }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension ServiceStatistics {
    func backend(_ id: String) -> BackendStatistics? { backends.first { $0.backend.id.value == id } }
}

/// Bytes handed to the socket by `FloodHandler` so far.
final class FloodProgress: Sendable {
    let bytes = Atomic<Int>(0)
}

/// Writes `chunk` whenever the channel is writable until `limit` bytes, so it stops exactly where backpressure
/// from the peer stops it.
final class FloodHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let chunk: ByteBuffer
    private let limit: Int
    private let progress: FloodProgress
    private var sent = 0

    init(chunk: ByteBuffer, limit: Int, progress: FloodProgress) {
        self.chunk = chunk
        self.limit = limit
        self.progress = progress
    }

    func channelActive(context: ChannelHandlerContext) {
        pump(context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context)
        context.fireChannelWritabilityChanged()
    }

    private func pump(_ context: ChannelHandlerContext) {
        while context.channel.isWritable && sent < limit {
            context.write(Self.wrapOutboundOut(chunk), promise: nil)
            sent += chunk.readableBytes
        }
        context.flush()
        progress.bytes.store(sent, ordering: .relaxed)
    }
}
