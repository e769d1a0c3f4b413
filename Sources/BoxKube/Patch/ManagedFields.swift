public import BoxCore

/// One entry of `metadata.managedFields`: a manager, the operation it wrote with (`Apply` or `Update`) and the
/// fields it owns; writes through a subresource (`scale`, `status`) are entries of their own. The entry's other
/// members are kept as they came.
public struct ManagedFieldsEntry: Hashable, Sendable {
    public var manager: String
    public var operation: String
    public var apiVersion: String
    public var time: String
    /// `scale` or `status` for writes through that subresource, empty for the main resource.
    public var subresource: String
    public var fields: FieldSet
    /// The entry as stored; its `fieldsV1` is rewritten only when `fields` changed, so an untouched entry stays
    /// byte for byte what it was.
    var raw: [String: JSONValue]
    private var storedFields: FieldSet

    public init(
        manager: String, operation: String, apiVersion: String, time: String, subresource: String = "",
        fields: FieldSet
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
        self.raw = [:]
        self.storedFields = fields
    }

    /// Reads a stored or client-written entry; a missing `fieldsV1` is the empty set.
    public init(json: JSONValue) throws(KubeError) {
        guard case .object(let members) = json, let manager = members["manager"]?.stringValue else {
            throw .badRequest("invalid managedFields: every entry needs a manager, got \(json.text)")
        }
        let operation = members["operation"]?.stringValue ?? ""
        guard operation == "Apply" || operation == "Update" else {
            throw .badRequest("invalid managedFields: operation of \"\(manager)\" must be Apply or Update")
        }
        if let type = members["fieldsType"]?.stringValue, type != "FieldsV1" {
            throw .badRequest("invalid managedFields: fieldsType \"\(type)\" is not FieldsV1")
        }
        self.manager = manager
        self.operation = operation
        self.apiVersion = members["apiVersion"]?.stringValue ?? ""
        self.subresource = members["subresource"]?.stringValue ?? ""
        // Normalised (the Python client sends `+00:00` times back), so a write that changes nothing stays a no-op.
        let time = members["time"]?.stringValue ?? ""
        self.time = KubeTime.parse(time).map(KubeTime.format) ?? time
        self.fields =
            try members["fieldsV1"].map { (document) throws(KubeError) in try FieldSet(fieldsV1: document) }
            ?? .empty
        self.raw = members
        self.storedFields = fields
    }

    public var json: JSONValue {
        var members = raw
        members["manager"] = .string(manager)
        members["operation"] = .string(operation)
        members["apiVersion"] = .string(apiVersion)
        members["time"] = .string(time)
        members["fieldsType"] = "FieldsV1"
        members["subresource"] = subresource.isEmpty ? nil : .string(subresource)
        if fields != storedFields || members["fieldsV1"] == nil { members["fieldsV1"] = fields.fieldsV1 }
        return .object(members)
    }

    /// Whether this entry is the one `manager` writes with `operation` through `subresource`.
    func isEntry(of manager: String, operation: String, subresource: String = "") -> Bool {
        self.manager == manager && self.operation == operation && self.subresource == subresource
    }
}

/// Field ownership over whole objects: reading and writing `metadata.managedFields`, and what an update (any
/// write but an apply) records.
public enum ManagedFields {
    /// The entries of `object`.
    public static func entries(of object: JSONValue) throws(KubeError) -> [ManagedFieldsEntry] {
        guard let list = object[path: ["metadata", "managedFields"]], list != .null else { return [] }
        guard let items = list.arrayValue else {
            throw .badRequest("invalid managedFields: must be a list, not \(list.text)")
        }
        var entries: [ManagedFieldsEntry] = []
        for item in items { entries.append(try ManagedFieldsEntry(json: item)) }
        return entries
    }

