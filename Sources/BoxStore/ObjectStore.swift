public import BoxCore

/// A revisioned object store with etcd/kine semantics.
///
/// Every write (create, update, delete) gets the next store-wide revision, which becomes the object's
/// `resourceVersion`. Updates and deletes may compare-and-swap on that revision. The change log can be replayed by
/// watchers from any revision that has not been compacted; older revisions fail with `.compacted`, and the client
/// lists again. Every method throws only ``StoreError``.
public protocol ObjectStore: Sendable {
    /// The newest revision (0 for an empty store).
    func currentRevision() async throws(StoreError) -> Int64

    /// The current object at `key`, or `.notFound`.
    func get(_ key: ObjectKey) async throws(StoreError) -> StoredObject

    /// Objects of `kind` (in `namespace` when non-nil, all namespaces when nil) whose name starts with `namePrefix`
    /// and whose labels match `selector`, sorted by key; plus the store revision the list was read at.
    func list(
        kind: String, namespace: String?, namePrefix: String, selector: LabelSelector
    ) async throws(StoreError) -> (objects: [StoredObject], revision: Int64)

    /// Stores a new object at the next revision; `.alreadyExists` if the key is taken.
    func create(_ key: ObjectKey, value: [UInt8], labels: Labels) async throws(StoreError) -> StoredObject

    /// Replaces the object's value and labels at the next revision. Compare-and-swap when `expectedRevision` is
    /// non-nil: it must equal the object's current revision, else `.conflict` and nothing changes.
    func update(
        _ key: ObjectKey, value: [UInt8], labels: Labels, expectedRevision: Int64?
    ) async throws(StoreError) -> StoredObject

    /// Removes the object at the next revision, with the same compare-and-swap rule as `update`.
    /// Returns the deleted object (its revision is the delete's revision).
    func delete(_ key: ObjectKey, expectedRevision: Int64?) async throws(StoreError) -> StoredObject

    /// The current objects at `keys`, in order: each found object, or the error `get` would throw for it
    /// (`.notFound`, `.invalidKey`), all read at one revision. Throws only when the whole read fails (`.closed`,
    /// `.storage`). Has a default implementation (one `get` per key).
    func get(_ keys: [ObjectKey]) async throws(StoreError) -> [Result<StoredObject, StoreError>]

    /// Carries out `writes` in order, each at its own next revision, and returns each write's outcome: the object as
    /// `create`, `update` or `delete` returns it, or the error that call would throw. A write whose check fails
    /// (`.conflict`, `.notFound`, `.alreadyExists`, `.invalidKey`) changes nothing, and the others still happen.
    /// Watchers see the successful writes in order. The stores do it in one transaction, so a batch costs about
    /// one commit, and a failure of the whole batch (`.closed`, `.storage`, thrown) writes nothing. Has a default
    /// implementation (one call per write, in order).
    func write(_ writes: [StoreWrite]) async throws(StoreError) -> [Result<StoredObject, StoreError>]

    /// Every change with revision > `afterRevision` to objects of `kind` (nil = all kinds) in `namespace`
    /// (nil = all), in revision order, then live changes, until the consumer stops iterating or the stream is
    /// cancelled. Throws `.compacted` right away when `afterRevision` is older than what the store still keeps
    /// (`afterRevision < oldestKept - 1`).
    ///
    /// A watcher that falls more than the store's watch buffer behind is ended with `.compacted` (as etcd cancels
    /// slow watchers); it should list again and watch from the list's revision. Closing the store ends every
    /// stream with `.closed`.
    func watch(
        kind: String?, namespace: String?, afterRevision: Int64
    ) async throws(StoreError) -> AsyncThrowingStream<WatchEvent, any Error>

    /// Forgets the change history at or below `revision` (current objects stay). A revision above the current one
    /// compacts everything up to the current revision.
    func compact(upTo revision: Int64) async throws(StoreError)
}

/// The default size of a store's change history and of each watcher's buffer.
public let defaultStoreHistoryLimit = 10_000

extension ObjectStore {
    /// Writes `value` whether or not the object exists yet (no compare-and-swap; the last write wins): for
    /// records whose whole value is rewritten, such as a framework's jobs or a role's policy.
    @discardableResult
    public func put(_ key: ObjectKey, value: [UInt8], labels: Labels = [:]) async throws(StoreError) -> StoredObject {
        do {
            return try await update(key, value: value, labels: labels, expectedRevision: nil)
        } catch .notFound {
            do {
                return try await create(key, value: value, labels: labels)
            } catch .alreadyExists {
                // Another writer created it between our two calls.
                return try await update(key, value: value, labels: labels, expectedRevision: nil)
            }
        }
    }
}
