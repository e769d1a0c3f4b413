import NIOCore
import Synchronization

/// The open TCP connections of a server: capped at a number, and closed all at once on shutdown.
final class DNSTCPConnections: Sendable {
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Registers `channel` until it closes; false when `limit` connections are open already.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = open.withLock { open in
            guard open.count < limit else { return false }
            open[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in _ = open.withLock { $0.removeValue(forKey: key) } }
        }
        return admitted
    }

    /// Closes every open connection and waits for them to close.
    func closeAll() async {
        let channels = open.withLock { Array($0.values) }
        for channel in channels { try? await channel.close() }
    }
}
