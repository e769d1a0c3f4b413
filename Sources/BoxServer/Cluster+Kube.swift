public import BoxCore
public import BoxKube
import BoxStore
import Hummingbird
import HummingbirdTLS
public import Logging
import NIOSSL
import ServiceLifecycle

/// The Kubernetes API of the cluster: `KubeAPI` over the cluster's store, served over HTTPS with a bearer token
/// on `config.host:config.kubePort` (reference §1).
extension Cluster {
    /// The admission the API applies: swap `AdmitAll()` for `DefaultAdmission()` once it lands (one line).
    static func kubeAdmission() -> any Admission { AdmitAll() }

    /// The API, its HTTP handler and its credentials (made at the first start, reused after).
    static func kubernetes(_ config: ClusterConfig, store: SQLiteStore, clock: any ClusterClock, logger: Logger)
        throws(ClusterError) -> (KubeAPI, KubeHandler, KubePKI)
    {
        let pki = try KubePKI.loadOrCreate(dataDirectory: config.dataDirectory, host: config.host)
        let api = KubeAPI(
            store: store, clock: clock, admission: kubeAdmission(), logger: Self.logger(logger, "kube"))
        let handler = KubeHandler(api: api, token: pki.token, serverAddress: "\(config.host):\(config.kubePort)")
        return (api, handler, pki)
    }

    /// The namespaces every cluster starts with.
    func bootstrapKube() async throws {
        do {
            try await kube.bootstrap()
        } catch {
            throw ClusterError.store("cannot create the Kubernetes namespaces: \(error)")
        }
    }

    /// The HTTPS server of the Kubernetes API, a service of the cluster's group (stopped before the master).
    func kubeServer() throws -> any Service {
        let tls: TLSConfiguration
        do {
            tls = try kubePKI.tlsConfiguration()
        } catch {
            throw ClusterError.dataDirectory(
                KubePKI.directory(config.dataDirectory), "cannot load the Kubernetes API's TLS certificate: \(error)")
        }
        let url = config.kubeURL
        return Application(
            responder: KubeRouter.build(handler: kubeHandler), server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname(config.host, port: config.kubePort), serverName: "clusterbox"),
            onServerRunning: { [progress] _ in
                progress("kubernetes listening on \(url) (kubectl: clusterbox kubectl -- get ns)")
            },
            logger: Self.logger(logger, "http"))
    }
}
