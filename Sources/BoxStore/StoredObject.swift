public import BoxCore

/// One object as the store holds it: opaque bytes plus the labels that selectors filter on, and the two revisions
/// etcd keeps per key.
public struct StoredObject: Hashable, Sendable {
    public var key: ObjectKey
    /// The object's encoding (JSON); the store never looks inside.
    public var value: [UInt8]
    /// Labels matched by `list` selectors. Kept beside the value so the store needs no decoding.
    public var labels: Labels
    /// The mod revision: the store revision of the last write to this key, which is Kubernetes' `resourceVersion`.
    /// For an object returned by `delete` (or carried by a `DELETED` event) it is the delete's revision.
    public var revision: Int64
    /// The store revision of the write that created this incarnation of the key.
    public var createRevision: Int64

    public init(key: ObjectKey, value: [UInt8], labels: Labels, revision: Int64, createRevision: Int64) {
        self.key = key
        self.value = value
        self.labels = labels
        self.revision = revision
        self.createRevision = createRevision
    }
}
