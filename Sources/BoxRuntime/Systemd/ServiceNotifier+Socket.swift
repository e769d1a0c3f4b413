#if canImport(Glibc)
    import Glibc
#endif

extension ServiceNotifier {
    /// Sends `payload` as one datagram to `address` from a socket of its own.
    static func send(_ payload: [UInt8], to address: NotifySettings.Address) throws(NotifyError) {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NotifyError(call: "socket", address: "\(address)", code: errno) }
        defer { close(fd) }
        let (unixAddress, length) = socketAddress(address)
        var storage = unixAddress
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                payload.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        guard sent >= 0 else { throw NotifyError(call: "sendto", address: "\(address)", code: errno) }
    }

    /// A `sockaddr_un` for a path (NUL-terminated) or an abstract name (a leading NUL, and a length that stops
    /// at the name's last byte: the kernel counts every byte of an abstract name, trailing NULs included).
    static func socketAddress(_ address: NotifySettings.Address) -> (sockaddr_un, socklen_t) {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes: [UInt8]
        switch address {
        case .path(let path): bytes = Array(path.utf8) + [0]
        case .abstract(let name): bytes = [0] + Array(name.utf8)
        }
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        let count = min(bytes.count, capacity)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            for index in 0..<count { path[index] = bytes[index] }
        }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        return (storage, socklen_t(offset + count))
    }
}