    /// `object` with `entries` as its managedFields, each cut to the fields the object has; entries left empty are
    /// dropped, and no entries at all means no `managedFields` member.
    public static func setting(_ entries: [ManagedFieldsEntry], on object: JSONValue, type: ResourceType)
        -> JSONValue
    {
        let bound = FieldSet.complete(object, type: type)
        var kept: [JSONValue] = []
        for var entry in entries {
            entry.fields = entry.fields.intersection(bound)
            if !entry.fields.isEmpty { kept.append(entry.json) }
        }
        var result = object
        result.set(["metadata", "managedFields"], kept.isEmpty ? nil : .array(kept))
        return result
    }

    /// The managedFields a write by `manager` that turns `old` (nil on create) into `new` leaves: the entries the
    /// client sent when it changed them (kubectl rewrites them when it switches to server-side apply), the stored
    /// ones otherwise; the fields the write changed move into `manager`'s `Update` entry and out of every other
    /// entry. An empty `manager` records nothing (entries the client rewrote are still checked). `subresource`
    /// names the subresource the write came through (`scale`, `status`; empty for the main resource).
    public static func recordUpdate(
        old: JSONValue?, new: JSONValue, manager: String, type: ResourceType, time: String, subresource: String = ""
    ) throws(KubeError) -> JSONValue {
        let sent = new[path: ["metadata", "managedFields"]]
        let stored = old?[path: ["metadata", "managedFields"]]
        var base = new
        if sent == nil { base.set(["metadata", "managedFields"], stored) }
        // Without a manager (the controllers' own writes) the stored entries stay as they are: cutting them to the
        // object can wait for the next recorded write, and these writes are the hot path.
        if manager.isEmpty && (sent == nil || sent == stored) { return base }
        var entries = try self.entries(of: base)
        if !manager.isEmpty {
            let changed =
                old.map { FieldSet.changed(from: $0, to: new, type: type) } ?? FieldSet.complete(new, type: type)
            for index in entries.indices { entries[index].fields = entries[index].fields.subtracting(changed) }
            if !changed.isEmpty {
                if let index = entries.firstIndex(where: {
                    $0.isEntry(of: manager, operation: "Update", subresource: subresource)
                }) {
                    entries[index].fields = entries[index].fields.union(changed)
                    entries[index].time = time
                    entries[index].apiVersion = type.apiVersion
                } else {
                    entries.append(
                        ManagedFieldsEntry(
                            manager: manager, operation: "Update", apiVersion: type.apiVersion, time: time,
                            subresource: subresource, fields: changed))
                }
            }
        }
        return setting(entries, on: base, type: type)
    }

    /// The manager upstream records for a write without `fieldManager`: the User-Agent up to its first `/`
    /// (`kubectl/v1.37.1 (linux/amd64) kubernetes/…` → `kubectl`).
    public static func manager(fieldManager: String?, userAgent: String?) -> String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        guard let userAgent else { return "" }
        return String(userAgent.split(separator: "/", omittingEmptySubsequences: false).first ?? "")
            .trimmingSpaces
    }

    /// The 409 of an apply that would change fields other managers own (upstream's wording).
    static func conflictError(_ conflicts: [(entry: ManagedFieldsEntry, path: [String])]) -> KubeError {
        func who(_ entry: ManagedFieldsEntry) -> String {
            let name = JSONValue.string(entry.manager).text
            if !entry.subresource.isEmpty {
                return "\(name) with subresource \"\(entry.subresource)\" using \(entry.apiVersion)"
            }
            return "\(name) using \(entry.apiVersion)"
        }
        let causes = conflicts.map {
            KubeError.Cause(
                reason: "FieldManagerConflict", message: "conflict with \(who($0.entry))",
                field: FieldSet.describe($0.path))
        }
        var message: String
        if let only = conflicts.first, conflicts.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(who(only.entry)): \(FieldSet.describe(only.path))"
        } else {
            var lines: [String] = []
            var byManager: [String: [String]] = [:]
            for conflict in conflicts {
                byManager[who(conflict.entry), default: []].append(FieldSet.describe(conflict.path))
            }
            for manager in byManager.keys.sorted() {
                lines.append("conflicts with \(manager):")
                lines += (byManager[manager] ?? []).map { "- \($0)" }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return KubeError(code: 409, reason: "Conflict", message: message, causes: causes)
    }
}
