import BoxImages
import Testing

struct DigestTests {
    @Test func parsesOnlySHA256() {
        let hex = String(repeating: "ab", count: 32)
        #expect(Digest("sha256:" + hex)?.hex == hex)
        #expect(Digest("sha256:" + hex)?.description == "sha256:" + hex)
        #expect(Digest("sha512:" + hex) == nil)
        #expect(Digest("sha256:" + hex.uppercased()) == nil)
        #expect(Digest("sha256:abc") == nil)
    }
}
