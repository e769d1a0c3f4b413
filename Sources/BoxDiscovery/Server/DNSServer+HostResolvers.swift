import Foundation

extension DNSServer {
    /// The nameservers of the host's resolver configuration, in order, for `DNSServerConfiguration.forwarders`:
    /// our own address (`excluding`, the host we bind) is left out so that we never forward to ourselves, and so are
    /// link-local IPv6 addresses with a zone ("fe80::1%eth0"), which `forwarders` cannot name. An unreadable file
    /// gives no resolvers. Reads the file: call it at start-up, not on an event loop.
    public static func hostResolvers(resolvConf: String = "/etc/resolv.conf", excluding: String) -> [String] {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8) else { return [] }
        return nameservers(inResolvConf: text, excluding: excluding)
    }

    /// The `nameserver` lines of resolv.conf text, without comments, `excluding` and zoned addresses.
    static func nameservers(inResolvConf text: String, excluding: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.prefix { $0 != "#" && $0 != ";" }.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 2, fields[0] == "nameserver" else { return nil }
            let address = String(fields[1])
            guard address != excluding, !address.contains("%") else { return nil }
            return address
        }
    }
}
