import Foundation
import Testing
import X509

@testable import BoxServer

/// The Kubernetes API's credentials: made once in the data directory, reused after, secret files 0600.
@Suite struct KubePKITests {
    @Test func credentialsAreMadeOnceAndReused() throws {
        let directory = NSTemporaryDirectory() + "kube-pki-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try KubePKI.loadOrCreate(dataDirectory: directory, host: "127.0.0.1")
        #expect(first.token.count == 64)
        #expect(first.token.allSatisfy { $0.isHexDigit })
        let ca = try Certificate(pemEncoded: first.caPEM)
        let serving = try Certificate(pemEncoded: first.servingCertificatePEM)
        #expect(serving.issuer == ca.subject)
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        let names = try #require(try serving.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(KubePKI.ipName("127.0.0.1")!))
        // The serving certificate's signature checks out against the CA key.
        #expect(ca.publicKey.isValidSignature(serving.signature, for: serving))
        for file in ["ca.key", "server.key", "admin.token"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: KubePKI.directory(directory) + "/" + file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        _ = try first.tlsConfiguration()

        let second = try KubePKI.loadOrCreate(dataDirectory: directory, host: "127.0.0.1")
        #expect(second.token == first.token)
        #expect(second.caPEM == first.caPEM)
        #expect(second.servingCertificatePEM == first.servingCertificatePEM)

        // Another host: same CA and token, a new serving certificate naming it.
        let third = try KubePKI.loadOrCreate(dataDirectory: directory, host: "myhost.example")
        #expect(third.caPEM == first.caPEM)
        #expect(third.token == first.token)
        let renamed = try Certificate(pemEncoded: third.servingCertificatePEM)
        #expect(try renamed.extensions.subjectAlternativeNames?.contains(.dnsName("myhost.example")) == true)
    }
}
