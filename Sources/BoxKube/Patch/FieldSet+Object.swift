public import BoxCore

/// Field sets drawn from objects, with the list semantics of the strategic merge table (`ListStrategy`): keyed lists
/// are sets of items (`k:`), `metadata.finalizers` a set of values (`v:`), every other list one atomic leaf.
extension FieldSet {
    /// The metadata fields the server owns: never part of a field manager's set.
    static let serverMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "selfLink", "managedFields",
    ]

    /// The fields an applied manifest specifies: its leaves, the items of keyed lists (with their fields) and empty
    /// maps, as upstream's apply records them. `apiVersion`, `kind`, server-owned metadata and (for types with a
    /// status subresource) `status` are left out; `null` values and `$` directives specify nothing.
    public static func applied(_ manifest: JSONValue, type: ResourceType) -> FieldSet {
        withoutIgnored(node(manifest, path: [], kind: type.kind, everyNode: false), type: type)
    }

    /// Every field of `object`, every map and list item a member too: what an update that created the object
    /// changed, and the bound every manager's set is cut to after a write.
    public static func complete(_ object: JSONValue, type: ResourceType) -> FieldSet {
        withoutIgnored(node(object, path: [], kind: type.kind, everyNode: true), type: type)
    }

    /// The fields `new` has with a value different from (or missing in) `old`: what an update changed. A field new
    /// as a whole (a map, a list item) comes with everything under it.
    public static func changed(from old: JSONValue, to new: JSONValue, type: ResourceType) -> FieldSet {
        withoutIgnored(changedNode(old, new, path: [], kind: type.kind), type: type)
    }

    private static func withoutIgnored(_ set: FieldSet, type: ResourceType) -> FieldSet {
        var set = set
        set.isMember = false
        set.set("f:apiVersion", .empty)
        set.set("f:kind", .empty)
        if type.hasStatusSubresource { set.set("f:status", .empty) }
        if var metadata = set.children["f:metadata"] {
            for field in serverMetadata { metadata.set("f:" + field, .empty) }
            // The metadata map itself is nobody's once only server fields were in it.
            if metadata.children.isEmpty { metadata.isMember = false }
            set.set("f:metadata", metadata)
        }
        return set
    }

    private static func node(_ value: JSONValue, path: [String], kind: String, everyNode: Bool) -> FieldSet {
        switch value {
        case .object(let members):
            var set = FieldSet(isMember: everyNode)
            for (key, child) in members where !key.hasPrefix("$") && child != .null {
                set.set("f:" + key, node(child, path: path + [key], kind: kind, everyNode: everyNode))
            }
            if set.children.isEmpty { set.isMember = true }
            return set
        case .array(let items):
            let strategy = ListStrategy.of(path, kind: kind)
            var set = FieldSet(isMember: everyNode)
            switch strategy {
            case .atomic: return .leaf
            case .primitiveSet:
                for item in items where item != .null { set.set("v:" + item.text, .leaf) }
            case .keyed:
                for item in items {
                    guard let key = itemKey(item, strategy: strategy) else { continue }
                    var child = node(item, path: path, kind: kind, everyNode: everyNode)
                    child.isMember = true
                    set.set(key, child)
                }
            }
            if set.children.isEmpty { set.isMember = true }
            return set
        default:
            return .leaf
        }
    }

    private static func changedNode(_ old: JSONValue?, _ new: JSONValue, path: [String], kind: String) -> FieldSet {
        if old == new { return .empty }
        switch (old, new) {
        case (.object(let before)?, .object(let after)):
            var set = FieldSet()
            for (key, child) in after where !key.hasPrefix("$") && child != .null {
                set.set("f:" + key, changedNode(before[key], child, path: path + [key], kind: kind))
            }
            return set
        case (.array(let before)?, .array(let after)):
            let strategy = ListStrategy.of(path, kind: kind)
            var set = FieldSet()
            switch strategy {
            case .atomic: return .leaf
            case .primitiveSet:
                for item in after where item != .null && !before.contains(item) { set.set("v:" + item.text, .leaf) }
            case .keyed:
                for item in after {
                    guard let key = itemKey(item, strategy: strategy) else { continue }
                    if let previous = before.first(where: { itemKey($0, strategy: strategy) == key }) {
                        set.set(key, changedNode(previous, item, path: path, kind: kind))
                    } else {
                        var child = node(item, path: path, kind: kind, everyNode: true)
                        child.isMember = true
                        set.set(key, child)
                    }
                }
            }
            return set
        default:
            return node(new, path: path, kind: kind, everyNode: true)
        }
    }

    /// The `k:` element of an item of a keyed list: its merge key (and the secondary key; a container or Service
    /// port without `protocol` is TCP) as JSON. Nil for an item without its key.
    static func itemKey(_ item: JSONValue, strategy: ListStrategy) -> String? {
        guard case .keyed(let key, let secondary) = strategy, let value = item[key], value != .null else { return nil }
        var members: [String: JSONValue] = [key: value]
        if let secondary {
            if let second = item[secondary], second != .null {
                members[secondary] = second
            } else if secondary == "protocol" {
                members[secondary] = "TCP"
            }
        }
        return "k:" + JSONValue.object(members).text
    }

    // MARK: - Values at paths

    /// The value at `path` (FieldsV1 elements) in `object`, nil when absent.
    static func value(at path: [String], in object: JSONValue, kind: String) -> JSONValue? {
        var value = object
        var fieldPath: [String] = []
        for element in path {
            let body = String(element.dropFirst(2))
            switch (element.prefix(2), value) {
            case ("f:", .object(let members)):
                guard let child = members[body] else { return nil }
                value = child
                fieldPath.append(body)
            case ("k:", .array(let items)):
                let strategy = ListStrategy.of(fieldPath, kind: kind)
                guard let item = items.first(where: { itemKey($0, strategy: strategy) == element }) else { return nil }
                value = item
            case ("v:", .array(let items)):
                guard let item = items.first(where: { $0.text == body }) else { return nil }
                value = item
            case ("i:", .array(let items)):
                guard let index = Int(body), items.indices.contains(index) else { return nil }
                value = items[index]
            default:
                return nil
            }
        }
        return value
    }

    // MARK: - Removal

    /// `object` without the members of `removed`, except where `kept` holds the node or anything under it (another
    /// manager's field, or one the applier still specifies). A removed keyed-list item goes as a whole; a map or list
    /// emptied by the removal goes too unless `kept` holds it.
    static func removing(_ removed: FieldSet, keeping kept: FieldSet, from object: JSONValue, kind: String)
        -> JSONValue
    {
        prune(object, removed: removed, kept: kept, path: [], kind: kind) ?? .object([:])
    }

    private static func prune(
        _ value: JSONValue, removed: FieldSet, kept: FieldSet?, path: [String], kind: String
    ) -> JSONValue? {
        let keptHere = kept ?? .empty
        if removed.isMember && keptHere.isEmpty { return nil }
        switch value {
        case .object(var members):
            for (element, child) in removed.children where element.hasPrefix("f:") {
                let name = String(element.dropFirst(2))
                guard let current = members[name] else { continue }
                let keptChild = keptHere.children[element]
                let next = prune(current, removed: child, kept: keptChild, path: path + [name], kind: kind)
                members[name] = emptied(current, next, kept: keptChild) ? nil : next
            }
            return .object(members)
        case .array(var items):
            let strategy = ListStrategy.of(path, kind: kind)
            for (element, child) in removed.children {
                let keptChild = keptHere.children[element]
                if element.hasPrefix("v:") {
                    if child.isMember && !(keptChild?.isMember ?? false) {
                        items.removeAll { $0.text == element.dropFirst(2) }
                    }
                    continue
                }
                guard element.hasPrefix("k:"),
                    let index = items.firstIndex(where: { itemKey($0, strategy: strategy) == element })
                else { continue }
                if let next = prune(items[index], removed: child, kept: keptChild, path: path, kind: kind) {
                    items[index] = next
                } else {
                    items.remove(at: index)
                }
            }
            return .array(items)
        default:
            return value
        }
    }

    /// Whether a removal turned a non-empty map or list into an empty one nobody keeps (or removed it outright).
    private static func emptied(_ before: JSONValue, _ after: JSONValue?, kept: FieldSet?) -> Bool {
        guard let after else { return true }
        if kept?.isMember ?? false { return false }
        switch (before, after) {
        case (.object(let old), .object(let new)): return !old.isEmpty && new.isEmpty
        case (.array(let old), .array(let new)): return !old.isEmpty && new.isEmpty
        default: return false
        }
    }
}
