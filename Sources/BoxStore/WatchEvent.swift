/// What a change did to its key, spelled as Kubernetes watch events spell it.
public enum WatchEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
}

/// One committed change, as replayed from the log and streamed to watchers.
public struct WatchEvent: Hashable, Sendable {
    public var type: WatchEventType
    /// The object after the change; for `DELETED`, its last value with `revision` set to the delete's revision.
    public var object: StoredObject
    /// The store revision of this change (equal to `object.revision`).
    public var revision: Int64

    public init(type: WatchEventType, object: StoredObject, revision: Int64) {
        self.type = type
        self.object = object
        self.revision = revision
    }

    public init(type: WatchEventType, object: StoredObject) {
        self.init(type: type, object: object, revision: object.revision)
    }
}
