import Logging
import NIOCore
import NIOPosix

/// NIO closes a datagram channel when a send fails with anything but EMSGSIZE or EHOSTUNREACH, and a reply can
/// fail for reasons outside our control: a firewall's EPERM, no route back to a spoofed source. One such packet must
/// not end UDP service, so a UDP socket that closes before `shutdown()` is bound again on the same address and port.
extension DNSServer {
    /// Bind attempts after an unexpected close, `rebindDelay` times the attempt number apart.
    static let maxRebindAttempts = 10
    static let rebindDelay = TimeAmount.milliseconds(50)

    func rebindWhenClosed(_ channel: any Channel) {
        channel.closeFuture.whenComplete { [self] _ in
            guard !udp.withLock({ $0.stopping }) else { return }
            logger.warning("DNS UDP socket closed unexpectedly; binding it again", metadata: ["dns.port": "\(port)"])
            rebindUDP(attempt: 1)
        }
    }

    private func rebindUDP(attempt: Int) {
        Self.udpBootstrap(responder: responder, group: group).bind(host: configuration.host, port: port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    let stopping = udp.withLock { socket in
                        if !socket.stopping { socket.channel = channel }
                        return socket.stopping
                    }
                    guard !stopping else {
                        channel.close(promise: nil)
                        return
                    }
                    counters.update { $0.udpRebinds += 1 }
                    rebindWhenClosed(channel)
                case .failure(let error) where attempt < Self.maxRebindAttempts:
                    logger.debug("DNS UDP bind failed", metadata: ["dns.port": "\(port)", "error": "\(error)"])
                    group.next().scheduleTask(in: Self.rebindDelay * Int64(attempt)) { [self] in
                        guard !udp.withLock({ $0.stopping }) else { return }
                        rebindUDP(attempt: attempt + 1)
                    }
                case .failure(let error):
                    logger.error(
                        "DNS UDP socket could not be bound again; UDP queries go unanswered",
                        metadata: ["dns.port": "\(port)", "error": "\(error)"])
                }
            }
    }

    /// Closes the UDP socket as a send error would, for tests of the recovery.
    func closeUDPSocketForTesting() async {
        try? await udp.withLock { $0.channel }.close()
    }
}
