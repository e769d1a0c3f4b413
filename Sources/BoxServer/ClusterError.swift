/// Why a cluster could not start, in words a user can act on.
public enum ClusterError: Error, CustomStringConvertible {
    case dataDirectory(String, String)
    case portInUse(String, Int)
    case store(String)
    case discovery(String)
    case executor(String)

    public var description: String {
        switch self {
        case .dataDirectory(let path, let reason): "cannot use data directory \(path): \(reason)"
        case .portInUse(let host, let port):
            "port \(port) on \(host) is already in use; choose another with --master-port"
        case .store(let reason): "cannot open the state database: \(reason)"
        case .discovery(let reason): "cannot start service discovery: \(reason)"
        case .executor(let reason): "--executor container: \(reason)"
        }
    }
}
