import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The cluster's credentials for the Kubernetes API: a CA, a serving certificate it signed (for 127.0.0.1,
/// localhost and the configured host) and the admin bearer token. Made at the first start in `<data dir>/kube/`
/// (files 0600) and reused after, so kubeconfigs written earlier keep working.
public struct KubePKI: Sendable {
    /// The CA certificate (PEM), for `certificate-authority-data`.
    public let caPEM: String
    public let servingCertificatePEM: String
    public let servingKeyPEM: String
    /// 32 random bytes in hex: `Authorization: Bearer <token>`.
    public let token: String

    /// Where the files live: `<data dir>/kube`.
    public static func directory(_ dataDirectory: String) -> String { dataDirectory + "/kube" }

    /// Loads the credentials from `<data dir>/kube`, making any that are missing (a new CA re-issues the serving
    /// certificate). `host` goes into the serving certificate's names.
    public static func loadOrCreate(dataDirectory: String, host: String) throws(ClusterError) -> KubePKI {
        let dir = directory(dataDirectory)
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let caKeyPath = dir + "/ca.key"
            let caPath = dir + "/ca.crt"
            let keyPath = dir + "/server.key"
            let certPath = dir + "/server.crt"
            let tokenPath = dir + "/admin.token"
            var caKey: P256.Signing.PrivateKey
            var caCert: Certificate
            var issueServing = false
            if let keyText = read(caKeyPath), let certText = read(caPath) {
                caKey = try P256.Signing.PrivateKey(pemRepresentation: keyText)
                caCert = try Certificate(pemEncoded: certText)
            } else {
                caKey = P256.Signing.PrivateKey()
                caCert = try makeCA(key: caKey)
                try write(caKey.pemRepresentation, to: caKeyPath)
                try write(try caCert.serializeAsPEM().pemString, to: caPath)
                issueServing = true
            }
            let names = servingNames(host: host)
            if !issueServing, let certText = read(certPath), read(keyPath) != nil,
                let existing = try? Certificate(pemEncoded: certText),
                let san = try? existing.extensions.subjectAlternativeNames
            {
                // A host the certificate does not name yet (a changed --host): issue a new one.
                issueServing = !names.allSatisfy { san.contains($0) }
            } else {
                issueServing = true
            }
            if issueServing {
                let key = P256.Signing.PrivateKey()
                let cert = try makeServing(key: key, names: names, caKey: caKey, ca: caCert)
                try write(key.pemRepresentation, to: keyPath)
                try write(try cert.serializeAsPEM().pemString, to: certPath)
            }
            let token: String
            if let existing = read(tokenPath)?.trimmingCharacters(in: .whitespacesAndNewlines), existing.count >= 32 {
                token = existing
            } else {
                var generator = SystemRandomNumberGenerator()
                token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
                    .joined()
                try write(token + "\n", to: tokenPath)
            }
            return KubePKI(
                caPEM: try caCert.serializeAsPEM().pemString, servingCertificatePEM: read(certPath) ?? "",
                servingKeyPEM: read(keyPath) ?? "", token: token)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .dataDirectory(dir, "cannot make the Kubernetes API credentials: \(error)")
        }
    }

    /// The server's TLS configuration: the serving certificate, HTTP/1.1 by ALPN.
    func tlsConfiguration() throws -> TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(servingCertificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(servingKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }

    // MARK: - Certificates

    static func makeCA(key: P256.Signing.PrivateKey) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("clusterbox")
            CommonName("clusterbox-ca")
        }
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    static func makeServing(
        key: P256.Signing.PrivateKey, names: [GeneralName], caKey: P256.Signing.PrivateKey, ca: Certificate
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("clusterbox")
            CommonName("kube-apiserver")
        }
        let now = Date()
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(5 * 365 * 86400),
            issuer: ca.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(caKey))
    }

    /// 127.0.0.1, localhost and `host` (an IPv4 address or a DNS name).
    static func servingNames(host: String) -> [GeneralName] {
        var names: [GeneralName] = [.dnsName("localhost"), ipName("127.0.0.1")].compactMap { $0 }
        if host != "127.0.0.1" && host != "localhost" && !host.isEmpty {
            names.append(ipName(host) ?? .dnsName(host))
        }
        return names
    }

    static func ipName(_ text: String) -> GeneralName? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else { return nil }
        return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(parts.compactMap { $0 })))
    }

    // MARK: - Files

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes `text` with mode 0600 (keys and the token are secrets).
    static func write(_ text: String, to path: String) throws {
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw ClusterError.dataDirectory(path, "cannot write") }
        chmod(path, 0o600)
    }
}
