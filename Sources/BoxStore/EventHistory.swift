/// The in-memory store's change log: one event per revision, contiguous from `compactedRevision + 1`.
///
/// Because revisions are contiguous, the event for revision `r` sits at a fixed offset, so replay finds its start in
/// constant time. Compaction advances `head` and reclaims the array's front only once half of it is dead, which keeps
/// appends and compactions amortized O(1).
struct EventHistory: Sendable {
    private var events: [WatchEvent] = []
    private var head = 0
    /// Every change at or below this revision is forgotten.
    private(set) var compactedRevision: Int64 = 0

    /// The number of changes kept.
    var count: Int { events.count - head }

    /// Appends the change of the next revision.
    mutating func append(_ event: WatchEvent) {
        precondition(
            event.revision == compactedRevision + Int64(count) + 1,
            "history revisions must be contiguous: got \(event.revision) after \(compactedRevision + Int64(count))")
        events.append(event)
    }

    /// The kept changes with revision > `revision`, oldest first; `.compacted` if some of them are forgotten.
    func events(after revision: Int64) throws(StoreError) -> ArraySlice<WatchEvent> {
        if revision < compactedRevision {
            throw .compacted(requested: revision, oldest: compactedRevision + 1)
        }
        let skip = Int(min(revision - compactedRevision, Int64(count)))
        return events[(head + skip)...]
    }

    /// Forgets the changes at or below `revision`.
    mutating func compact(upTo revision: Int64) {
        guard revision > compactedRevision else { return }
        let drop = Int(min(revision - compactedRevision, Int64(count)))
        head += drop
        compactedRevision = revision
        if head > events.count / 2 {
            events.removeFirst(head)
            head = 0
        }
    }
}
