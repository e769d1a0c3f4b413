/// Every way a store operation can fail. The API server maps these to Kubernetes `Status` objects
/// (404 NotFound, 409 AlreadyExists/Conflict, 410 Expired, 422 Invalid, 503/500).
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(ObjectKey)
    case alreadyExists(ObjectKey)
    /// An update or delete named a revision that is no longer the object's current one.
    case conflict(ObjectKey, expected: Int64, current: Int64)
    /// A watch asked for history the store no longer keeps, or a watcher fell too far behind; list again and watch
    /// from the list's revision.
    case compacted(requested: Int64, oldest: Int64)
    /// An empty kind or name, a part too long, or a character that is not allowed; the message says which.
    case invalidKey(String)
    /// The store was closed.
    case closed
    /// SQLite or file-system failure, with its message.
    case storage(String)

    public var description: String {
        switch self {
        case .notFound(let key): "\(key) not found"
        case .alreadyExists(let key): "\(key) already exists"
        case .conflict(let key, let expected, let current):
            "\(key): revision \(expected) is stale, current is \(current)"
        case .compacted(let requested, let oldest):
            "revision \(requested) was compacted; the oldest kept revision is \(oldest)"
        case .invalidKey(let message): "invalid key: \(message)"
        case .closed: "the store is closed"
        case .storage(let message): "storage failure: \(message)"
        }
    }
}
