import Foundation

/// Asks the cluster DNS for A or SRV records: with `dig` when it is installed (what a user would type), else with
/// a query of its own over UDP. Answers come in `dig +short` form (`127.0.0.1`, `0 1 31001 target.`), and `tool`
/// says which was used. `CLUSTERBOX_TOUR_NO_DIG=1` forces the built-in query (the tests use it).
struct DNSLookup {
    let server: String
    let port: Int

    enum RecordType: UInt16 {
        case a = 1
        case srv = 33
        var name: String { self == .a ? "A" : "SRV" }
    }

    /// `dig`'s path, unless it is missing or disabled.
    static var dig: String? {
        guard ProcessInfo.processInfo.environment["CLUSTERBOX_TOUR_NO_DIG"] == nil else { return nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dig" }.first { access($0, X_OK) == 0 }
    }

    /// How a lookup is made, for the lesson to say.
    var tool: String {
        Self.dig != nil
            ? "dig (\(Self.dig ?? ""))" : "a DNS query of clusterbox's own over UDP (dig is not installed)"
    }

    /// The command run (or, for the built-in query, the one a user would type with dig).
    func command(_ name: String, _ type: RecordType) -> String {
        let dig = "dig @\(server) -p \(port) +short \(name) \(type.name)"
        return Self.dig != nil ? "$ " + dig : "query \(name) \(type.name)   (with dig: \(dig))"
    }

    func lookup(_ name: String, _ type: RecordType) throws -> [String] {
        if let dig = Self.dig { return try run(dig, name, type) }
        return try query(name, type)
    }

    private func run(_ dig: String, _ name: String, _ type: RecordType) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dig)
        process.arguments = ["@\(server)", "-p", "\(port)", "+short", "+time=2", "+tries=3", name, type.name]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix(";") }
    }

    // MARK: - The built-in query

    /// One UDP query, 2 s per try, 3 tries.
    func query(_ name: String, _ type: RecordType) throws -> [String] {
        let id = UInt16.random(in: 0...UInt16.max)
        var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            packet.append(UInt8(label.utf8.count))
            packet.append(contentsOf: label.utf8)
        }
        packet += [0, UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xff), 0, 1]
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw CLIError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, server, &address.sin_addr) == 1 else { throw CLIError("bad DNS address \(server)") }
        var reply = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<3 {
            let sent = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard sent == packet.count else { continue }
            let count = recv(fd, &reply, reply.count, 0)
            if count >= 12, reply[0] == packet[0], reply[1] == packet[1] {
                return try Self.answers(Array(reply[0..<count]), type)
            }
        }
        throw CLIError("no answer from \(server) port \(port)")
    }

    /// The answer section's records of `type`, in `dig +short` form.
    static func answers(_ message: [UInt8], _ type: RecordType) throws -> [String] {
        func u16(_ at: Int) throws -> Int {
            guard at + 1 < message.count else { throw CLIError("short DNS reply") }
            return Int(message[at]) << 8 | Int(message[at + 1])
        }
        /// A possibly compressed name at `offset`; returns it and the offset after it (in the original place).
        func name(_ offset: Int) throws -> (String, Int) {
            var labels: [String] = []
            var at = offset
            var end: Int?
            for _ in 0..<64 {
                guard at < message.count else { throw CLIError("short DNS reply") }
                let length = Int(message[at])
                if length == 0 { return (labels.joined(separator: ".") + ".", end ?? at + 1) }
                if length & 0xc0 == 0xc0 {
                    if end == nil { end = at + 2 }
                    at = try u16(at) & 0x3fff
                    continue
                }
                guard at + length < message.count else { throw CLIError("short DNS reply") }
                labels.append(String(decoding: message[(at + 1)...(at + length)], as: UTF8.self))
                at += length + 1
            }
            throw CLIError("DNS name too long")
        }
        let questions = try u16(4)
        let answers = try u16(6)
        var at = 12
        for _ in 0..<questions { at = try name(at).1 + 4 }
        var out: [String] = []
        for _ in 0..<answers {
            at = try name(at).1
            let recordType = try u16(at)
            let length = try u16(at + 8)
            let data = at + 10
            guard data + length <= message.count else { throw CLIError("short DNS reply") }
            if recordType == RecordType.a.rawValue, length == 4, type == .a {
                out.append(message[data..<data + 4].map(String.init).joined(separator: "."))
            } else if recordType == RecordType.srv.rawValue, type == .srv {
                let target = try name(data + 6).0
                out.append("\(try u16(data)) \(try u16(data + 2)) \(try u16(data + 4)) \(target)")
            }
            at = data + length
        }
        return out
    }
}
