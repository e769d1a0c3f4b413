/// The dashboard's page, stylesheet and script, compiled into the binary as string literals: no build step, no
/// resource bundle beside the executable, nothing fetched from the network. `DashboardAssets+HTML.swift`,
/// `+CSS.swift` and `+JS.swift` hold the text.
enum DashboardAssets {
    /// A static file: its bytes, content type and ETag.
    struct Asset: Sendable {
        var body: String
        var contentType: String
        /// A quoted hash of the body, so a browser revalidates cheaply and a new binary's file is fetched again.
        var etag: String

        init(body: String, contentType: String) {
            self.body = body
            self.contentType = contentType
            etag = "\"\(String(Self.fnv1a(body), radix: 16))\""
        }

        /// FNV-1a over the UTF-8 bytes: deterministic across processes, unlike `hashValue`.
        static func fnv1a(_ text: String) -> UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            return hash
        }
    }

    static let html = Asset(body: indexHTML, contentType: "text/html; charset=utf-8")
    static let css = Asset(body: stylesheet, contentType: "text/css; charset=utf-8")
    static let js = Asset(body: script, contentType: "text/javascript; charset=utf-8")
}
