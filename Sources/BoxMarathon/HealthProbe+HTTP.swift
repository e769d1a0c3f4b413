import NIOCore

// MARK: - Status line scanning

/// Finds the final status code at the start of an HTTP/1.x response, fed in arbitrary chunks. Pure: no IO.
/// Interim (1xx) responses are skipped, headers and all, when `ignoreInformational`; otherwise a 1xx is the answer.
struct HTTPStatusScanner {
    enum Outcome: Hashable, Sendable {
        case needMore
        case status(Int)
        case malformed(String)
    }

    static let maximumHeadBytes = 64 * 1024

    let ignoreInformational: Bool
    private var bytes: [UInt8] = []

    init(ignoreInformational: Bool) { self.ignoreInformational = ignoreInformational }

    mutating func feed(_ chunk: some Sequence<UInt8>) -> Outcome {
        bytes.append(contentsOf: chunk)
        while true {
            guard let lineEnd = Self.find([13, 10], in: bytes) else { return tooLong() ?? .needMore }
            guard let code = Self.statusCode(bytes[..<lineEnd]) else {
                return .malformed("malformed HTTP status line")
            }
            guard ignoreInformational, (100..<200).contains(code) else { return .status(code) }
            // Skip the interim response's header block and look for the next status line.
            guard let headEnd = Self.find([13, 10, 13, 10], in: bytes) else { return tooLong() ?? .needMore }
            bytes.removeFirst(headEnd + 4)
        }
    }

    private func tooLong() -> Outcome? {
        bytes.count > Self.maximumHeadBytes ? .malformed("HTTP response head exceeds 64 KiB") : nil
    }

    /// `HTTP/1.1 503 Service Unavailable` → 503.
    static func statusCode(_ line: ArraySlice<UInt8>) -> Int? {
        let words = line.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count >= 2, words[0].starts(with: Array("HTTP/".utf8)), words[1].count == 3 else { return nil }
        var code = 0
        for digit in words[1] {
            guard (48...57).contains(digit) else { return nil }
            code = code * 10 + Int(digit - 48)
        }
        return (100...599).contains(code) ? code : nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

// MARK: - Channel handler

/// Sends one GET on an active channel and completes `promise` exactly once: with the verdict on the first final
/// status line, or dead when the connection ends, errs, or the deadline passes first. It then closes the channel.
/// Runs on the channel's event loop only.
final class HTTPStatusHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private var scanner: HTTPStatusScanner
    private let deadline: NIODeadline
    private let timeoutCause: String
    private let promise: EventLoopPromise<ProbeResult>
    private var timer: Scheduled<Void>?
    private var finished = false
    private var sent = false

    init(
        request: String, ignoreInformational: Bool, deadline: NIODeadline, timeoutCause: String,
        promise: EventLoopPromise<ProbeResult>
    ) {
        self.request = request
        self.scanner = HTTPStatusScanner(ignoreInformational: ignoreInformational)
        self.deadline = deadline
        self.timeoutCause = timeoutCause
        self.promise = promise
    }

    /// Added when the channel is set up, before it connects: the request goes out from the event loop the moment
    /// the connection is up, however busy the task that asked for the probe is.
    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.finish(.dead(self.timeoutCause), context: context)
        }
        if context.channel.isActive { send(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context)
        context.fireChannelActive()
    }

    private func send(_ context: ChannelHandlerContext) {
        guard !sent, !finished else { return }
        sent = true
        let buffer = context.channel.allocator.buffer(string: request)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.dead("connection closed before a response"), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        let buffer = unwrapInboundIn(data)
        switch scanner.feed(buffer.readableBytesView) {
        case .needMore:
            break
        case .status(let code):
            finish((200..<400).contains(code) ? .alive : .dead("HTTP \(code)"), context: context)
        case .malformed(let why):
            finish(.dead(why), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.dead("connection closed before a response"), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.dead("HTTP exchange failed: \(error)"), context: context)
    }

    private func finish(_ result: ProbeResult, context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        timer = nil
        promise.succeed(result)
        context.close(promise: nil)
    }
}
