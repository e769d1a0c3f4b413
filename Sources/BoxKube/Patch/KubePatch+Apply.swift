public import BoxCore

/// Server-side apply with field ownership, as upstream's structured-merge-diff does it (kept small):
///
/// - The manifest's field set (`FieldSet.applied`: leaves, keyed-list items by merge key, finalizers by value,
///   atomic lists as one leaf) becomes the manager's `Apply` entry in `metadata.managedFields` (FieldsV1).
/// - The manifest merges onto the live object like a strategic merge patch that deletes nothing; then every field
///   the manager applied last time and no longer applies is removed, unless another manager (Apply or Update)
///   owns it. A dropped keyed-list item goes as a whole.
/// - A field the manifest sets to a value other than the live one, owned by another manager, is a conflict: 409
///   with one `FieldManagerConflict` cause per field, nothing written. `force` takes such fields over (they leave
///   the other managers' sets). The same value is shared ownership.
/// - Re-applying the same manifest changes nothing, not even the entry's time (no new resourceVersion).
///
/// Not modelled: atomic maps (`structType: atomic`, e.g. a label selector is granular here), `i:` positions,
/// and per-version conversion of field sets (one API version per kind).
extension KubePatch {
    /// `manager` names the field manager (required; the API layer rejects an empty one); `time` is the entry's
    /// RFC 3339 time; `force` takes conflicting fields over.
    public static func serverSideApply(
        _ patch: JSONValue, onto object: JSONValue, type: ResourceType, manager: String = "", time: String = "",
        force: Bool = false
    ) throws(KubeError) -> JSONValue {
        guard case .object(var members) = patch else {
            throw .badRequest("error decoding patch: an apply body must be an object")
        }
        if let kind = members["kind"]?.stringValue, kind != type.kind {
            throw .badRequest("error decoding patch: the body is a \(kind), not a \(type.kind)")
        }
        if let apiVersion = members["apiVersion"]?.stringValue, apiVersion != type.apiVersion {
            throw .badRequest("error decoding patch: apiVersion \"\(apiVersion)\" is not \"\(type.apiVersion)\"")
        }
        // The server owns managedFields; an applied manifest cannot set them.
        if case .object(var metadata) = members["metadata"] {
            metadata["managedFields"] = nil
            members["metadata"] = .object(metadata)
        }
        let manifest = JSONValue.object(members)
        var merger = StrategicMerger(kind: type.kind, deletions: false)
        let merged = JSONValue.object(try merger.mergeMap(object.objectValue ?? [:], members, path: []))
        guard !manager.isEmpty else { return merged }

        var entries = try ManagedFields.entries(of: object)
        // Fields gone from the live object (a write without a manager removed them) are nobody's any more.
        let live = FieldSet.complete(object, type: type)
        for index in entries.indices { entries[index].fields = entries[index].fields.intersection(live) }
        let applied = FieldSet.applied(manifest, type: type)
        let mine = entries.firstIndex { $0.isEntry(of: manager, operation: "Apply") }
        let previous = mine.map { entries[$0].fields } ?? .empty

        let conflicts = Self.conflicts(applied, live: object, merged: merged, entries: entries, mine: mine, type: type)
        if !conflicts.isEmpty {
            guard force else { throw ManagedFields.conflictError(conflicts.map { (entries[$0.index], $0.path) }) }
            for conflict in conflicts {
                entries[conflict.index].fields = entries[conflict.index].fields.removing(conflict.path)
            }
        }

        var others = FieldSet.empty
        for index in entries.indices where index != mine { others = others.union(entries[index].fields) }
        let kept = others.union(applied)
        let removed = previous.subtracting(kept)
        var result = FieldSet.removing(removed, keeping: kept, from: merged, kind: type.kind)

        if let mine {
            if entries[mine].fields != applied {
                entries[mine].fields = applied
                entries[mine].time = time
            }
            entries[mine].apiVersion = type.apiVersion
        } else {
            entries.append(
                ManagedFieldsEntry(
                    manager: manager, operation: "Apply", apiVersion: type.apiVersion, time: time, fields: applied))
        }
        result = ManagedFields.setting(entries, on: result, type: type)
        // Nothing changed at all: hand back the live object itself (no write, no new resourceVersion).
        return result == object ? object : result
    }

    /// The applied leaves whose value the apply changes and that another entry owns (the leaf or anything under
    /// it), as (entry index, path), ordered by path then manager.
    static func conflicts(
        _ applied: FieldSet, live: JSONValue, merged: JSONValue, entries: [ManagedFieldsEntry], mine: Int?,
        type: ResourceType
    ) -> [(index: Int, path: [String])] {
        var found: [(index: Int, path: [String])] = []
        for path in applied.members where applied.subtree(at: path)?.children.isEmpty ?? true {
            let before = FieldSet.value(at: path, in: live, kind: type.kind)
            let after = FieldSet.value(at: path, in: merged, kind: type.kind)
            if before == after { continue }
            for index in entries.indices where index != mine {
                if let owned = entries[index].fields.subtree(at: path), !owned.isEmpty {
                    found.append((index, path))
                }
            }
        }
        return found.sorted {
            $0.path.lexicographicallyPrecedes($1.path)
                || ($0.path == $1.path && entries[$0.index].manager < entries[$1.index].manager)
        }
    }
}
