public import BoxCore

/// Strategic merge patch: a merge patch where some lists merge element by element (by a merge key chosen from the
/// field's name and where it sits) and directives (`$patch`, `$retainKeys`, `$setElementOrder/…`,
/// `$deleteFromPrimitiveList/…`) steer the merge. What `kubectl apply` (client-side), `set image` and `rollout
/// restart` send.
extension KubePatch {
    public static func strategicMergePatch(_ patch: JSONValue, onto object: JSONValue, type: ResourceType)
        throws(KubeError) -> JSONValue
    {
        guard case .object(let members) = patch else {
            throw .badRequest("a strategic merge patch must be a JSON object")
        }
        var merger = StrategicMerger(kind: type.kind, deletions: true)
        return .object(try merger.mergeMap(object.objectValue ?? [:], members, path: []))
    }
}

/// How a list field merges.
enum ListStrategy: Equatable {
    /// Replaced as a whole (every list not named in the reference table).
    case atomic
    /// Elements are objects matched by `key`; `secondary` also has to match when the patch element names it.
    case keyed(key: String, secondary: String?)
    /// Primitive values merged as a set union (`metadata.finalizers`).
    case primitiveSet

    /// The strategy of the list at `path` (field names from the root, no indices) in an object of `kind`.
    static func of(_ path: [String], kind: String) -> ListStrategy {
        guard let field = path.last else { return .atomic }
        let parent = path.dropLast().last ?? ""
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
            "resourceClaims", "schedulingGates":
            return .keyed(key: "name", secondary: nil)
        case "ports":
            if ["containers", "initContainers", "ephemeralContainers"].contains(parent) {
                return .keyed(key: "containerPort", secondary: "protocol")
            }
            if kind == "Service" && path == ["spec", "ports"] { return .keyed(key: "port", secondary: "protocol") }
            return .atomic
        case "volumeMounts": return .keyed(key: "mountPath", secondary: nil)
        case "volumeDevices": return .keyed(key: "devicePath", secondary: nil)
        case "hostAliases": return .keyed(key: "ip", secondary: nil)
        case "topologySpreadConstraints": return .keyed(key: "topologyKey", secondary: "whenUnsatisfiable")
        case "conditions", "addresses": return path.first == "status" ? .keyed(key: "type", secondary: nil) : .atomic
        case "ownerReferences":
            return path == ["metadata", "ownerReferences"] ? .keyed(key: "uid", secondary: nil) : .atomic
        case "finalizers": return path == ["metadata", "finalizers"] ? .primitiveSet : .atomic
        default: return .atomic
        }
    }
}

/// The merge itself. With `deletions` false (server-side apply) `null`, `$patch: delete`, `$retainKeys` and
/// `$deleteFromPrimitiveList` remove nothing.
struct StrategicMerger {
    var kind: String
    var deletions: Bool

    static let setElementOrder = "$setElementOrder/"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList/"

