public import BoxCore

/// Server-side apply, the minimal form the reference allows: the applied manifest merges like a strategic merge
/// patch that deletes nothing, and the field manager gets an `Apply` entry in `metadata.managedFields`. Field
/// ownership is not tracked, so a field dropped from a re-applied manifest stays.
extension KubePatch {
    /// `manager` names the field manager (no entry when empty); `time` is the entry's RFC 3339 time.
    public static func serverSideApply(
        _ patch: JSONValue, onto object: JSONValue, type: ResourceType, manager: String = "", time: String = ""
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
        var merger = StrategicMerger(kind: type.kind, deletions: false)
        var result = JSONValue.object(try merger.mergeMap(object.objectValue ?? [:], members, path: []))
        guard !manager.isEmpty else { return result }
        let entries = object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let isMine: (JSONValue) -> Bool = {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply"
        }
        var unchanged = result
        unchanged.set(["metadata", "managedFields"], object[path: ["metadata", "managedFields"]])
        // Re-applying the same manifest changes nothing, not even the entry's time (no new resourceVersion).
        if unchanged == object, entries.contains(where: isMine) { return object }
        let entry: JSONValue = .object([
            "manager": .string(manager), "operation": "Apply", "apiVersion": .string(type.apiVersion),
            "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": .object([:]),
        ])
        var updated = entries
        if let position = updated.firstIndex(where: isMine) { updated[position] = entry } else { updated.append(entry) }
        result.set(["metadata", "managedFields"], .array(updated))
        return result
    }
}
