public import BoxCore

/// A set of field paths in an object, shaped like the upstream FieldsV1 document: a tree whose edges are path
/// elements and whose nodes may themselves be members of the set.
///
/// Path elements are kept in their FieldsV1 spelling, so encoding is a plain walk: `f:<name>` for a map field,
/// `k:{<merge key as JSON>}` for an item of a keyed list, `v:<JSON>` for a value of a set-like list of scalars,
/// `i:<index>` for an item of an atomic list addressed by position (read, never produced here). A node that is a
/// member and has no children is written `{}`; a member with children also has `".":{}`. Server-side apply stores
/// one set per field manager in `metadata.managedFields[].fieldsV1`.
public struct FieldSet: Hashable, Sendable {
    /// Whether the node itself is in the set (`.` in FieldsV1, or a leaf).
    public var isMember: Bool
    /// The subtrees by path element; never holds an empty subtree.
    public private(set) var children: [String: FieldSet]

    public init(isMember: Bool = false, children: [String: FieldSet] = [:]) {
        self.isMember = isMember
        self.children = children.filter { !$0.value.isEmpty }
    }

    /// The empty set.
    public static let empty = FieldSet()
    /// A set holding only the node itself (a leaf).
    public static let leaf = FieldSet(isMember: true)

    public var isEmpty: Bool { !isMember && children.isEmpty }

    /// Sets (or, with an empty set, removes) the subtree under `element`.
    public mutating func set(_ element: String, _ subtree: FieldSet) {
        children[element] = subtree.isEmpty ? nil : subtree
    }

    /// The subtree at `path` (path elements from this node), nil when nothing is under it.
    public func subtree(at path: [String]) -> FieldSet? {
        var node = self
        for element in path {
            guard let child = node.children[element] else { return nil }
            node = child
        }
        return node
    }

    /// Whether the node at `path` is a member.
    public func contains(_ path: [String]) -> Bool { subtree(at: path)?.isMember ?? false }

    /// The set with the subtree at `path` removed (the node and everything under it).
    public func removing(_ path: [String]) -> FieldSet {
        guard let first = path.first else { return .empty }
        guard let child = children[first] else { return self }
        var copy = self
        copy.set(first, child.removing(Array(path.dropFirst())))
        return copy
    }

    // MARK: - Set algebra

    public func union(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(isMember: isMember || other.isMember, children: children)
        for (element, child) in other.children {
            result.set(element, result.children[element].map { $0.union(child) } ?? child)
        }
        return result
    }

    /// The members of this set that are not members of `other`.
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(isMember: isMember && !other.isMember, children: children)
        for (element, child) in other.children {
            if let mine = result.children[element] { result.set(element, mine.subtracting(child)) }
        }
        return result
    }

    /// The members of this set that are also members of `other`.
    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(isMember: isMember && other.isMember)
        for (element, child) in children {
            if let theirs = other.children[element] { result.set(element, child.intersection(theirs)) }
        }
        return result
    }

    /// Every member as its list of path elements, sorted (deterministic order for messages and tests).
    public var members: [[String]] {
        var out: [[String]] = []
        collect(prefix: [], into: &out)
        return out
    }

    private func collect(prefix: [String], into out: inout [[String]]) {
        if isMember { out.append(prefix) }
        for element in children.keys.sorted() {
            children[element]?.collect(prefix: prefix + [element], into: &out)
        }
    }

    // MARK: - FieldsV1

    /// The FieldsV1 document (the root is never written as a member).
    public var fieldsV1: JSONValue {
        var members: [String: JSONValue] = [:]
        for (element, child) in children { members[element] = child.nodeJSON }
        return .object(members)
    }

    private var nodeJSON: JSONValue {
        var members: [String: JSONValue] = [:]
        for (element, child) in children { members[element] = child.nodeJSON }
        if isMember && !members.isEmpty { members["."] = .object([:]) }
        return .object(members)
    }

    /// Reads a FieldsV1 document; anything but nested objects keyed by `.`, `f:`, `k:`, `v:` or `i:` elements is
    /// an error naming the offending key.
    public init(fieldsV1 document: JSONValue) throws(KubeError) {
        guard case .object(let members) = document else {
            throw .badRequest("invalid managedFields: fieldsV1 must be an object, not \(document.text)")
        }
        var node = FieldSet()
        for (key, value) in members {
            if key == "." {
                guard value == .object([:]) else {
                    throw .badRequest("invalid managedFields: \".\" must map to {}, not \(value.text)")
                }
                continue
            }
            guard Self.isElement(key) else {
                throw .badRequest("invalid managedFields: unknown path element \"\(key)\" in fieldsV1")
            }
            let child = try FieldSet(fieldsV1: value)
            // `{}` is a leaf; `.` marks a node with children as a member.
            node.set(key, child.isEmpty ? .leaf : child)
        }
        if members["."] != nil { node.isMember = true }
        self = node
    }

    static func isElement(_ key: String) -> Bool {
        guard key.count > 2 else { return false }
        switch key.prefix(2) {
        case "f:", "v:": return true
        case "k:":
            if case .object = (try? JSONParser.parse(Array(key.utf8.dropFirst(2)))) { return true }
            return false
        case "i:": return Int(key.dropFirst(2)) != nil
        default: return false
        }
    }

    // MARK: - Messages

    /// A path as upstream prints it in conflicts: `.spec.replicas`,
    /// `.spec.template.spec.containers[name="main"].image`, `.metadata.finalizers[="x"]`.
    public static func describe(_ path: [String]) -> String {
        var out = ""
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:": out += "." + body
            case "k:":
                let pairs = (try? JSONParser.parse(Array(body.utf8)))?.objectValue ?? [:]
                out += "[" + pairs.keys.sorted().map { "\($0)=\(pairs[$0]?.text ?? "")" }.joined(separator: ",") + "]"
            case "v:": out += "[=" + body + "]"
            case "i:": out += "[" + body + "]"
            default: out += "." + element
            }
        }
        return out
    }
}