    mutating func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], path: [String])
        throws(KubeError) -> [String: JSONValue]
    {
        if let directive = patch["$patch"] {
            switch directive.stringValue {
            case "replace":
                var replaced = patch
                replaced["$patch"] = nil
                return try mergeMap([:], replaced, path: path)
            case "delete": return deletions ? [:] : original
            case "merge": break
            default: throw .badRequest("invalid $patch directive \(directive.text) at \(describe(path))")
            }
        }
        var result = original
        if let retain = patch["$retainKeys"] {
            guard let names = retain.arrayValue?.compactMap(\.stringValue), names.count == retain.arrayValue?.count
            else { throw .badRequest("$retainKeys at \(describe(path)) must be a list of strings") }
            for key in patch.keys where !key.hasPrefix("$") && !names.contains(key) {
                throw KubeError(
                    code: 422, reason: "Invalid",
                    message: "the patch at \(describe(path)) has field \"\(key)\" which is not in $retainKeys")
            }
            if deletions { result = result.filter { names.contains($0.key) } }
        }
        for (key, value) in patch where key.hasPrefix(Self.deleteFromPrimitiveList) {
            let field = String(key.dropFirst(Self.deleteFromPrimitiveList.count))
            guard let removed = value.arrayValue else {
                throw .badRequest("\(key) at \(describe(path)) must be a list")
            }
            if deletions, let list = result[field]?.arrayValue {
                result[field] = .array(list.filter { !removed.contains($0) })
            }
        }
        for (key, value) in patch where !key.hasPrefix("$") {
            let childPath = path + [key]
            switch value {
            case .null:
                if deletions { result[key] = nil }
            case .object(let members):
                if members["$patch"]?.stringValue == "delete" {
                    if deletions { result[key] = nil }
                } else {
                    result[key] = .object(try mergeMap(result[key]?.objectValue ?? [:], members, path: childPath))
                }
            case .array(let elements):
                result[key] = .array(try mergeList(result[key]?.arrayValue ?? [], elements, path: childPath))
            default:
                result[key] = value
            }
        }
        for (key, value) in patch where key.hasPrefix(Self.setElementOrder) {
            let field = String(key.dropFirst(Self.setElementOrder.count))
            guard let order = value.arrayValue else { throw .badRequest("\(key) at \(describe(path)) must be a list") }
            if let list = result[field]?.arrayValue {
                result[field] = .array(reorder(list, by: order, strategy: ListStrategy.of(path + [field], kind: kind)))
            }
        }
        return result
    }

    mutating func mergeList(_ original: [JSONValue], _ patch: [JSONValue], path: [String]) throws(KubeError)
        -> [JSONValue]
    {
        let isDirective: (JSONValue) -> Bool = { $0["$patch"] != nil }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return try patch.filter { !isDirective($0) }.map { (element) throws(KubeError) in
                try mergeElement(nil, element, path: path)
            }
        }
        switch ListStrategy.of(path, kind: kind) {
        case .atomic:
            return try patch.filter { !isDirective($0) }.map { (element) throws(KubeError) in
                try mergeElement(nil, element, path: path)
            }
        case .primitiveSet:
            var result = original
            for element in patch where !isDirective(element) && !result.contains(element) { result.append(element) }
            return result
        case .keyed(let key, let secondary):
            var result = original
            for element in patch {
                guard case .object(let members) = element else {
                    throw .badRequest(
                        "the list \(describe(path)) merges by \"\(key)\" but the patch has \(element.text)")
                }
                guard let keyValue = members[key] else {
                    throw .badRequest(
                        "map \(element.text) in \(describe(path)) does not contain declared merge key: \(key)")
                }
                let matches: (JSONValue) -> Bool = { candidate in
                    guard candidate[key] == keyValue else { return false }
                    guard let secondary, let wanted = members[secondary] else { return true }
                    return (candidate[secondary] ?? (secondary == "protocol" ? "TCP" : .null)) == wanted
                }
                switch members["$patch"]?.stringValue {
                case "delete":
                    if deletions { result.removeAll(where: matches) }
                case nil, "merge":
                    if let position = result.firstIndex(where: matches) {
                        result[position] = try mergeElement(result[position], element, path: path)
                    } else {
                        result.append(try mergeElement(nil, element, path: path))
                    }
                default:
                    throw .badRequest("invalid $patch directive in \(describe(path)): \(element.text)")
                }
            }
            return result
        }
    }

    /// One list element: objects merge (which also strips directives from new ones), anything else is taken as is.
    private mutating func mergeElement(_ original: JSONValue?, _ patch: JSONValue, path: [String]) throws(KubeError)
        -> JSONValue
    {
        guard case .object(let members) = patch else { return patch }
        var stripped = members
        if stripped["$patch"]?.stringValue == "merge" { stripped["$patch"] = nil }
        return .object(try mergeMap(original?.objectValue ?? [:], stripped, path: path))
    }

    /// `$setElementOrder`: the listed elements take the list's slots in the given order; elements the order does not
    /// name (the server's own) keep their slots.
    private func reorder(_ list: [JSONValue], by order: [JSONValue], strategy: ListStrategy) -> [JSONValue] {
        func identity(_ element: JSONValue) -> JSONValue {
            if case .keyed(let key, _) = strategy { return element[key] ?? element }
            return element
        }
        let orderIDs = order.map(identity)
        var pending = orderIDs.compactMap { id in list.first { identity($0) == id } }
        var result: [JSONValue] = []
        for element in list {
            if orderIDs.contains(identity(element)), !pending.isEmpty {
                result.append(pending.removeFirst())
            } else if !orderIDs.contains(identity(element)) {
                result.append(element)
            }
        }
        return result
    }

    private func describe(_ path: [String]) -> String { path.isEmpty ? "the top level" : path.joined(separator: ".") }
}
