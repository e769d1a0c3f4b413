import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's basic context plus the connection's channel, so that a
/// long-lived stream (a scheduler's SUBSCRIBE, server-sent events) ends as soon as its client hangs up rather
/// than at its next write.
struct ClusterRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Calls back once when the client hangs up: on input closed (a half-closed connection) or on channel inactive.
/// Added at the front of a connection's pipeline by long-lived streams; it passes every event on unchanged.
final class HangUpHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let onHangUp: @Sendable () -> Void

    init(onHangUp: @escaping @Sendable () -> Void) { self.onHangUp = onHangUp }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { onHangUp() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onHangUp()
        context.fireChannelInactive()
    }
}

extension Channel {
    /// Runs `action` when the client hangs up (possibly more than once: make it idempotent).
    func onHangUp(_ action: @escaping @Sendable () -> Void) {
        _ = pipeline.addHandler(HangUpHandler(onHangUp: action), position: .first)
    }
}
